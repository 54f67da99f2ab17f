"""Where a pushed batch's time goes, hook by hook (issue 18): one 50-event batch of sales
on PostgreSQL (fsync on), profiled in process.

    python -m benchmarks.profile_cloud_ingest [--tills 20] [--batches 40] [--batch 50]
                                              [--cprofile]

Starts a throwaway PostgreSQL (bench_cloud.Postgres), enrolls tills, then pushes batches
through `CloudService.ingest` (the code a worker runs for POST /v1/events, without HTTP and
the signature check) with each step after the batch's insert timed and its statements
counted: the wall time per event of each hook includes its round trips to PostgreSQL.
`--cprofile` prints the top of a cProfile of the timed batches.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from benchmarks.bench_cloud import Postgres, Till, enroll_tills


def _timed(name: str, fn: Callable[..., Any], wall: dict[str, float]) -> Callable[..., Any]:
    """`fn` with its wall time added to wall[name] and its statements counted under name."""

    def run(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        counting[0] = name
        try:
            return fn(*args, **kwargs)
        finally:
            counting[0] = ""
            wall[name] += time.perf_counter() - t0

    return run


counting = [""]  # the hook running now, whose statements are being counted


def _statements_on(pg: Postgres) -> None:
    """pg_stat_statements loaded (a restart), so the server's time per statement is known."""
    import psycopg

    with psycopg.connect(pg.server, autocommit=True) as c:
        c.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
    pg._run(["pg_ctl", "-D", str(pg.tmp / "data"), "-l", str(pg.tmp / "log"), "-w", "restart"])
    pg.postmaster = int((pg.tmp / "data" / "postmaster.pid").read_text().split()[0])


def _top_statements(url: str, events: int) -> list[str]:
    """The server's execution time per event of each statement the timed batches ran."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        rows = c.execute(
            "SELECT total_exec_time, calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) "
            "FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 14"
        ).fetchall()
    return [f"{ms * 1e3 / events:7.1f} us/event {calls:6d} calls  {q}" for ms, calls, q in rows]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tills", type=int, default=20)
    ap.add_argument("--batches", type=int, default=40, help="timed batches (after a warm-up)")
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--cprofile", action="store_true")
    args = ap.parse_args(argv)

    import psycopg

    import cloud.service as service_mod
    from cloud import db as db_mod
    from cloud.db import CloudDB
    from cloud.service import CloudService

    wall: dict[str, float] = defaultdict(float)
    stmts: dict[str, int] = defaultdict(int)
    real_execute, real_many = db_mod.Tx.execute, db_mod.Tx.executemany

    def execute(self: Any, sql: str, params: Any = (), *, binary: bool = False) -> Any:
        stmts[counting[0] or "other"] += 1
        return real_execute(self, sql, params, binary=binary)

    def executemany(self: Any, sql: str, rows: Any) -> None:
        stmts[counting[0] or "other"] += 1
        return real_many(self, sql, rows)

    db_mod.Tx.execute = execute  # type: ignore[method-assign]
    db_mod.Tx.executemany = executemany  # type: ignore[method-assign]

    pg = Postgres()
    try:
        _statements_on(pg)
        url = pg.database("profile")
        CloudDB(url, pool_size=1).close()
        tills: list[Till] = enroll_tills(url, args.tills)
        db = CloudDB(url, pool_size=2)
        svc = CloudService(db, ereceipt_base_url="")
        # every step after the insert, by the object it is reached through
        service_mod.ingest_batch = _timed("ingest_batch", service_mod.ingest_batch, wall)
        svc_stock = service_mod.stock
        hooks: list[tuple[Any, str, str]] = [
            (svc_stock, "after_ingest", "stock.after_ingest"),
            (svc.members.ledger, "apply", "members.ledger.apply"),
            (svc.fapiao, "note_refunds", "fapiao.note_refunds"),
            (svc.members.claims, "on_ingest", "members.claims.on_ingest"),
            (service_mod.console_facts, "apply", "console_facts.apply"),
            (service_mod.return_ledger, "after_ingest", "return_ledger.after_ingest"),
        ]
        for obj, attr, name in hooks:
            setattr(obj, attr, _timed(name, getattr(obj, attr), wall))
        bodies = [
            [json.loads(t.batch(args.batch))["events"] for _ in range(args.batches + 1)]
            for t in tills
        ]
        for i, t in enumerate(tills):  # warm-up: the first batch of every till
            svc.ingest(t.device_id, bodies[i][0], True)
        wall.clear()
        stmts.clear()
        with psycopg.connect(url, autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            c.execute("SELECT pg_stat_statements_reset()")
        prof = cProfile.Profile() if args.cprofile else None
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        pg0 = pg.backend_cpu_s()
        n = 0
        for b in range(1, args.batches + 1):
            for i, t in enumerate(tills):
                if prof is not None:
                    prof.enable()
                svc.ingest(t.device_id, bodies[i][b], True)
                if prof is not None:
                    prof.disable()
                n += args.batch
        total = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        pg_cpu = pg.backend_cpu_s() - pg0
        batches = args.batches * len(tills)
        hooked = sum(wall.values())
        out: dict[str, Any] = {
            "events": n,
            "wall_us_per_event": total / n * 1e6,
            "cloud_cpu_us_per_event": cpu / n * 1e6,
            "postgresql_cpu_us_per_event": pg_cpu / n * 1e6,
            "hooks_us_per_event": {k: round(v / n * 1e6, 1) for k, v in sorted(wall.items())},
            "statements_per_batch": {k: round(v / batches, 2) for k, v in sorted(stmts.items())},
            "rest_us_per_event (validation, commit)": round((total - hooked) / n * 1e6, 1),
        }
        out["postgresql_statements"] = _top_statements(url, n)
        if prof is not None:
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats(
                os.environ.get("PROFILE_SORT", "cumulative")
            ).print_stats(45)
            print(s.getvalue(), file=sys.stderr)
        db.close()
        return out
    finally:
        pg.stop()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2, ensure_ascii=False))
