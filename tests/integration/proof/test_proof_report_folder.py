"""GUITAI_BENCH_OUT / GUITAI_SOAK_OUT: the report folder is made and checked before anything is
measured (issue 16.28: a missing folder lost a whole run to a FileNotFoundError at the end)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(module: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "GUITAI_BENCH_QUICK": "1",
            "QT_QPA_PLATFORM": "offscreen",
            **env,
        },
        timeout=600,
        check=False,
    )


def test_a_report_folder_that_does_not_exist_yet_is_created(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "today"
    done = run("benchmarks", "bench_devices", GUITAI_BENCH_OUT=str(out))
    assert done.returncode == 0, done.stderr
    assert "bench_devices: ok" in done.stdout
    assert "## bench_devices" in (out / "REPORT.md").read_text("utf-8")
    assert (out / "REPORT.json").exists()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no probe left


def test_an_unusable_report_folder_stops_the_run_before_it_measures(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for module, variable in (
        ("benchmarks", "GUITAI_BENCH_OUT"),
        ("benchmarks.soak", "GUITAI_SOAK_OUT"),
    ):
        args = ("bench_devices",) if module == "benchmarks" else ("--quick",)
        done = run(module, *args, **{variable: str(blocker / "reports")})
        assert done.returncode == 2, (module, done.stdout, done.stderr)
        assert "错误：无法创建或写入报告文件夹" in done.stderr and variable in done.stderr
        assert "error: cannot create or write the report folder" in done.stderr
        assert "nothing was measured" in done.stderr
        assert ": ok" not in done.stdout and "Traceback" not in done.stderr
