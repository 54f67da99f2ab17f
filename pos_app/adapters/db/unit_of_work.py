"""The unit of work on SQLite (the port: pos_app/services/unit_of_work.py).

It owns the till's one writing connection, used from the connection's database thread alone
(writer_thread.DbThread): device, sync and scheduler threads submit their units of work to that
thread, so a device write can never land inside a sale's transaction.

The outermost `with uow:` runs BEGIN IMMEDIATE, so the receipt number is taken under SQLite's
write lock and stays gap-free; `commit()` runs COMMIT.  A nested `with uow:` opens a SAVEPOINT:
its `commit()` releases it, leaving it without commit rolls back to it.  sqlite-utils has no savepoint helper, so the three statements are here.

Disk errors (full, read-only, I/O) come out as the errors of storage_errors.py, after the
transaction is rolled back: nothing is half-written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from .repositories.audit import SqliteAudit
from .repositories.catalog import SqliteCatalog
from .repositories.devices import SqliteDevices
from .repositories.journal import SqliteJournal
from .repositories.members import SqliteMembers
from .repositories.outbox import SqliteOutbox
from .repositories.payments import SqlitePaymentAttempts
from .repositories.sales import SqliteSales
from .repositories.settings import SqliteSettings
from .repositories.shifts import SqliteShifts
from .repositories.stock import SqliteStockRepo
from .repositories.suspended import SqliteSuspended
from .repositories.users import SqliteUsers
from .storage_errors import storage_error
from .writer_thread import DbThread


@dataclass
class _Frame:
    savepoint: str | None  # None: the outermost transaction
    done: bool = False  # committed or rolled back


class SqliteUnitOfWork:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        thread = getattr(conn, "thread", None)
        # The connection's database thread (connection.GuitaiConnection); a plain connection
        # (a tool's) gets one of its own, never started.
        self.thread: DbThread = thread if thread is not None else DbThread()
        # The transaction and its savepoints, innermost last; only the database thread
        # touches them.  Kept on the connection: two units of work on one connection (a tool's
        # beside the till's) join one transaction instead of beginning a second.
        frames = getattr(conn, "uow_frames", None)
        self._frames: list[_Frame] = frames if frames is not None else []
        self.settings = SqliteSettings(conn)
        self.users = SqliteUsers(conn)
        self.shifts = SqliteShifts(conn)
        self.journal = SqliteJournal(conn)
        self.outbox = SqliteOutbox(conn)
        self.sales = SqliteSales(conn)
        self.audit = SqliteAudit(conn)
        self.suspended = SqliteSuspended(conn)
        self.payments = SqlitePaymentAttempts(conn)
        self.catalog = SqliteCatalog(conn)
        self.members = SqliteMembers(conn)
        self.devices = SqliteDevices(conn)
        self.stock = SqliteStockRepo(conn, self.settings, self.outbox)

    def __enter__(self) -> Self:
        # Refused off the database thread once it runs; before that (a tool, a test), the
        # callers take turns on the connection.
        self.thread.take_turn()
        try:
            if self._frames:
                name = f"uow_{len(self._frames)}"
                self.conn.execute(f"SAVEPOINT {name}")
                self._frames.append(_Frame(name))
            else:
                if self.conn.in_transaction:
                    # Someone began a transaction on the one writing connection without the
                    # unit of work: joining it would mix our writes into theirs.
                    raise RuntimeError(
                        "a transaction is already open on the till's database connection: "
                        "every writer must go through the unit of work"
                    )
                self._begin()
                self._frames.append(_Frame(None))
        except BaseException:
            self.thread.end_turn()
            raise
        return self

    def _begin(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            mapped = storage_error(err)
            if mapped is None:
                raise
            raise mapped from err

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        frame = self._frames[-1]
        try:
            if not frame.done:
                self._undo(frame)
        finally:
            self._frames.pop()
            self.thread.end_turn()
        if exc is not None and frame.savepoint is None:
            mapped = storage_error(exc)
            if mapped is not None:
                raise mapped from exc

    def commit(self) -> None:
        frame = self._current()
        if frame.savepoint is not None:
            self.conn.execute(f"RELEASE {frame.savepoint}")
            frame.done = True
            return
        try:
            self.conn.execute("COMMIT")
        except BaseException as err:
            self._undo(frame)
            mapped = storage_error(err)
            if mapped is None:
                raise
            raise mapped from err
        frame.done = True

    def rollback(self) -> None:
        self._undo(self._current())

    def _current(self) -> _Frame:
        if not self._frames:
            raise RuntimeError("commit() or rollback() outside `with uow:`")
        frame = self._frames[-1]
        if frame.done:
            raise RuntimeError("this unit of work was already committed or rolled back")
        return frame

    def _undo(self, frame: _Frame) -> None:
        frame.done = True
        if not self.conn.in_transaction:
            return  # SQLite already rolled back (after SQLITE_FULL or an I/O error)
        if frame.savepoint is None:
            self.conn.execute("ROLLBACK")
        else:
            self.conn.execute(f"ROLLBACK TO {frame.savepoint}")
            self.conn.execute(f"RELEASE {frame.savepoint}")
