"""Where a signed push's time goes outside the ingest (issue 18): POST /v1/events served in
process on PostgreSQL (fsync on) and profiled, HTTP routing, signature, nonce and JSON
included.

    python -m benchmarks.profile_cloud_push [--tills 20] [--batches 10] [--batch 50]
                                            [--sort cumulative] [--lines 45] [--plain]

Starts a throwaway PostgreSQL (bench_cloud.Postgres), enrolls tills, then pushes their
signed batches through the app itself (httpx's ASGI transport).  The blocking parts normally
run in worker threads, which cProfile does not follow: here they run inline on the event
loop, so one profile holds the whole request.  Prints the wall time, this process's CPU
(client's signing and encoding excluded: done before the timed part) and PostgreSQL's CPU per
event, the statements and transactions a push (counted as the cloud sends them), and the
profile's top.  `--plain`: no cProfile, so the CPU figures carry none of its overhead (for
comparing code).
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
from datetime import UTC, datetime
from typing import Any

import httpx

from benchmarks.bench_cloud import Postgres, enroll_tills


async def _inline(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def _count_statements() -> list[int]:
    """[statements, transactions] the cloud runs from now on (an executemany counts as one
    statement), counted as they go."""
    from cloud.db import CloudDB, Tx

    count = [0, 0]
    original_tx = CloudDB.tx

    def counted_tx(self: Any) -> Any:
        count[1] += 1
        return original_tx(self)

    CloudDB.tx = counted_tx  # type: ignore[method-assign]
    for name in ("execute", "executemany"):
        original = getattr(Tx, name)

        def counted(self: Any, *args: Any, _original: Any = original, **kw: Any) -> Any:
            count[0] += 1
            return _original(self, *args, **kw)

        setattr(Tx, name, counted)
    return count


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tills", type=int, default=20)
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--lines", type=int, default=45, help="rows of the profile printed")
    ap.add_argument(
        "--plain", action="store_true", help="no cProfile: CPU figures without its overhead"
    )
    args = ap.parse_args(argv)

    import cloud.app as app_mod
    import cloud.gate as gate_mod
    import cloud.push as push_mod
    from cloud.app import create_app
    from cloud.db import CloudDB
    from cloud.service import CloudService
    from sync.signing import RequestSigner

    app_mod.run_in_threadpool = _inline  # type: ignore[assignment]
    gate_mod.run_in_threadpool = _inline  # type: ignore[assignment]
    push_mod.PushThreads.run = lambda self, fn, *a: _inline(fn, *a)  # type: ignore[method-assign]
    pg = Postgres()
    try:
        url = pg.database("push")
        CloudDB(url, pool_size=1).close()
        tills = enroll_tills(url, args.tills)
        db = CloudDB(url, pool_size=2)
        app = create_app(CloudService(db, ereceipt_base_url=""))
        target = "http://cloud/v1/events"

        def signed(t: Any) -> tuple[bytes, dict[str, str]]:
            body = t.batch(args.batch)
            headers = RequestSigner(t.key, t.device_id).headers(
                "POST", target, body, datetime.now(UTC)
            )
            headers["Content-Type"] = "application/json"
            return body, headers

        async def push(requests: list[tuple[bytes, dict[str, str]]], prof: Any) -> None:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://cloud") as c:
                for body, headers in requests:
                    if prof is not None:
                        prof.enable()
                    answer = await c.post("/v1/events", content=body, headers=headers)
                    if prof is not None:
                        prof.disable()
                    if answer.status_code != 200:
                        raise RuntimeError(f"the push answered {answer.status_code}")

        asyncio.run(push([signed(t) for t in tills], None))  # warm: the first batch
        timed = [signed(t) for _ in range(args.batches) for t in tills]
        prof = None if args.plain else cProfile.Profile()
        statements = _count_statements()
        t0, cpu0, pg0 = time.perf_counter(), time.process_time(), pg.backend_cpu_s()
        asyncio.run(push(timed, prof))
        cpu, pg_cpu = time.process_time() - cpu0, pg.backend_cpu_s() - pg0
        n = len(timed) * args.batch
        out = {
            "events": n,
            "wall_us_per_event": (time.perf_counter() - t0) / n * 1e6,
            "process_cpu_us_per_event (cloud and client"
            + ("" if args.plain else ", profiled")
            + ")": cpu / n * 1e6,
            "postgresql_cpu_us_per_event": pg_cpu / n * 1e6,
            "statements_per_push (BEGIN/COMMIT not counted)": statements[0] / len(timed),
            "transactions_per_push": statements[1] / len(timed),
        }
        if prof is not None:
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats(args.sort).print_stats(args.lines)
            print(s.getvalue(), file=sys.stderr)
        db.close()
        return out
    finally:
        pg.stop()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2, ensure_ascii=False))
