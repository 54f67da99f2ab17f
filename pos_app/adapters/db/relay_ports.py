"""The sync ports (pos_app.domain.ports: OutboxStore, ChangeSink, SyncState) on the unit of work.

The relay runs on the scheduler's thread; the till's writing connection belongs to its database
thread (writer_thread.DbThread), so each method here runs there: each write is one unit of work
after a sale's, and no statement of ours runs beside a sale's transaction (its COMMIT would fail
with "SQL statements in progress").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pos_app.domain.ports import Change, Clock, OutboxEvent, Rejection

from .repositories.outbox import SqliteChangeSink, SqliteSyncState
from .unit_of_work import SqliteUnitOfWork
from .writer_thread import on_db_thread


class RelayOutbox:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self.uow = uow
        self.thread = uow.thread

    @on_db_thread
    def pending(self, limit: int, max_bytes: int, now: datetime) -> Sequence[OutboxEvent]:
        return self.uow.outbox.pending(limit, max_bytes, now)

    @on_db_thread
    def mark_sent(self, ids: Sequence[str], at: datetime) -> None:
        with self.uow:
            self.uow.outbox.mark_sent(ids, at)
            self.uow.commit()

    @on_db_thread
    def mark_failed(self, ids: Sequence[str], error: str, retry_at: datetime) -> None:
        with self.uow:
            self.uow.outbox.mark_failed(ids, error, retry_at)
            self.uow.commit()

    @on_db_thread
    def dead_letter(self, rejections: Sequence[Rejection], at: datetime) -> None:
        with self.uow:
            self.uow.outbox.dead_letter(rejections, at)
            self.uow.commit()

    @on_db_thread
    def requeue_dead(self, ids: Sequence[str] | None = None) -> int:
        """Put dead letters back in the queue (after the cause was fixed in the cloud)."""
        with self.uow:
            n = self.uow.outbox.requeue_dead(ids)
            self.uow.commit()
        return n

    @on_db_thread
    def stats(self, now: datetime) -> Mapping[str, Any]:
        return self.uow.outbox.stats(now)


class RelaySyncState:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self.uow = uow
        self.thread = uow.thread
        self.repo = SqliteSyncState(uow.conn)

    @on_db_thread
    def get(self, key: str) -> str | None:
        return self.repo.get(key)

    @on_db_thread
    def put(self, key: str, value: str) -> None:
        with self.uow:
            self.repo.put(key, value)
            self.uow.commit()


class RelayChangeSink:
    """Applies a pulled page and its cursor in one unit of work; `now` stamps updated_at."""

    def __init__(self, uow: SqliteUnitOfWork, now: Clock | None = None) -> None:
        self.uow = uow
        self.thread = uow.thread
        self.repo = SqliteChangeSink(uow.conn, now)

    @on_db_thread
    def cursor(self) -> str | None:
        return self.repo.cursor()

    @on_db_thread
    def apply_page(self, changes: Sequence[Change], next_cursor: str) -> None:
        with self.uow:
            self.repo.apply_page(changes, next_cursor)
            self.uow.commit()
