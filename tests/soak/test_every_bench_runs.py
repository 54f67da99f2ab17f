"""Every `benchmarks/bench_*.py` still runs, in its short version: `make bench` is not part of
`make test`, so a benchmark broken by a move elsewhere went unseen (bench_payments imported the
payment rig from a conftest.py the test split had removed; `make bench` reported it only as an
error row).  No timing is asserted: the figures are the full run's business."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.slow
def test_every_benchmark_script_runs_and_reports_its_targets(tmp_path: Path) -> None:
    names = sorted(p.stem for p in BENCHMARKS.glob("bench_*.py"))
    assert "bench_payments" in names and len(names) >= 10
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "GUITAI_BENCH_QUICK": "1",
            "GUITAI_BENCH_OUT": str(tmp_path),
            "QT_QPA_PLATFORM": "offscreen",
        },
        timeout=1200,
        check=False,
    )
    data = json.loads((tmp_path / "REPORT.json").read_text("utf-8"))
    results = data["results"]
    assert sorted(results) == names
    broken = {n: r["trace"] for n, r in results.items() if "error" in r}
    assert broken == {}, broken
    assert done.returncode == 0, done.stderr[-2000:]
    for name in names:
        assert f"{name}: ok" in done.stdout
        for figure, t in results[name].get("targets", {}).items():
            assert t["target"] and isinstance(t["met"], bool), (name, figure)
    report = (tmp_path / "REPORT.md").read_text("utf-8")
    assert all(f"## {name}" in report for name in names)
