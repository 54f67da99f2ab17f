"""`guitai run` starts the till's window (offscreen here) on a real till folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import paths


def test_guitai_run_opens_the_sign_in_screen(till_home: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GUITAI_SCRYPT_N="4096")
    root = paths.ROOT
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
    root = paths.ROOT
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


def test_guitai_run_without_a_display_says_so_before_qt_starts(till_home: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    root = paths.ROOT
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    for platform in (None, "xcb", "wayland;xcb"):
        if platform:
            env["QT_QPA_PLATFORM"] = platform
        out = subprocess.run(
            [sys.executable, "-m", "pos_app.cli", "--home", str(till_home), "run"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 2, (platform, out.returncode, out.stderr)
        assert "No display" in out.stderr and "没有可显示收银窗口的屏幕" in out.stderr
        assert "QT_QPA_PLATFORM=eglfs" in out.stderr and "xcb-cursor" not in out.stderr


def test_display_is_needed_only_by_the_desktop_platforms() -> None:
    from pos_app.cli.run_cmd import display_problem

    assert display_problem({}, "linux") is not None
    assert display_problem({"QT_QPA_PLATFORM": "xcb"}, "linux") is not None
    assert display_problem({"QT_QPA_PLATFORM": "wayland-egl"}, "linux") is not None
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w"}, "linux") is not None
    for platform in ("offscreen", "eglfs", "linuxfb:fb=/dev/fb0", "vnc", "wayland;offscreen"):
        assert display_problem({"QT_QPA_PLATFORM": platform}, "linux") is None, platform
    assert display_problem({}, "win32") is None and display_problem({}, "darwin") is None
