"""`make demo` on a headless machine: the scripted day runs and leaves its artifacts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
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
    # a till neither enrolled nor given --ereceipt-base-url: no receipt points at a placeholder
    # address; each QR is the verifiable bare token with the line saying e-receipts come later
    # (issue 19, "no dead link")
    texts = sorted((out / "receipts").glob("*.txt"))
    escpos = sorted((out / "receipts").glob("*.escpos"))
    assert texts and escpos
    for f in texts:
        assert "R.EXAMPLE.COM" not in f.read_text("utf-8")
        assert "电子小票开通后可扫码查看" in f.read_text("utf-8")
    for f in escpos:
        assert b"R.EXAMPLE.COM" not in f.read_bytes()
    assert "未设置电子小票网址" in r.stderr  # init warned


def test_demo_day_tells_a_new_user_how_to_go_on(tmp_path: Path) -> None:
    """The printed users and PINs sign in; the printed `try:` command runs as printed from a
    shell whose PATH has no .venv; X and Z are there as the text the printer prints."""
    import re
    import shlex

    out = tmp_path / "demo"
    env = dict(os.environ, GUITAI_DEMO_DIR=str(out), GUITAI_DEMO_SALES="30", GUITAI_DEMO_SKUS="300")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    r = subprocess.run(
        [sys.executable, "-m", "pos_app.demo"], env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr

    users = re.findall(r"(\w+) / (\d+) \((manager|cashier)\)", r.stdout)
    assert {u[0] for u in users} == {"admin", "wang", "li"}, r.stdout
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build
    from pos_app.config import Paths
    from pos_app.domain.ports import ManualClock

    home = out / "till"
    db = open_database(Paths(home).database)
    try:
        till = build(Paths(home), db, ManualClock(datetime(2026, 11, 26, tzinfo=UTC)))
        for name, pin, _ in users:
            assert till.users.authenticate(name, pin).name == name
    finally:
        db.close()

    (hint,) = re.findall(r"try: (.+)$", r.stdout, re.M)
    plain = {k: v for k, v in env.items() if not k.startswith("GUITAI_")}
    plain["PATH"] = "/usr/bin:/bin"  # not activated: the printed command must not need it
    ran = subprocess.run(
        ["bash", "-c", hint], env=plain, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert re.search(r"^\s*\d+ sale ", ran.stdout, re.M), ran.stdout
    assert shlex.split(hint)[1:3] == ["--home", str(home)]

    x_text = (out / "x-report.txt").read_text("utf-8")
    z_text = (out / "z-report.txt").read_text("utf-8")
    assert "交班报表 (X)" in x_text and "日结报表 (Z)" in z_text
    shown = subprocess.run(
        [*shlex.split(hint)[:3], "report", "z", "--day", "2026-11-25"],
        env=plain,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == z_text  # the file is what `guitai report z` shows and prints
    for name in ("x-report", "z-report"):
        assert json.loads((out / f"{name}.json").read_text("utf-8"))["store_id"] == "S001"
