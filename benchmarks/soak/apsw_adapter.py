"""Just enough of the sqlite3 connection API over an apsw connection for the till's own
store and services to run on it, so the power-loss soak cuts power under the till's real
transactions (the till itself uses sqlite3; apsw lets a test VFS sit under SQLite)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import apsw

from pos_app.adapters.db.writer_thread import DbThread


class Cursor:
    def __init__(self, conn: ApswConnection, cur: apsw.Cursor, rows: Iterator[Any]) -> None:
        self._conn = conn
        self._cur = cur
        self._rows = rows
        self.lastrowid = conn.raw.last_insert_rowid()
        self.rowcount = conn.raw.changes()

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return (tuple(r) for r in self._rows)

    def fetchone(self) -> tuple[Any, ...] | None:
        return next(iter(self), None)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(iter(self))

    def fetchmany(self, n: int = 1) -> list[tuple[Any, ...]]:
        out = []
        for r in iter(self):
            out.append(r)
            if len(out) >= n:
                break
        return out

    @property
    def description(self) -> Any:
        try:
            return [(d[0], None, None, None, None, None, None) for d in self._cur.description]
        except apsw.ExecutionCompleteError:
            return None

    def close(self) -> None:
        pass


class ApswConnection:
    """The parts of sqlite3.Connection that pos_app's unit of work, repositories and services
    use (with GuitaiConnection's database thread and unit-of-work frames)."""

    def __init__(self, path: Path, vfs: str, synchronous: str) -> None:
        self.raw = apsw.Connection(str(path), vfs=vfs)
        self.thread = DbThread()  # as connection.GuitaiConnection (never started here)
        self.uow_frames: list[Any] = []  # as connection.GuitaiConnection
        self.row_factory = None
        self.raw.execute("PRAGMA busy_timeout = 5000")
        self.raw.execute("PRAGMA foreign_keys = ON")
        self.raw.execute("PRAGMA journal_mode = WAL")
        self.raw.execute(f"PRAGMA synchronous = {synchronous}")

    def execute(self, sql: str, args: Iterable[Any] = ()) -> Cursor:
        cur = self.raw.cursor()
        rows = cur.execute(sql, tuple(args))
        buffered = iter(list(rows))  # sqlite3 steps a statement to its end on execute
        return Cursor(self, cur, buffered)

    def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> Cursor:
        cur = self.raw.cursor()
        total = 0
        for args in seq:
            list(cur.execute(sql, tuple(args)))
            total += self.raw.changes()
        c = Cursor(self, cur, iter(()))
        c.rowcount = total
        return c

    def cursor(self) -> ApswConnection:
        return self

    @property
    def in_transaction(self) -> bool:
        return not self.raw.get_autocommit()

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()


class ApswDatabase:
    """Stands where open_database()'s OpenDatabase stands for build()."""

    def __init__(self, path: Path, vfs: str, synchronous: str) -> None:
        self.path = path
        self.conn = ApswConnection(path, vfs, synchronous)

    def close(self) -> None:
        self.conn.close()
