"""Sync throughput: drain a backlog of queued events into the cloud on loopback.

    python -m benchmarks.bench_sync [--events 10000]

Prints the time and the relay's peak Python memory (tracemalloc) to drain N events in
batches of 500, the same for a backlog a fifth the size (memory must not grow with the
backlog), and the ratio to sending one event per request (measured on a sample in the same
run).  The cloud runs as a separate `guitai cloud serve` process on SQLite, so its memory
is not counted as the till's.  Target: ≥ 2,000 events/s.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))  # the shared test kit writes the outbox


def _guitai(*args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "-m", "pos_app.cli", *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return out.stdout


class CloudProcess:
    def __init__(self, db: list[str]) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pos_app.cli",
                "cloud",
                "serve",
                *db,
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the cloud did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _drain(
    tmp: Path,
    cloud_db: list[str],
    cloud_url: str,
    name: str,
    n_events: int,
    batch: int,
    trace: bool = False,
) -> dict[str, float]:
    from sync_testkit import TillWriter, enroll_settings, make_till_home

    from pos_app.adapters.sync_link import build_relay
    from sync.client import CloudClient

    code = json.loads(_guitai("cloud", "enrollment-code", "--store", "S001", *cloud_db, "--json"))[
        "code"
    ]
    paths, od, key = make_till_home(tmp / name)
    with CloudClient(cloud_url, key=key) as c:
        answer = c.enroll(code, {"model": "bench"})
    enroll_settings(od.conn, answer, cloud_url)
    writer = TillWriter(od, "S001", answer["till_no"])
    sales = max(1, round(n_events / 1.12))  # a refund every 10th sale, a cash move every 50th
    writer.day(sales, refund_every=10)
    queued = od.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    parts = build_relay(paths, od.conn, batch_events=batch)
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    sent = 0
    try:
        while sent < queued:
            report = parts.relay.push(force=True, max_batches=100_000)
            sent += report.accepted + report.duplicates
            if report.error:
                raise RuntimeError(report.error)
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory() if trace else (0, 0)
        tracemalloc.stop()
        parts.close()
        od.close()
    return {
        "events": queued,
        "seconds": elapsed,
        "events_per_s": queued / elapsed,
        "peak_mib": peak / (1 << 20),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--single-sample", type=int, default=300)
    ap.add_argument("--database-url", help="run the cloud on PostgreSQL (scripts/pg.sh start)")
    args = ap.parse_args(argv if argv is not None else [])
    if os.environ.get("GUITAI_BENCH_QUICK") == "1":
        args.events, args.single_sample = 1_000, 50
    with tempfile.TemporaryDirectory(prefix="guitai-bench-sync-") as d:
        tmp = Path(d)
        cloud_db = (
            ["--database-url", args.database_url]
            if args.database_url
            else ["--db", str(tmp / "cloud.db")]
        )
        _guitai("cloud", "store", "add", "S001", "--name", "基准店", *cloud_db)
        cloud = CloudProcess(cloud_db)
        try:
            # timing without tracemalloc (it slows every allocation), memory in separate runs
            big = _drain(tmp, cloud_db, cloud.url, "big", args.events, 500)
            big_mem = _drain(tmp, cloud_db, cloud.url, "big_mem", args.events, 500, trace=True)
            small = _drain(tmp, cloud_db, cloud.url, "small", args.events // 5, 500, trace=True)
            single = _drain(tmp, cloud_db, cloud.url, "single", args.single_sample, 1)
        finally:
            cloud.stop()
    result = {
        "events": big["events"],
        "drain_s": round(big["seconds"], 2),
        "events_per_s": round(big["events_per_s"]),
        "peak_mib": round(big_mem["peak_mib"], 1),
        "peak_mib_fifth_backlog": round(small["peak_mib"], 1),
        "memory_growth_ratio": round(big_mem["peak_mib"] / small["peak_mib"], 2),
        "single_events_per_s": round(single["events_per_s"]),
        "batched_vs_single_ratio": round(big["events_per_s"] / single["events_per_s"], 1),
        "target_events_per_s": 2000,
        "backend": "postgresql" if args.database_url else "sqlite",
    }
    print(
        f"drained {result['events']} events in {result['drain_s']} s "
        f"({result['events_per_s']} events/s; target ≥ 2000)"
    )
    print(
        f"relay peak memory {result['peak_mib']} MiB for {big['events']} events, "
        f"{result['peak_mib_fifth_backlog']} MiB for {small['events']} "
        f"(ratio {result['memory_growth_ratio']})"
    )
    print(
        f"one event per request: {result['single_events_per_s']} events/s; batching is "
        f"{result['batched_vs_single_ratio']}× faster"
    )
    return result


if __name__ == "__main__":
    main()
