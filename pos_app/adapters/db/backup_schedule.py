"""Scheduled online backups while the till runs (APScheduler 3, one background thread).

Store PCs are switched off at night, so a fixed clock time would often be missed.  Instead the
next backup is due `interval` after the newest backup in the folder (a manual or Z-close
backup counts too), and at the earliest a few minutes after start so that start-up stays fast
and a till that keeps restarting does not back up on every start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pos_app.adapters.backups import Backups

log = logging.getLogger(__name__)

FIRST_DELAY_S = 300.0


def newest_backup(folder: Path) -> datetime | None:
    """When the newest backup in the folder was written (its file time)."""
    try:
        times = [p.stat().st_mtime for p in folder.glob("till-*.db")]
    except OSError:
        return None
    return datetime.fromtimestamp(max(times), UTC) if times else None


def next_due(
    now: datetime, newest: datetime | None, interval: timedelta, first_delay: timedelta
) -> datetime:
    earliest = now + first_delay
    if newest is None:
        return earliest
    return max(earliest, newest + interval)


class BackupScheduler:
    """`start()`, then `shutdown()` on exit.  `run_backup()` writes one backup (Till.backup)."""

    def __init__(
        self,
        run_backup: Callable[[], list[Path]],
        folder: Path,
        interval_s: float,
        *,
        first_delay_s: float = FIRST_DELAY_S,
    ) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._run_backup = run_backup
        self.folder = folder
        self.interval = timedelta(seconds=interval_s)
        self.first_delay = timedelta(seconds=first_delay_s)
        # The backup reads a WAL snapshot through a connection of its own (backup.py), so
        # sales go on during the copy; its one read of the writing connection (the second
        # folder's setting) is handed to the database thread (adapters/backups.py).
        self.last_ok: str | None = None
        self.last_error: str | None = None
        self.runs = 0
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600},
        )

    def _run(self) -> None:
        try:
            written = self._run_backup()
            self.last_ok = datetime.now(UTC).isoformat(timespec="seconds")
            self.last_error = None
            log.info("scheduled backup written: %s", ", ".join(str(p) for p in written))
        except Exception as err:  # a full disk must never stop the till or the scheduler
            self.last_error = f"{type(err).__name__}: {err}"
            log.exception("scheduled backup failed")
        finally:
            self.runs += 1

    def start(self) -> datetime:
        now = datetime.now(UTC)
        due = next_due(now, newest_backup(self.folder), self.interval, self.first_delay)
        self._scheduler.add_job(
            self._run,
            "interval",
            seconds=self.interval.total_seconds(),
            id="backup",
            next_run_time=due,
        )
        self._scheduler.start()
        log.info("scheduled backups every %s, next at %s", self.interval, due.isoformat())
        return due

    def next_run(self) -> datetime | None:
        job = self._scheduler.get_job("backup")
        return None if job is None else job.next_run_time

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)


def start_backup_schedule(backups: Backups, **kw: Any) -> BackupScheduler | None:
    """The running till's scheduled backups, from the `backup_interval_hours` setting
    (default 24; 0 switches them off).  None when switched off."""
    raw = backups.uow.thread.call(lambda: backups.uow.settings.get("backup_interval_hours"))
    try:
        hours = float(raw) if raw not in (None, "") else 24.0
    except ValueError:
        log.warning("backup_interval_hours=%r is not a number: using 24", raw)
        hours = 24.0
    if hours <= 0:
        log.info("scheduled backups are switched off (backup_interval_hours=0)")
        return None
    sched = BackupScheduler(
        lambda: backups.backup("scheduled"),
        backups.paths.backups_dir,
        hours * 3600,
        **kw,
    )
    sched.start()
    return sched
