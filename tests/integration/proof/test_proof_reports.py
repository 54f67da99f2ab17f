"""The short versions of `make bench` and `make soak`: the reports are written and hold numbers
and verdicts (no timing assertions; the full runs write benchmarks/REPORT.md and SOAK.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUITAI_BENCH_QUICK", "1")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")


def test_quick_bench_writes_every_figure_with_its_target(quick, tmp_path: Path) -> None:
    from benchmarks.__main__ import main

    main(["bench_foundation", "bench_proof", "bench_receipts"], out_dir=tmp_path)
    data = json.loads((tmp_path / "REPORT.json").read_text())
    assert data["machine"]["cpus"] and data["machine"]["mode"] == "quick"
    for name in ("bench_foundation", "bench_proof", "bench_receipts"):
        r = data["results"][name]
        assert "error" not in r, r.get("trace")
        assert r["targets"], name
        for fig, t in r["targets"].items():
            assert t["target"] and isinstance(t["met"], bool), (name, fig)
    proof = data["results"]["bench_proof"]["figures"]
    for k in ("period_report_year_s", "member_by_phone_p99_ms", "day_rss_peak_mb"):
        assert isinstance(proof[k], int | float) and proof[k] > 0, k
    found = data["results"]["bench_foundation"]["figures"]
    for k in ("scan_to_line_p99_ms", "complete_vs_bare_p99_ratio", "z_report_ms_median"):
        assert isinstance(found[k], int | float), k
    md = (tmp_path / "REPORT.md").read_text()
    assert "## Targets" in md and "period_report_year_s" in md


def test_quick_soak_passes_every_check(quick, tmp_path: Path) -> None:
    from benchmarks.soak.__main__ import main

    rc = main(["--quick", "--kills", "20"], out_dir=tmp_path)
    data = json.loads((tmp_path / "SOAK.json").read_text())
    assert data["verdicts"] and all(data["verdicts"].values()), data["verdicts"]
    assert rc == 0
    r = data["results"]
    assert r["crash"]["kills"] == 20
    assert r["network"]["events"] >= 500
    full = next(m for m in r["power_loss"] if m["synchronous"] == "FULL")
    assert full["cuts"] == 3 and full["acknowledged_sales"] > 0
    assert "disk" in r and r["disk"]["full_error_zh"]
    assert os.path.exists(tmp_path / "SOAK.md")
