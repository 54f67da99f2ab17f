"""`guitai run` starts the till's window (offscreen here) on a real till folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_guitai_run_opens_the_sign_in_screen(till_home: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GUITAI_SCRYPT_N="4096")
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pos_app.cli",
            "--home",
            str(till_home),
            "run",
            "--quit-after",
            "1500",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "ready: signin screen, 1 users" in out.stdout


def test_guitai_run_refuses_a_folder_without_a_till(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    out = subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "--home", str(tmp_path / "none"), "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "guitai init" in out.stderr
