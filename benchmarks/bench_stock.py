"""Stock speed: a style's size-and-colour grid at 500,000 SKUs, and posting a 5,000-line count.

    PYTHONPATH=. python -m benchmarks.bench_stock [--skus 500000] [--count-lines 5000]

Builds a till with `guitai demo-data --skus N`, gives every SKU a quantity (as the cloud's
`stock` pull would), then measures: the grid of a random style (target under 10 ms), the grid
from a scanned barcode, and a 5,000-line stock count (scanning, the variance report, posting).
The baseline is a barcode lookup (one primary-key read) measured in the same run.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pos_app.adapters.db.connection import open_database
from pos_app.bootstrap import build
from pos_app.config import Paths
from pos_app.domain.ports import ManualClock

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "GUITAI_SCRYPT_N": "4096"}


def _cli(home: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "--home", str(home), *args],
        check=True,
        env=ENV,
        capture_output=True,
        timeout=1800,
    )


def _ms(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {
        "median_ms": round(statistics.median(s) * 1000, 3),
        "p95_ms": round(s[int(len(s) * 0.95) - 1] * 1000, 3),
        "max_ms": round(s[-1] * 1000, 3),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skus", type=int, default=500_000)
    ap.add_argument("--count-lines", type=int, default=5_000)
    ap.add_argument("--samples", type=int, default=300)
    args = ap.parse_args(argv or [])
    if os.environ.get("GUITAI_BENCH_QUICK") and not argv:
        args.skus, args.count_lines, args.samples = 20_000, 1_000, 100
    rnd = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="bench-stock") as tmp:
        home = Path(tmp) / "till"
        t0 = time.perf_counter()
        _cli(home, "init", "--store-id", "S001", "--store-name", "基准店", "--till-no", "1",
             "--admin-pin", "7391")  # fmt: skip
        # --no-stock: the levels are written below (and timed) by this benchmark itself
        _cli(home, "demo-data", "--skus", str(args.skus), "--members", "0", "--no-stock", "--json")
        build_s = time.perf_counter() - t0
        paths = Paths(home)
        db = open_database(paths.database)
        conn = db.conn
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO stock_levels(sku, on_hand, cloud_qty, cloud_mark, updated_at) "
            "SELECT sku, abs(random() % 12), 0, 0, '' FROM skus"
        )
        conn.execute("UPDATE stock_levels SET cloud_qty = on_hand")
        conn.execute("COMMIT")
        levels_s = time.perf_counter() - t0
        clock = ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
        till = build(paths, db, clock)
        styles = [r[0] for r in conn.execute("SELECT style FROM styles")]
        codes = [r[0] for r in conn.execute("SELECT code FROM barcodes LIMIT 20000")]
        pick_styles = [rnd.choice(styles) for _ in range(args.samples)]
        pick_codes = [rnd.choice(codes) for _ in range(args.samples)]
        # warm-up (the first query pays for opening pages)
        for s in pick_styles[:20]:
            till.stock.grid(s, other_stores=False)
        lookup, grid_style, grid_code = [], [], []
        for s, c in zip(pick_styles, pick_codes, strict=True):
            t = time.perf_counter()
            till.catalog().by_code(c)
            lookup.append(time.perf_counter() - t)
            t = time.perf_counter()
            g = till.stock.grid(s, other_stores=False)
            grid_style.append(time.perf_counter() - t)
            t = time.perf_counter()
            till.stock.grid(c, other_stores=False)
            grid_code.append(time.perf_counter() - t)
        cells = len(g["colours"]) * len(g["sizes"])

        # a count of N lines: scan each SKU once, report, post
        user = till.users.authenticate("admin", "7391")
        till.shifts.open(user, 0)
        count_codes = rnd.sample(codes, min(args.count_lines, len(codes)))
        till.stock.count_start(user)
        t = time.perf_counter()
        for c in count_codes:
            till.stock.count_scan(c, rnd.randint(0, 11) or 1)
        scan_s = time.perf_counter() - t
        t = time.perf_counter()
        report = till.stock.count_status()
        report_s = time.perf_counter() - t
        t = time.perf_counter()
        posted = till.stock.count_finish(user)
        post_s = time.perf_counter() - t
        consistent = not till.stock.repo.consistency()
        db.close()
    base = statistics.median(lookup)
    figures: dict[str, Any] = {
        "skus": args.skus,
        "styles": len(styles),
        "build_catalog_s": round(build_s, 1),
        "load_levels_s": round(levels_s, 2),
        "barcode_lookup": _ms(lookup),
        "grid_by_style": _ms(grid_style),
        "grid_by_scanned_code": _ms(grid_code),
        "grid_cells_last": cells,
        "grid_vs_lookup": round(statistics.median(grid_style) / base, 1),
        "grid_target_met": statistics.median(grid_style) < 0.010,
        "count_lines": len(count_codes),
        "count_scan_s": round(scan_s, 2),
        "count_scan_per_line_ms": round(scan_s / len(count_codes) * 1000, 3),
        "count_report_s": round(report_s, 3),
        "count_post_s": round(post_s, 3),
        "count_posted_lines": posted["posted_lines"],
        "count_differences": report["skus_with_difference"],
        "stock_consistent": consistent,
    }
    figures["targets"] = {
        "grid_by_style.median_ms": {"target": "< 10 ms", "met": figures["grid_target_met"]}
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
