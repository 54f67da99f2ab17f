"""What the console's summaries cost the ingest (issue 22 follow-up; issue 18's rate): CPU
time per 1,000 events pushed through `CloudService.ingest` in-process, with the console's
summaries (cloud/console/facts.py) and without them, in the same run, on SQLite and on
PostgreSQL 15.

    python -m benchmarks.bench_console_ingest [--tills 4] [--batches 10] [--batch 50]
                                              [--rounds 3]

Each round pushes every till's next `--batches` chained batches of `--batch` sales twice
over, once with the summaries and once with `facts.apply` replaced by a no-op (in turn, the
order swapped every round, so the box's load falls on both alike).  CPU is this process's
(`time.process_time`) plus, on PostgreSQL, the server's backends' (/proc); the figure is the
median over the rounds.  The difference of the two is what the console adds per 1,000 events.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))  # the shared test kit writes chained events


def _noop(*args: Any, **kw: Any) -> None:
    return None


def measure(url: str, args: argparse.Namespace, server_cpu: Callable[[], float]) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sync_testkit import enroll_device

    from benchmarks.bench_cloud import Till
    from cloud.console import facts
    from cloud.db import CloudDB
    from cloud.service import CloudService

    db = CloudDB(url)
    real = facts.apply
    try:
        svc = CloudService(db, ereceipt_base_url="")
        tills = []
        for i in range(args.tills):
            store = f"S{i + 1:03d}"
            svc.admin.add_store(store, f"门店 {i + 1}")
            answer = enroll_device(svc, Ed25519PrivateKey.generate(), store_id=store)
            tills.append(Till(None, answer["device_id"], answer["store_id"], answer["till_no"]))

        def push(n_batches: int) -> tuple[float, float, int]:
            batches = [
                (t.device_id, json.loads(t.batch(args.batch))["events"])
                for _ in range(n_batches)
                for t in tills
            ]
            cpu0, srv0, wall0 = time.process_time(), server_cpu(), time.perf_counter()
            for device_id, events in batches:
                answer = svc.ingest(device_id, events)
                assert len(answer["accepted"]) == len(events), answer
            cpu = time.process_time() - cpu0 + server_cpu() - srv0
            return cpu, time.perf_counter() - wall0, sum(len(e) for _, e in batches)

        push(2)  # warm: caches, prepared statements, the first pages of every table
        runs: dict[str, list[float]] = {"with": [], "without": []}
        walls: dict[str, list[float]] = {"with": [], "without": []}
        for r in range(args.rounds):
            for mode in ("with", "without") if r % 2 == 0 else ("without", "with"):
                facts.apply = real if mode == "with" else _noop  # type: ignore[assignment]
                cpu, wall, n = push(args.batches)
                runs[mode].append(cpu * 1000 / n * 1000)
                walls[mode].append(wall * 1000 / n * 1000)
        facts.apply = real  # type: ignore[assignment]
        with db.tx() as tx:
            day_rows = int(tx.execute("SELECT COUNT(*) FROM console_sales_day").fetchone()[0])
        per = {m: round(statistics.median(v), 1) for m, v in runs.items()}
        return {
            "cpu_ms_per_1000_events": per,
            "wall_ms_per_1000_events": {
                m: round(statistics.median(v), 1) for m, v in walls.items()
            },
            "summaries_cost_cpu_ms_per_1000_events": round(per["with"] - per["without"], 1),
            "summaries_share": f"{(per['with'] - per['without']) * 100 / per['without']:.0f}%",
            "events_per_run": args.tills * args.batches * args.batch,
            "console_sales_day_rows": day_rows,
        }
    finally:
        facts.apply = real  # type: ignore[assignment]
        db.close()


def load_1min() -> float:
    return os.getloadavg()[0]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tills", type=int, default=4)
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--engines", default="sqlite,postgres")
    args = ap.parse_args(argv if argv is not None else [])
    if os.environ.get("GUITAI_BENCH_QUICK") == "1":
        args.tills, args.batches, args.rounds = 2, 3, 2
    out: dict[str, Any] = {"load_1min_before": load_1min(), "batch": args.batch}
    engines = args.engines.split(",")
    if "sqlite" in engines:
        with tempfile.TemporaryDirectory() as tmp:
            out["sqlite"] = measure(str(Path(tmp) / "cloud.db"), args, lambda: 0.0)
    if "postgres" in engines:
        from benchmarks.bench_cloud import Postgres

        pg = Postgres()
        try:
            out["postgres"] = measure(pg.database("ingest"), args, pg.backend_cpu_s)
        finally:
            pg.stop()
    out["load_1min_after"] = load_1min()
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), ensure_ascii=False, indent=2))
