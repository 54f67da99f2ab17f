"""The cloud at the size of a chain (issue 18): several workers on one PostgreSQL.

    python -m benchmarks.bench_cloud [--tills 200] [--batches 4] [--batch 50]
                                     [--rss-events 100000] [--page-requests 2000]
                                     [--pages-only] [--ingest-only]

Starts PostgreSQL 15 on loopback (a throwaway cluster, fsync on, as in production), then for
1 worker and for 2 workers (`guitai cloud serve --workers N`, the real command) in the same
run: enrolls `--tills` tills in 20 stores, and lets every till push its chained, signed
batches concurrently (a load generator in this process, one asyncio task per till, bounded
by count and by `--max-seconds`; every batch is made and signed before the timed part and
sent over raw kept-alive HTTP/1.1, load_http.py, so the client costs the shared cores
little).  Every `--retry-every`-th batch is sent twice at once, as a till retrying after a
timeout would, so the duplicates path is under load too.
Figures: events/s, p50/p99 batch latency, the 2-to-1 scaling ratio, and duplicates and losses
counted from the database (accepted rows versus distinct events sent).

Then against the 2 workers: the public e-receipt page /r/{token} with 200 concurrent
clients, closed loop (requests/s at saturation) and open loop at 500 requests/s (p99), and a
worker's RSS at checkpoints while `--rss-events` more events are ingested (flat: no growth
with the number of events); `--pages-only` runs this part alone.  The load client runs on the same 2-core box as the server, so
the figures include its cost.  Targets: ≥ 5,000 events/s with 2 workers; page p99 < 50 ms at
500 requests/s.  The figures that hold however busy the box is are the CPU per 1,000 events
and per page of the workers and of PostgreSQL (from /proc/<pid>/stat before and after), given
next to the load client's own; `cpu_bound_*_2_cores` is what they allow on 2 dedicated cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import httpx

from benchmarks.load_http import Connection, request_bytes, reuse, run

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))  # the shared test kit writes chained events

PG_BIN = Path("/usr/lib/postgresql/15/bin")
STORES = 20
PAGE_CLIENTS = 200
PAGE_RATE = 500
TRANSPORT_RETRIES = [0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Postgres:
    """A throwaway PostgreSQL 15 on loopback with production durability (fsync on)."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError("PostgreSQL 15 is not installed (make system-deps)")
        self.tmp = Path(tempfile.mkdtemp(prefix="guitai-bench-pg-"))
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
        data = str(self.tmp / "data")
        self._run(
            ["initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]
        )
        opts = f"-k {self.tmp} -h 127.0.0.1 -p {self.port} -c max_connections=200"
        self._run(["pg_ctl", "-D", data, "-l", str(self.tmp / "log"), "-w", "-o", opts, "start"])
        self.server = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        pid_file = self.tmp / "data" / "postmaster.pid"
        self.postmaster = int(pid_file.read_text().split()[0])

    def backend_cpu_s(self) -> float:
        """CPU seconds of the server's live processes (its backends serve the cloud's pool)."""
        return sum(cpu_s(p) for p in children_of(self.postmaster))

    def _run(self, cmd: list[str]) -> None:
        cmd[0] = str(PG_BIN / cmd[0])
        subprocess.run(_as_pg(cmd), check=True, capture_output=True, timeout=120)

    def database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return self.server.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        subprocess.run(
            _as_pg([str(PG_BIN / "pg_ctl"), "-D", str(self.tmp / "data"), "-m", "fast", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.tmp, ignore_errors=True)


class Serve:
    """`guitai cloud serve --workers N` as its own process."""

    def __init__(self, db_url: str, workers: int) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="guitai-bench-serve-")[1])
        cmd = [sys.executable, "-m", "pos_app.cli", "cloud", "serve", "--database-url", db_url]
        cmd += ["--port", str(self.port), "--workers", str(workers), "--public-url", self.url]
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                env=dict(os.environ, PYTHONPATH=str(ROOT)),
                stdout=subprocess.DEVNULL,
                stderr=out,
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the cloud did not start: {self.log.read_text()[-1500:]}")
            time.sleep(0.2)
        self.workers = workers

    def worker_pids(self) -> list[int]:
        """The processes that serve: the spawned workers, or the one process itself."""
        if self.workers == 1:
            return [self.proc.pid]
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid and b"spawn_main" in cmdline:
                pids.append(int(entry.name))
        return sorted(pids)

    def stop(self) -> int:
        """Stop it; the number of workers that died and were restarted meanwhile."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        log = self.log.read_text(errors="replace")
        self.log.unlink(missing_ok=True)
        return log.count("died")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a live process has used (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def load_1min() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class _NullConn:
    """TillWriter writes each event into a till's outbox; here it only needs the events."""

    def execute(self, *args: Any) -> None:
        return None


class Till:
    def __init__(self, key: Any, device_id: str, store_id: str, till_no: int) -> None:
        from sync_testkit import TillWriter

        self.key = key
        self.device_id = device_id
        self.writer = TillWriter(types.SimpleNamespace(conn=_NullConn()), store_id, till_no)  # type: ignore[arg-type]
        self.seq = 0
        self.sent_ids: set[str] = set()

    def batch(self, n: int) -> bytes:
        events = []
        for _ in range(n):
            row = self.writer.sale()
            self.seq += 1
            p = row["payload"]
            events.append(
                {
                    "id": row["id"],
                    "type": row["type"],
                    "schema": 1,
                    "seq": self.seq,
                    "occurred_at": p["completed_at"],
                    "payload": p,
                    "prev_entry_hash": row["prev"],
                    "entry_hash": row["hash"],
                }
            )
            self.sent_ids.add(row["id"])
        body = {"events": events}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def enroll_tills(db_url: str, n: int) -> list[Till]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sync_testkit import enroll_device

    from cloud.db import CloudDB
    from cloud.service import CloudService

    db = CloudDB(db_url, pool_size=2)
    try:
        svc = CloudService(db, ereceipt_base_url="")
        for s in range(STORES):
            svc.admin.add_store(f"S{s + 1:03d}", f"门店 {s + 1}")
        tills = []
        for i in range(n):
            key = Ed25519PrivateKey.generate()
            answer = enroll_device(svc, key, store_id=f"S{i % STORES + 1:03d}")
            tills.append(Till(key, answer["device_id"], answer["store_id"], answer["till_no"]))
        return tills
    finally:
        db.close()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _signed(till: Till, url: str, body: bytes) -> bytes:
    """A push as the till sends it: signed now (a fresh nonce), the whole request as bytes."""
    from datetime import UTC, datetime

    from sync.signing import RequestSigner

    headers = RequestSigner(till.key, till.device_id).headers("POST", url, body, datetime.now(UTC))
    headers["Content-Type"] = "application/json"
    return request_bytes("POST", url, headers, body)


# One till's batch: its body and the signed request of each copy sent (two when a retry races
# the original: each copy has its own nonce, as a till's retry has).
Planned = tuple[bytes, list[bytes]]


def plan(
    url: str, tills: list[Till], bodies: list[list[bytes]], retry_every: int
) -> list[list[Planned]]:
    """Every request of an ingest run signed before it starts, so the timed part does no
    signing.  Signatures carry their created time: the run must start (and its slowest request
    arrive) within the cloud's accepted skew of it (sync/signing.py MAX_SKEW_S = 300 s), which
    a run bounded by --max-seconds (180 s) is."""
    per_till = len(bodies[0]) if bodies else 0
    return [
        [
            (body, [_signed(t, url, body) for _ in range(_copies(i, per_till, b, retry_every))])
            for b, body in enumerate(bodies[i])
        ]
        for i, t in enumerate(tills)
    ]


def _copies(i: int, per_till: int, b: int, retry_every: int) -> int:
    return 2 if retry_every and (i * per_till + b) % retry_every == 0 else 1


async def _push(conn: Connection, url: str, till: Till, body: bytes, request: bytes) -> float:
    t0 = time.perf_counter()
    for attempt in range(4):
        try:
            answer = await conn.send(request)
            break
        except ConnectionError:
            # as a till's relay does: the batch is idempotent, send it again (fresh nonce)
            if attempt == 3:
                raise
            TRANSPORT_RETRIES[0] += 1
            request = _signed(till, url, body)
    elapsed = time.perf_counter() - t0
    if answer.status != 200:
        raise RuntimeError(f"push answered {answer.status}: {answer.body[:300]!r}")
    return elapsed


async def _ingest(
    url: str,
    tills: list[Till],
    planned: list[list[Planned]] | None,
    per_till: int,
    batch: int,
    retry_every: int,
    max_s: float,
    on_progress: Any = None,
) -> dict[str, Any]:
    """Every till pushes its batches in order (one in flight, as a till's relay does), on
    connections of its own (a second one for the copy that races the original); `planned`
    pre-made and pre-signed, or None to make and sign each just before sending (the RSS
    phase, where the client's cost is not measured)."""
    latencies: list[float] = []
    sent_batches = 0
    deadline = time.monotonic() + max_s
    conns: dict[Any, Connection] = {}

    async def one_till(i: int) -> None:
        nonlocal sent_batches
        till = tills[i]
        for b in range(per_till):
            if time.monotonic() > deadline:
                return
            if planned is not None:
                body, requests = planned[i][b]
            else:
                body = till.batch(batch)
                n = _copies(i, per_till, b, retry_every)
                requests = [_signed(till, url, body) for _ in range(n)]
            if len(requests) == 2:
                # a retry racing the original: both answered 200, stored once
                got = await asyncio.gather(
                    _push(reuse(conns, (i, 0), url), url, till, body, requests[0]),
                    _push(reuse(conns, (i, 1), url), url, till, body, requests[1]),
                )
                latencies.extend(got)
            else:
                latencies.append(
                    await _push(reuse(conns, (i, 0), url), url, till, body, requests[0])
                )
            sent_batches += 1
            if on_progress is not None:
                on_progress()

    t0 = time.perf_counter()
    try:
        await asyncio.gather(*(one_till(i) for i in range(len(tills))))
    finally:
        for c in conns.values():
            c.close()
    elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "latencies": latencies, "batches": sent_batches}


