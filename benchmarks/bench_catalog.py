"""Catalog speed: demo-data at 500,000 SKUs, scan lookup and search latency, start-up ratio.

    PYTHONPATH=. python -m benchmarks.bench_catalog [--skus 500000] [--small 5000]

Prints the figures and returns them as a dict.  Start-up is measured in fresh processes
(open the database + first scan lookup) at `--small` and `--skus` SKUs; the target is a
ratio within 1.2 (the catalog is never loaded whole).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.repositories.catalog import SqliteCatalog
from pos_app.config import Paths
from pos_app.services.catalog import CatalogService

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

STARTUP = """
import sys, time, json
from pathlib import Path
t0 = time.perf_counter()
from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.repositories.catalog import SqliteCatalog
from pos_app.services.catalog import CatalogService
t1 = time.perf_counter()
db = open_database(Path(sys.argv[1]), check=sys.argv[3] == "1")
info = CatalogService(SqliteCatalog(db.conn)).by_code(sys.argv[2])
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "open_lookup_s": t2 - t1}))
"""


def make_till(home: Path) -> Path:
    database = open_database(Paths(home).database)
    database.conn.executemany(
        "INSERT INTO settings(key, value) VALUES (?, ?)",
        [("store_id", "BENCH"), ("store_name", "基准店"), ("till_no", "1")],
    )
    database.close()
    return home


def demo_data(home: Path, skus: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pos_app.cli",
            "--home",
            str(home),
            "demo-data",
            "--skus",
            str(skus),
            "--members",
            "0",
            "--json",
        ],
        check=True,
        env=ENV,
        capture_output=True,
        timeout=900,
    )
    return time.perf_counter() - start


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 4),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 4),
        "max_ms": round(ordered[-1] * 1000, 4),
    }


def timed(fn: Any, args: list[Any]) -> list[float]:
    out = []
    for a in args:
        t = time.perf_counter()
        fn(*a)
        out.append(time.perf_counter() - t)
    return out


SEARCHES = {
    "initials": ["nsymjk", "nsxs", "ncmtx", "etw", "wj", "n", "nsyr", "nxxdy"],
    "chinese_3plus": ["羊毛夹克", "真丝衬衫", "纯棉T恤", "羽绒服", "宽松亚麻", "修身羊绒大衣"],
    "chinese_1_2": ["夹克", "黑", "衬衫", "围巾", "画册", "短靴"],
    "english": ["wool jacket", "Silk", "cashmere coat", "Trench", "lookbook"],
    "sku_prefix": ["QP-2026-0001", "qp-2026-12", "QP-2026-3000", "QP-2026-0097"],
    "no_match": ["不存在", "zzzzqq", "nothing here", "无"],
}


def measure_lookups(db_path: Path, rounds: int = 3) -> dict[str, Any]:
    db = open_database(db_path, check=False)
    repo = SqliteCatalog(db.conn)
    service = CatalogService(repo)
    rng = random.Random(1)
    codes = [
        r[0] for r in db.conn.execute("SELECT code FROM barcodes ORDER BY random() LIMIT 5000")
    ]
    for code in codes[:200]:
        service.by_code(code)  # warm the page cache as a till that has been selling
    scan = timed(service.by_code, [(c,) for c in codes])
    result: dict[str, Any] = {"scan": percentiles(scan)}
    every: list[float] = []
    for kind, queries in SEARCHES.items():
        samples: list[float] = []
        for _ in range(rounds):
            qs = queries[:]
            rng.shuffle(qs)
            samples += timed(service.search, [(q, 20) for q in qs])
        result[f"search_{kind}"] = percentiles(samples)
        every += samples
    # Search-as-you-type: every prefix of a query as the cashier types it.
    typing = []
    for word in ["nsymjk", "羊毛夹克", "wool jacket", "QP-2026-0421"]:
        typing += timed(service.search, [(word[:i], 20) for i in range(1, len(word) + 1)])
    result["search_as_you_type"] = percentiles(typing)
    result["search_all"] = percentiles(every + typing)
    db.close()
    return result


def startup(db_path: Path, code: str, check: bool, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP, str(db_path), code, "1" if check else "0"],
            check=True,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=300,
        )
        times.append(json.loads(out.stdout)["open_lookup_s"])
    return statistics.median(times)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=500_000)
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--keep", help="Keep the big till in this folder (re-used if present).")
    args = parser.parse_args(argv if argv is not None else [])
    if os.environ.get("GUITAI_BENCH_QUICK") == "1":
        args.skus, args.small = 8_000, 1_000
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(args.keep) if args.keep else Path(tmp) / "big"
        small = Path(tmp) / "small"
        figures: dict[str, Any] = {"skus": args.skus}
        if not (big / "till.db").exists():
            make_till(big)
            figures["demo_data_s"] = round(demo_data(big, args.skus), 2)
            print(f"demo-data {args.skus} SKUs: {figures['demo_data_s']} s", flush=True)
        make_till(small)
        figures["demo_data_small_s"] = round(demo_data(small, args.small), 2)
        figures.update(measure_lookups(Paths(big).database))
        code = "6901230000003"
        for check in (True, False):
            s = startup(Paths(small).database, code, check)
            b = startup(Paths(big).database, code, check)
            key = "startup" if check else "startup_no_quick_check"
            figures[key] = {
                f"{args.small}_ms": round(s * 1000, 2),
                f"{args.skus}_ms": round(b * 1000, 2),
                "ratio": round(b / s, 2),
            }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return figures


if __name__ == "__main__":
    main()
