"""Where an e-receipt page's time goes (issue 18): /r/{token} served in process on PostgreSQL
(fsync on) and profiled.

    python -m benchmarks.profile_cloud_page [--pages 400] [--sort cumulative] [--statements]

Starts a throwaway PostgreSQL (bench_cloud.Postgres), enrolls 20 tills that push 20 sales
each, then asks for pages through the app itself (httpx's ASGI transport, 200 phones' user
agents).  The route's blocking part normally runs in a worker thread, which cProfile does not
follow: here it runs inline on the event loop, so one profile holds the whole page.  Prints
the wall time, this process's CPU and PostgreSQL's CPU per page, and the profile's top;
`--statements`: the statements a page runs (`Tx.execute`, the transaction's BEGIN and COMMIT
aside), how many per page and their wall time each, round trip included.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import sys
import time
from typing import Any

import httpx

from benchmarks.bench_cloud import ROOT, Postgres, enroll_tills

sys.path.insert(0, str(ROOT / "tests" / "support"))  # the shared test kit makes the tokens


async def _inline(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def _count_statements() -> dict[str, list[float]]:
    """Every Tx.execute from now on: {statement's first 90 characters: [count, seconds]}."""
    from cloud.db import Tx

    seen: dict[str, list[float]] = {}
    plain = Tx.execute

    def timed(self: Tx, sql: str, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return plain(self, sql, *args, **kwargs)
        finally:
            entry = seen.setdefault(" ".join(sql.split())[:90], [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - t0

    Tx.execute = timed  # type: ignore[method-assign]
    return seen


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=400)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--statements", action="store_true")
    args = ap.parse_args(argv)

    from sync_testkit import token_for

    import cloud.receipt_routes as routes
    from cloud.app import create_app
    from cloud.db import CloudDB
    from cloud.service import CloudService

    routes.run_in_threadpool = _inline  # type: ignore[assignment]
    pg = Postgres()
    try:
        url = pg.database("page")
        CloudDB(url, pool_size=1).close()
        tills = enroll_tills(url, 20)
        db = CloudDB(url, pool_size=2)
        svc = CloudService(db, ereceipt_base_url="")
        tokens = []
        for t in tills:
            svc.ingest(t.device_id, json.loads(t.batch(20))["events"], True)
            for sale, h in zip(t.writer.sales, t.writer.written, strict=True):
                tokens.append(
                    token_for(t.key, sale["receipt_no"], 1795588200, sale["total_fen"], h["hash"])
                )
        app = create_app(svc)

        async def pages(n: int, prof: cProfile.Profile | None) -> None:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://cloud") as c:
                for i in range(n):
                    ua = {"user-agent": f"MicroMessenger/8.0 phone-{i % 200}"}
                    if prof is not None:
                        prof.enable()
                    answer = await c.get(f"/r/{tokens[i % len(tokens)]}", headers=ua)
                    if prof is not None:
                        prof.disable()
                    if answer.status_code != 200:
                        raise RuntimeError(f"the page answered {answer.status_code}")

        asyncio.run(pages(50, None))  # warm: prepared statements, the session key
        statements = _count_statements() if args.statements else None
        prof = cProfile.Profile()
        t0, cpu0, pg0 = time.perf_counter(), time.process_time(), pg.backend_cpu_s()
        asyncio.run(pages(args.pages, prof))
        out = {
            "pages": args.pages,
            "wall_ms_per_page": (time.perf_counter() - t0) / args.pages * 1e3,
            "process_cpu_ms_per_page (cloud and client, profiled)": (time.process_time() - cpu0)
            / args.pages
            * 1e3,
            "postgresql_cpu_ms_per_page": (pg.backend_cpu_s() - pg0) / args.pages * 1e3,
        }
        if statements is not None:
            out["statements_per_page"] = {
                sql: {"per_page": n / args.pages, "us_each": t / n * 1e6}
                for sql, (n, t) in sorted(statements.items(), key=lambda kv: -kv[1][1])
            }
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats(args.sort).print_stats(40)
        print(s.getvalue(), file=sys.stderr)
        db.close()
        return out
    finally:
        pg.stop()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2, ensure_ascii=False))