def count_events(db_url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(db_url) as c:
        row = c.execute(
            "SELECT count(*), count(DISTINCT id) FROM events WHERE status = 'accepted'"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def ingest_run(pg: Postgres, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    TRANSPORT_RETRIES[0] = 0
    db_url = pg.database(f"bench_w{workers}")
    from cloud.db import CloudDB

    CloudDB(db_url, pool_size=1).close()  # the schema, before the tills enroll
    tills = enroll_tills(db_url, args.tills)
    batches = [[t.batch(args.batch) for _ in range(args.batches)] for t in tills]
    serve = Serve(db_url, workers)
    url = serve.url + "/v1/events"
    try:
        planned = plan(url, tills, batches, args.retry_every)
        load_before = load_1min()
        pg_cpu0 = pg.backend_cpu_s()
        cloud_cpu0 = sum(cpu_s(p) for p in serve.worker_pids())
        client_cpu0 = time.process_time()
        out = run(
            lambda: _ingest(
                url,
                tills,
                planned,
                args.batches,
                args.batch,
                args.retry_every,
                args.max_seconds,
            )
        )
        rss = [round(rss_mib(p), 1) for p in serve.worker_pids()]
        cloud_cpu = sum(cpu_s(p) for p in serve.worker_pids()) - cloud_cpu0
        pg_cpu = pg.backend_cpu_s() - pg_cpu0
        client_cpu = time.process_time() - client_cpu0
        load_after = load_1min()
    finally:
        restarts = serve.stop()
    sent = sum(len(t.sent_ids) for t in tills)
    stored, distinct = count_events(db_url)
    lat = out["latencies"]
    server_ms = (cloud_cpu + pg_cpu) / stored * 1e3 if stored else 0.0
    complete = out["batches"] == args.tills * args.batches
    return {
        "workers": workers,
        "tills": args.tills,
        "events": stored,
        "seconds": out["seconds"],
        "events_per_s": stored / out["seconds"],
        "batch_p50_ms": statistics.median(lat) * 1000 if lat else 0.0,
        "batch_p99_ms": _pct(lat, 0.99) * 1000,
        "requests": len(lat),
        "duplicates": stored - distinct,
        "losses": (sent - distinct) if complete else -1,
        "finished_in_time": complete,
        "transport_retries": TRANSPORT_RETRIES[0],
        "worker_rss_mib": rss,
        "worker_restarts": restarts,
        # What the box gave us (2 cores shared with other work): figures scale with it.
        "box_load_1min": [load_before, load_after],
        # CPU per 1,000 events, independent of how busy the box was: the sizing figure.
        "cpu_ms_per_1000_events": {
            "cloud_workers": cloud_cpu / stored * 1e6 if stored else 0.0,
            "postgresql": pg_cpu / stored * 1e6 if stored else 0.0,
            "load_client": client_cpu / stored * 1e6 if stored else 0.0,
        },
        # What the CPU per event allows: the events/s two dedicated cores would carry for the
        # cloud and PostgreSQL (arithmetic, not a measurement; no load client on them).
        "cpu_bound_events_per_s_2_cores": 2 / server_ms * 1e3 if server_ms else 0.0,
    }


def _phone_tail(url: str, phone: int, cookie: str) -> bytes:
    """What follows the path in a phone's GET: its headers (a WeChat browser's User-Agent,
    the visitor cookie the page set on its first visit, as a browser sends it back)."""
    host = url.removeprefix("http://").rstrip("/")
    lines = [
        " HTTP/1.1",
        f"Host: {host}",
        "Accept: */*",
        f"User-Agent: MicroMessenger/8.0 phone-{phone}",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _pages(
    url: str, tokens: list[str], n: int, rate: float | None, cpu: Any = None
) -> dict[str, Any]:
    """`n` GETs of /r/{token} from PAGE_CLIENTS phones: as fast as they go (rate None), or
    started on a fixed schedule of `rate` per second (open loop: latency is not hidden by
    the clients waiting).  Each phone has one kept-alive connection of its own, as phones do;
    a request is the path's bytes and the phone's pre-made headers (load_http.py).  `cpu`:
    a callable giving the cloud's and PostgreSQL's CPU seconds, read before and after."""
    latencies: list[float] = []
    errors = retries = 0
    paths = [f"GET /r/{t}".encode() for t in tokens]
    cpu0 = time.process_time()
    server0 = cpu() if cpu is not None else None
    start = time.perf_counter()
    counter = iter(range(n))

    async def client_loop(c: int) -> None:
        nonlocal errors, retries
        conn = Connection(url)
        tail = _phone_tail(url, c, "")
        try:
            for i in counter:
                if rate is not None:
                    wait = start + i / rate - time.perf_counter()
                    if wait > 0:
                        await asyncio.sleep(wait)
                t0 = time.perf_counter()
                request = paths[i % len(paths)] + tail
                for attempt in range(4):
                    try:
                        answer = await conn.send(request)
                        break
                    except ConnectionError:
                        # a connection the server closed as it was reused: the phone reloads
                        if attempt == 3:
                            raise
                        retries += 1
                latencies.append(time.perf_counter() - t0)
                if answer.status != 200:
                    errors += 1
                cookie = answer.header("set-cookie")
                if cookie:  # the visitor cookie, sent back from now on
                    tail = _phone_tail(url, c, cookie.split(";", 1)[0])
        finally:
            conn.close()

    await asyncio.gather(*(client_loop(c) for c in range(PAGE_CLIENTS)))
    elapsed = time.perf_counter() - start
    out: dict[str, Any] = {
        "requests_per_s": n / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": _pct(latencies, 0.99) * 1000,
        "errors": errors,
        "transport_retries": retries,
        "requests": n,
        # the phones run in this process, on the same 2 cores as the cloud
        "load_client_cpu_ms_per_request": (time.process_time() - cpu0) / n * 1e3,
    }
    if cpu is not None and server0 is not None:
        server1 = cpu()
        out["cpu_ms_per_request"] = {
            "cloud_workers": (server1[0] - server0[0]) / n * 1e3,
            "postgresql": (server1[1] - server0[1]) / n * 1e3,
        }
    return out


def page_and_rss_run(pg: Postgres, args: argparse.Namespace) -> dict[str, Any]:
    from sync_testkit import token_for

    db_url = pg.database("bench_pages")
    from cloud.db import CloudDB

    CloudDB(db_url, pool_size=1).close()
    tills = enroll_tills(db_url, args.tills)
    serve = Serve(db_url, 2)
    try:
        first = plan(serve.url + "/v1/events", tills, [[t.batch(args.batch)] for t in tills], 0)
        run(lambda: _ingest(serve.url + "/v1/events", tills, first, 1, args.batch, 0, 120))
        tokens = []
        for t in tills:
            for sale, h in zip(t.writer.sales, t.writer.written, strict=True):
                tokens.append(
                    token_for(t.key, sale["receipt_no"], 1795588200, sale["total_fen"], h["hash"])
                )
        page = httpx.get(f"{serve.url}/r/{tokens[0]}", timeout=10)
        if "真实小票" not in page.text:  # the page's verified badge (cloud/pages/receipt_hero.py)
            raise RuntimeError("the e-receipt page did not show a genuine receipt")
        pids = serve.worker_pids()

        def server_cpu() -> tuple[float, float]:
            return sum(cpu_s(p) for p in pids), pg.backend_cpu_s()

        load0 = load_1min()
        closed = run(lambda: _pages(serve.url, tokens, args.page_requests, None, server_cpu))
        closed["box_load_1min"] = [load0, load_1min()]
        per_page = sum(closed["cpu_ms_per_request"].values())
        # arithmetic from the CPU per page, as for ingest: two dedicated cores' pages/s
        closed["cpu_bound_requests_per_s_2_cores"] = 2e3 / per_page if per_page else 0.0
        load0 = load_1min()
        opened = run(lambda: _pages(serve.url, tokens, args.page_requests, PAGE_RATE, server_cpu))
        opened["box_load_1min"] = [load0, load_1min()]

        # RSS while more events arrive: checkpoints every fifth of --rss-events
        per_till = max(1, args.rss_events // (args.tills * args.batch))
        total_batches = per_till * len(tills)
        checkpoints: list[dict[str, Any]] = []
        done = 0
        mark = max(1, total_batches // 5)

        def progress() -> None:
            nonlocal done
            done += 1
            if done % mark == 0 or done == total_batches:
                checkpoints.append(
                    {
                        "events": done * args.batch,
                        "rss_mib": [round(rss_mib(p), 1) for p in pids],
                    }
                )

        before = [round(rss_mib(p), 1) for p in pids]
        rss_out = run(
            lambda: _ingest(
                serve.url + "/v1/events",
                tills,
                None,
                per_till,
                args.batch,
                0,
                args.max_seconds * 10,
                progress,
            )
        )
    finally:
        serve.stop()
    stored, distinct = count_events(db_url)
    sent = sum(len(t.sent_ids) for t in tills)
    first_cp = checkpoints[0]["rss_mib"] if checkpoints else before
    last_cp = checkpoints[-1]["rss_mib"] if checkpoints else before
    return {
        "page_closed_loop": closed,
        "page_open_loop_500": opened,
        "rss": {
            "events_ingested": done * args.batch,
            "seconds": rss_out["seconds"],
            "before_mib": before,
            "checkpoints": json.dumps(checkpoints),
            # first checkpoint to last: what growth with the number of events looks like
            "growth_mib": max(b - a for a, b in zip(first_cp, last_cp, strict=True)),
            "duplicates": stored - distinct,
            "losses": sent - distinct,
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tills", type=int, default=200)
    ap.add_argument("--batches", type=int, default=4, help="batches per till per run")
    ap.add_argument("--batch", type=int, default=50, help="events per batch")
    ap.add_argument("--retry-every", type=int, default=10, help="send every Nth batch twice")
    ap.add_argument("--max-seconds", type=float, default=180.0, help="bound of each ingest run")
    ap.add_argument("--page-requests", type=int, default=2000)
    ap.add_argument("--rss-events", type=int, default=100_000)
    ap.add_argument(
        "--pages-only",
        action="store_true",
        help="skip the two ingest runs: only the page and RSS figures (code compared side by side)",
    )
    ap.add_argument(
        "--ingest-only",
        action="store_true",
        help="the two ingest runs only (no page or RSS run): comparing code quickly",
    )
    args = ap.parse_args(argv if argv is not None else [])
    if os.environ.get("GUITAI_BENCH_QUICK") == "1":
        args.tills, args.batches, args.page_requests, args.rss_events = 40, 2, 800, 8000
    pg = Postgres()
    if args.pages_only:
        try:
            return page_and_rss_run(pg, args)
        finally:
            pg.stop()
    try:
        one = ingest_run(pg, 1, args)
        two = ingest_run(pg, 2, args)
        if args.ingest_only:
            return {
                "ingest_1_worker": one,
                "ingest_2_workers": two,
                "scaling_ratio": two["events_per_s"] / one["events_per_s"],
            }
        rest = page_and_rss_run(pg, args)
    finally:
        pg.stop()
    opened = rest["page_open_loop_500"]
    scaling = two["events_per_s"] / one["events_per_s"]
    clean = all(r["duplicates"] == 0 and r["losses"] == 0 for r in (one, two, rest["rss"]))
    return {
        "ingest_1_worker": one,
        "ingest_2_workers": two,
        "scaling_ratio": scaling,
        **rest,
        "targets": {
            "ingest_2_workers.events_per_s": {
                "target": ">= 5000 events/s (200 tills, 2 workers)",
                "met": two["events_per_s"] >= 5000,
            },
            "page_open_loop_500.p99_ms": {
                "target": "< 50 ms at 500 requests/s",
                "met": opened["p99_ms"] < 50 and opened["requests_per_s"] >= PAGE_RATE * 0.95,
            },
            "rss.growth_mib": {
                "target": "< 5 MiB from the first checkpoint to the last (flat)",
                "met": rest["rss"]["growth_mib"] < 5,
            },
            "ingest_2_workers.duplicates": {
                "target": "0 duplicates and 0 losses (every run)",
                "met": clean,
            },
        },
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2, ensure_ascii=False, default=str))
