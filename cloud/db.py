"""The cloud's database: one small layer over SQLite (default) and PostgreSQL (psycopg 3).

SQL is written once with `?` placeholders and the portable subset both engines share
(INSERT … ON CONFLICT DO NOTHING, RETURNING).  SQLite gets one connection used under a lock
(writes serialize anyway); PostgreSQL gets a small pool of connections, and a device's
batches serialize on `SELECT … FOR UPDATE` of its row.

Opening a database brings it to this program's schema first (cloud.storage.migrate: the
Alembic migrations under a lock); the tables are defined in cloud/storage/schema.py.
"""

from __future__ import annotations

import queue
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from .storage.migrate import Migrated, upgrade_postgres, upgrade_sqlite


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Tx:
    """A transaction: `execute(sql with ?, params)`."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self._conn = conn
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self.dialect == "postgres":
            sql = _to_pg(sql)
        cur: Cursor = self._conn.execute(sql, tuple(params))
        return cur

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if self.dialect == "postgres":
            with self._conn.cursor() as cur:
                cur.executemany(_to_pg(sql), rows)
        else:
            self._conn.executemany(sql, rows)

    def lock_device(self, device_id: str) -> None:
        """Serialize one device's batches (SQLite: the whole database is already locked)."""
        if self.dialect == "postgres":
            self.execute(
                "SELECT device_id FROM devices WHERE device_id = ? FOR UPDATE", (device_id,)
            )

    def lock_changes(self) -> None:
        # Cursor order must equal commit order, or a puller could skip a cursor that commits
        # after a higher one: publishers take one lock (SQLite: the write lock already does).
        if self.dialect == "postgres":
            self.execute("SELECT pg_advisory_xact_lock(7700)")


_PLACEHOLDER = re.compile(r"\?")


def _to_pg(sql: str) -> str:
    return _PLACEHOLDER.sub("%s", sql)


class CloudDB:
    dialect: str
    migrated: Migrated  # what opening it did to the schema (`guitai cloud migrate` reports it)

    def __init__(self, url: str, pool_size: int = 8) -> None:
        self.url = url
        self._closed = False
        if url.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgres"
            self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
            self._pool_size = pool_size
            self._made = 0
            self._made_lock = threading.Lock()
        else:
            self.dialect = "sqlite"
            path = url.removeprefix("sqlite:///") if url.startswith("sqlite:") else url
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._sqlite = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._sqlite.execute("PRAGMA journal_mode = WAL")
            self._sqlite.execute("PRAGMA synchronous = FULL")
            self._sqlite.execute("PRAGMA foreign_keys = ON")
            self._sqlite.execute("PRAGMA busy_timeout = 5000")
            self._lock = threading.RLock()
        try:
            self.migrate()
        except BaseException:
            self.close()  # a refused (newer) database is left as it was, and not held open
            raise

    def migrate(self) -> Migrated:
        """Bring the database to this program's schema (the Alembic migrations, under the
        migration lock); refuses one a newer cloud wrote (CloudSchemaTooNew)."""
        if self.dialect == "postgres":
            self.migrated = upgrade_postgres(self.url)
        else:
            with self._lock:
                self.migrated = upgrade_sqlite(self._sqlite, self.url)
        return self.migrated

    def ping(self, timeout_s: int = 2) -> None:
        """A trivial query on a connection of its own, bounded by `timeout_s`: raises when the
        database does not answer.  Not through the pool: a pool whose connections are all busy
        with ingest is a loaded database, not a dead one, and a probe must not queue behind
        them for 30 s.  SQLite opens the file afresh, read-only, so a file that vanished or
        became unreadable under the running cloud is noticed (the open connection still
        reads the old inode)."""
        if self.dialect == "postgres":
            import psycopg

            with psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=max(2, timeout_s),  # libpq's floor is 2 s
                options=f"-c statement_timeout={timeout_s * 1000}",
            ) as conn:
                conn.execute("SELECT 1").fetchone()
            return
        path = self.url.removeprefix("sqlite:///") if self.url.startswith("sqlite:") else self.url
        if path == ":memory:":
            with self._lock:
                self._sqlite.execute("SELECT 1").fetchone()
            return
        conn = sqlite3.connect(
            f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=timeout_s
        )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()

    def _pg_conn(self) -> Any:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            pass
        with self._made_lock:
            make = self._made < self._pool_size
            if make:
                self._made += 1
        if make:
            import psycopg

            return psycopg.connect(self.url, autocommit=False)
        return self._pool.get(timeout=30)

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        if self.dialect == "postgres":
            conn = self._pg_conn()
            ok = False
            try:
                yield Tx(conn, "postgres")
                conn.commit()
                ok = True
            finally:
                if not ok:
                    try:
                        conn.rollback()
                    except Exception:
                        conn.close()
                        with self._made_lock:
                            self._made -= 1
                        conn = None
                if conn is not None:
                    self._pool.put(conn)
        else:
            with self._lock:
                self._sqlite.execute("BEGIN IMMEDIATE")
                try:
                    yield Tx(self._sqlite, "sqlite")
                except BaseException:
                    self._sqlite.execute("ROLLBACK")
                    raise
                self._sqlite.execute("COMMIT")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.dialect == "postgres":
            while True:
                try:
                    self._pool.get_nowait().close()
                except queue.Empty:
                    break
        else:
            self._sqlite.close()
