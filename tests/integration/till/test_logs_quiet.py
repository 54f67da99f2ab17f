"""logs/guitai.log carries no APScheduler chatter, and diagnostics explains an old SQLite in
words a store can act on (issue 16.23)."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from pos_app.cli import main
from pos_app.logs import setup


@pytest.fixture(autouse=True)
def own_logging() -> Iterator[None]:
    """Logging is process-wide: start without the till's handler that an earlier test (any
    CLI run) left behind, so setup() installs ours, and put everything back afterwards."""
    root = logging.getLogger()
    levels = (root.level, logging.getLogger("apscheduler").level)
    earlier = [h for h in root.handlers if getattr(h, "_guitai", False)]
    for handler in earlier:
        root.removeHandler(handler)
    yield
    for handler in list(root.handlers):
        if getattr(handler, "_guitai", False):
            root.removeHandler(handler)
            handler.close()
    for handler in earlier:
        root.addHandler(handler)
    root.setLevel(levels[0])
    logging.getLogger("apscheduler").setLevel(levels[1])


@pytest.fixture
def till_log(tmp_path: Path) -> Path:
    setup(tmp_path / "logs")
    return tmp_path / "logs" / "guitai.log"


def test_scheduler_runs_leave_no_info_lines_but_failures_still_show(till_log: Path) -> None:
    ran, failed = threading.Event(), threading.Event()

    def fine() -> None:
        ran.set()

    def broken() -> None:
        failed.set()
        raise RuntimeError("the cloud went away")

    scheduler = BackgroundScheduler()
    scheduler.add_job(fine, id="push")
    scheduler.add_job(broken, id="pull")
    scheduler.start()
    try:
        assert ran.wait(30) and failed.wait(30)
    finally:
        scheduler.shutdown(wait=True)  # the executor has logged each run's outcome by now
    logging.getLogger("pos_app.test").info("sale S001-1-000001 completed")
    lines = [json.loads(line) for line in till_log.read_text("utf-8").splitlines()]
    from_scheduler = [entry for entry in lines if entry["logger"].startswith("apscheduler")]
    assert [entry["level"] for entry in from_scheduler] == ["ERROR"], from_scheduler
    assert "raised an exception" in from_scheduler[0]["message"]
    assert any(entry["message"] == "sale S001-1-000001 completed" for entry in lines)


def test_diagnostics_says_what_an_old_sqlite_means_and_that_nothing_is_to_be_done(
    till_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.40.1")  # Debian 12's engine
    out = tmp_path / "diag.zip"
    assert main(["--home", str(till_home), "diagnostics", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "warning" not in printed.lower()
    assert "note: SQLite 3.40.1 is older than 3.51.3" in printed
    assert "two connections write to it at the same time" in printed
    assert "this till writes through one connection, so it is handled" in printed
    assert "No action is needed" in printed
    assert "说明：SQLite 3.40.1 低于" in printed and "无需任何操作" in printed
    with zipfile.ZipFile(out) as z:
        info = json.loads(z.read("diagnostics.json"))
    assert info["sqlite"] == "3.40.1"
    assert "No action is needed" in info["sqlite_warning"]
    assert "无需任何操作" in info["sqlite_warning_zh"]


def test_diagnostics_is_silent_about_a_fixed_sqlite(
    till_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.51.3")
    assert main(["--home", str(till_home), "diagnostics", "-o", str(tmp_path / "d.zip")]) == 0
    assert "SQLite" not in capsys.readouterr().out
