"""`make demo` on a headless machine: the scripted day runs and leaves its artifacts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_demo_day_runs_headless(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    env = dict(os.environ, GUITAI_DEMO_DIR=str(out), GUITAI_DEMO_SALES="40", GUITAI_DEMO_SKUS="500")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    r = subprocess.run(
        [sys.executable, "-m", "pos_app.demo"], env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["journal_ok"] and summary["sales"] > 20 and summary["z_no"] == 1
    assert (out / "z-report.png").stat().st_size > 1000
    assert list((out / "receipts").glob("*.png"))
    assert str(out) in r.stdout
