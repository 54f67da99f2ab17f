#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster on loopback for the cloud's PostgreSQL backend.
#   scripts/pg.sh start [DIR]   -> prints the database URL (postgresql://postgres@127.0.0.1:PORT/postgres)
#   scripts/pg.sh stop DIR
# As root the cluster runs as the `postgres` user (initdb refuses root).  The tests start
# their own cluster the same way (tests/sync/conftest.py).
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
cmd=${1:-start}
dir=${2:-$(mktemp -d /tmp/guitai-pg.XXXXXX)}
mkdir -p "$dir"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-k $dir -h 127.0.0.1 -p $port -c fsync=off" start >/dev/null
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    echo "stop with: $0 stop $dir" >&2 ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null || true
    rm -rf "$dir" ;;
  *) echo "usage: $0 start [DIR] | stop DIR" >&2; exit 2 ;;
esac
