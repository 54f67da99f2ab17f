"""Catalog import memory: peak RSS of a real `guitai catalog import` of a 200,000-row CSV file.

    PYTHONPATH=. python -m benchmarks.bench_catalog_import [--rows 200000]

Writes a realistic catalog file (the demo catalog's rows: Chinese and English names, EAN-13
and in-store codes, about 23 MB at 200,000 rows) and imports it into a fresh till in a child
process.  The peak RSS comes from the kernel's own account of that child (wait4's ru_maxrss),
so a short spike between two samples cannot be missed.  Target: under 150 MiB (issue 15.12:
the importer held the whole file, decoded, plus every parsed row, 588 MiB at 200,000 rows).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pos_app.adapters.db.connection import open_database
from pos_app.config import Paths
from pos_app.demo.data import generate_catalog
from pos_app.domain.catalog import format_vat
from pos_app.domain.money import format_fen

TARGET_MIB = 150
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
HEADER = (
    "sku,style,style_name,name,name_en,colour,size,category,vat_rate,price,member_price,barcode"
)


def write_catalog(path: Path, rows: int) -> int:
    """The demo catalog as the CSV file a brand would send; returns its size in bytes."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER.split(","))
        for batch in generate_catalog(rows):
            style_names = {s.style: s.name for s in batch.styles}
            for s in batch.skus:
                writer.writerow(
                    [
                        s.sku,
                        s.style,
                        style_names.get(s.style, ""),
                        s.name,
                        s.name_en,
                        s.colour,
                        s.size,
                        s.category,
                        format_vat(s.vat_rate_bp),
                        format_fen(s.price_fen),
                        "" if s.member_price_fen is None else format_fen(s.member_price_fen),
                        "|".join(s.barcodes),
                    ]
                )
    return path.stat().st_size


def make_till(home: Path) -> None:
    database = open_database(Paths(home).database)
    database.conn.executemany(
        "INSERT INTO settings(key, value) VALUES (?, ?)",
        [("store_id", "BENCH"), ("store_name", "基准店"), ("till_no", "1")],
    )
    database.close()


def import_peak(home: Path, csv_file: Path, out: Path) -> tuple[float, int, dict[str, Any]]:
    """Seconds, peak RSS in KiB and the JSON answer of one `guitai catalog import`."""
    start = time.perf_counter()
    with out.open("wb") as stdout, (out.with_suffix(".err")).open("wb") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pos_app.cli",
                "--home",
                str(home),
                "catalog",
                "import",
                str(csv_file),
                "--json",
            ],
            env=ENV,
            stdout=stdout,
            stderr=stderr,
        )
        # wait4 reaps the child and returns the kernel's peak RSS for it alone (KiB on Linux).
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        err = out.with_suffix(".err").read_text(errors="replace")
        raise RuntimeError(f"catalog import failed (exit {proc.returncode}): {err[-2000:]}")
    return seconds, int(usage.ru_maxrss), json.loads(out.read_text("utf-8"))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args(argv if argv is not None else [])
    if os.environ.get("GUITAI_BENCH_QUICK") == "1" and not argv:
        args.rows = 20_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_file = folder / "catalog.csv"
        size = write_catalog(csv_file, args.rows)
        make_till(folder / "till")
        seconds, peak_kib, answer = import_peak(folder / "till", csv_file, folder / "out.json")
    peak_mib = round(peak_kib / 1024, 1)
    figures: dict[str, Any] = {
        "rows": args.rows,
        "file_mb": round(size / 1e6, 1),
        "imported": answer["imported"],
        "seconds": round(seconds, 1),
        "peak_rss_mib": peak_mib,
        "targets": {
            "peak_rss_mib": {"target": f"< {TARGET_MIB} MiB", "met": peak_mib < TARGET_MIB}
        },
    }
    print(
        f"catalog import of {args.rows} rows ({figures['file_mb']} MB): peak RSS {peak_mib} MiB "
        f"(target < {TARGET_MIB} MiB: {'met' if peak_mib < TARGET_MIB else 'NOT met'}), "
        f"{figures['seconds']} s",
        flush=True,
    )
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
