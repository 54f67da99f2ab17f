"""The till's online backups (`guitai backup`, before every Z close, the nightly schedule)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pos_app.adapters.db.store import SqliteStore
from pos_app.config import Paths
from pos_app.domain.ports import Clock


class Backups:
    def __init__(self, paths: Paths, conn: sqlite3.Connection, store: SqliteStore, clock: Clock):
        self.paths = paths
        self.conn = conn
        self.store = store
        self.clock = clock

    def backup(self, reason: str, folders: list[Path] | None = None) -> list[Path]:
        from pos_app.adapters.db.backup import backup

        if folders is None:
            folders = [self.paths.backups_dir]
            with self.store.lock:  # the scheduler's thread: never beside a sale's statements
                second = self.store.setting("backup_second_location")
            if second:
                folders.append(Path(second))
        return backup(self.conn, folders, self.clock.now(), reason)
