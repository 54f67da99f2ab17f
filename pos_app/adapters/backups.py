"""The till's online backups (`guitai backup`, before every Z close, the nightly schedule)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.config import Paths
from pos_app.domain.ports import Clock


class Backups:
    def __init__(
        self, paths: Paths, conn: sqlite3.Connection, uow: SqliteUnitOfWork, clock: Clock
    ) -> None:
        self.paths = paths
        self.conn = conn
        self.uow = uow
        self.clock = clock

    def backup(self, reason: str, folders: list[Path] | None = None) -> list[Path]:
        from pos_app.adapters.db.backup import backup

        if folders is None:
            folders = [self.paths.backups_dir]
            # From the scheduler's thread too: the read runs on the database thread.
            second = self.uow.thread.call(lambda: self.uow.settings.get("backup_second_location"))
            if second:
                folders.append(Path(second))
        return backup(self.conn, folders, self.clock.now(), reason)
