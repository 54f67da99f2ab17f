"""Scheduled online backups in the running till: when the next one is due, that it runs while
sales go on, and that its copy restores to a database whose journal verifies."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pos_app.adapters.db.backup import check_backup, restore
from pos_app.adapters.db.backup_schedule import (
    BackupScheduler,
    newest_backup,
    next_due,
    start_backup_schedule,
)
from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.domain.tenders import Tender
from pos_app.services.journal import verify

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
FIVE_MIN = timedelta(minutes=5)


def test_next_due_follows_the_newest_backup() -> None:
    assert next_due(NOW, None, DAY, FIVE_MIN) == NOW + FIVE_MIN  # never backed up: soon
    assert next_due(NOW, NOW - timedelta(hours=2), DAY, FIVE_MIN) == NOW + timedelta(hours=22)
    # Off all night, the last one two days old: soon after start, not at once.
    assert next_due(NOW, NOW - 2 * DAY, DAY, FIVE_MIN) == NOW + FIVE_MIN


def test_newest_backup_reads_the_folder(tmp_path: Path) -> None:
    assert newest_backup(tmp_path / "missing") is None
    (tmp_path / "till-20261124T020000-z-close.db").write_bytes(b"x")
    os.utime(tmp_path / "till-20261124T020000-z-close.db", (1_700_000_000, 1_700_000_000))
    (tmp_path / "notes.txt").write_text("not a backup")
    assert newest_backup(tmp_path) == datetime.fromtimestamp(1_700_000_000, UTC)


def _wait(cond: Any, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_scheduled_backup_while_selling_restores_and_verifies(till: Any, tmp_path: Path) -> None:
    second = tmp_path / "usb-stick"
    with till.uow:
        till.uow.settings.put("backup_second_location", str(second))
        till.uow.commit()
    cashier = till.users.authenticate("admin", "7391")
    till.shifts.open(cashier, 0)
    stop = threading.Event()
    sold: list[int] = []

    def sell() -> None:
        while not stop.is_set() and len(sold) < 200:
            s = till.sales.new_sale(cashier)
            till.sales.scan(s, "6901234567908")
            till.checkout.pay(s, Tender.parse("cash"), 9900, None)
            sold.append(till.checkout.complete(s)["receipt_no"])

    seller = threading.Thread(target=sell)
    sched = start_backup_schedule(till.backups, first_delay_s=0.3)
    assert sched is not None
    try:
        assert sched.interval == DAY
        seller.start()
        _wait(lambda: sched.runs >= 1)
    finally:
        stop.set()
        seller.join(timeout=30)
        sched.shutdown()
    assert sched.last_error is None and sched.last_ok
    assert not seller.is_alive() and sold
    [copy] = sorted(till.paths.backups_dir.glob("till-*-scheduled.db"))
    assert (second / copy.name).is_file()  # the second location got the same copy
    check_backup(copy)
    # The next run waits a whole interval after this backup.
    assert sched.next_run() is None or sched.next_run() > datetime.now(UTC) + DAY / 2

    target = tmp_path / "restored" / "till.db"
    target.parent.mkdir()
    restore(copy, target, NOW)
    db = open_database(target)
    try:
        result = verify(SqliteUnitOfWork(db.conn))
        assert result.ok, result.problems
        assert 0 < result.receipts <= len(sold)  # a consistent cut: no half-written sale
    finally:
        db.close()


def test_a_failing_backup_is_recorded_and_the_schedule_goes_on(tmp_path: Path) -> None:
    calls = 0

    def fail() -> list[Path]:
        nonlocal calls
        calls += 1
        raise OSError(28, "No space left on device")

    sched = BackupScheduler(fail, tmp_path, interval_s=0.2, first_delay_s=0.05)
    sched.start()
    try:
        _wait(lambda: sched.runs >= 2)
    finally:
        sched.shutdown()
    assert "No space left" in (sched.last_error or "") and sched.last_ok is None


def test_interval_zero_switches_it_off(till: Any) -> None:
    with till.uow:
        till.uow.settings.put("backup_interval_hours", "0")
        till.uow.commit()
    assert start_backup_schedule(till.backups) is None


def test_a_positive_interval_is_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        BackupScheduler(lambda: [], tmp_path, 0)
