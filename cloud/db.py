"""The cloud's database: one small layer over SQLite (default) and PostgreSQL (psycopg 3).

SQL is written once with `?` placeholders and the portable subset both engines share
(INSERT … ON CONFLICT DO NOTHING, RETURNING).  SQLite gets one connection used under a lock
(writes serialize anyway); PostgreSQL gets a psycopg_pool pool per process, every connection
with a statement timeout, and a device's batches serialize on `SELECT … FOR UPDATE` of its
row, so several worker processes can share one database (docs/cloud.md).

Opening a database brings it to this program's schema first (cloud.storage.migrate: the
Alembic migrations under a lock); the tables are defined in cloud/storage/schema.py.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from pos_app.domain.errors import GuitaiError

from .storage.bulk import insert_rows
from .storage.migrate import Migrated, upgrade_postgres, upgrade_sqlite
from .storage.settings import (
    DEFAULT_POOL_SIZE,
    DEFAULT_STATEMENT_TIMEOUT_MS,
    POOL_WAIT_S,
    env_int,
)


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Tx:
    """A transaction: `execute(sql with ?, params)`."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self._conn = conn
        self.dialect = dialect
        self._staged: list[Sequence[Any]] = []

    def execute(self, sql: str, params: Sequence[Any] = (), *, binary: bool = False) -> Cursor:
        """`binary`: PostgreSQL receives the parameters in binary form.  For lists (arrays)
        of text: psycopg escapes a text array element by element with a regular expression,
        which cost more than the rest of a 50-event batch together."""
        if self.dialect == "postgres":
            sql = _PLACEHOLDER.sub("%b" if binary else "%s", sql)
        cur: Cursor = self._conn.execute(sql, tuple(params))
        return cur

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if self.dialect == "postgres":
            with self._conn.cursor() as cur:
                cur.executemany(_to_pg(sql), rows)
        else:
            self._conn.executemany(sql, rows)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows: PostgreSQL's COPY (a row costs microseconds, where a pipelined
        INSERT each cost ~100 µs), SQLite's executemany."""
        cols = ", ".join(columns)
        if self.dialect == "postgres":
            with self._conn.cursor() as cur, cur.copy(f"COPY {table}({cols}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self._conn.executemany(f"INSERT INTO {table}({cols}) VALUES ({marks})", rows)

    def lock_device(self, device_id: str) -> None:
        """Serialize with one device's batches, which read its row FOR UPDATE (ingest.py):
        the join's claims (members/claims.py).  SQLite: the whole database is locked."""
        if self.dialect == "postgres":
            self.execute(
                "SELECT device_id FROM devices WHERE device_id = ? FOR UPDATE", (device_id,)
            )

    def stage_changes(self, rows: Sequence[Sequence[Any]]) -> None:
        """Rows of `changes` (kind, op, key, data, store_id, at) published in this
        transaction, written by write_changes, which CloudDB.tx runs as its last statements:
        the feed's locks are then held from them to the commit only (changelog.py)."""
        self._staged.extend(rows)

    def write_changes(self, *, chain_wide: bool = False) -> None:
        """The staged changes, in the order they were staged, under the feed's locks for
        their stores (`chain_wide`: under the lock of every store, for a change written by
        a statement of its own next)."""
        rows, self._staged = self._staged, []
        if not rows:
            if chain_wide:
                self.lock_changes(None)
            return
        stores = {r[4] for r in rows}
        self.lock_changes(None if chain_wide or None in stores else sorted(stores))
        insert_rows(
            self,
            "INSERT INTO changes(kind, op, key, data, store_id, at) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    def lock_changes(self, stores: Sequence[str] | None = None) -> None:
        """A till must never see a cursor commit after a higher one it can see: it would
        have moved past it.  So the changes a till sees commit in cursor order: writers of
        one store's changes hold that store's lock (and the chain's in shared mode) from
        taking their cursors to the commit; writers of changes for every store (`stores`
        None) hold the chain's lock exclusively.  Pushes of different stores then do not
        wait for each other's commit.  A transaction takes its locks once, in one order
        (chain, then stores sorted), so two never wait for each other (SQLite: the write
        lock already serializes transactions)."""
        if self.dialect != "postgres":
            return
        if stores is None:
            self.execute("SELECT pg_advisory_xact_lock(7700)")
        elif len(stores) == 1:
            self.execute(
                "SELECT pg_advisory_xact_lock_shared(7700), "
                "pg_advisory_xact_lock(7701, hashtext(?))",
                (stores[0],),
            )
        else:
            self.execute("SELECT pg_advisory_xact_lock_shared(7700)")
            for store in stores:
                self.execute("SELECT pg_advisory_xact_lock(7701, hashtext(?))", (store,))


_PLACEHOLDER = re.compile(r"\?")


def _to_pg(sql: str) -> str:
    return _PLACEHOLDER.sub("%s", sql)


# A pooled connection given back less than this long ago is handed out again unchecked.
# HikariCP's aliveBypassWindowMs (500 ms) is the same rule: a connection in constant use is
# known alive, and checking it cost an empty round trip per transaction; one that sat idle
# (across a database restart or failover, which take longer than this) is checked first.
CHECK_IDLE_S = 0.5


class _CheckWhenIdle:
    """The pool's `check`: a connection is checked on checkout only when it has been idle
    for CHECK_IDLE_S.  CloudDB.tx notes when each transaction ends (not the pool's `reset`
    callback: with one, psycopg_pool hands every returned connection to a worker thread)."""

    def __init__(self) -> None:
        self._returned: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()

    def used(self, conn: Any) -> None:
        self._returned[conn] = time.monotonic()

    def check(self, conn: Any) -> None:
        at = self._returned.get(conn)
        if at is None or time.monotonic() - at >= CHECK_IDLE_S:
            from psycopg_pool import ConnectionPool

            ConnectionPool.check_connection(conn)


class DatabaseUnavailable(GuitaiError):
    code = "database_unavailable"


def _reachable(url: str, statement_timeout_ms: int) -> None:
    """Connect once, directly, before the pool opens: an unreachable server or a wrong URL is
    one clear error at once, not a pool retrying in the background for POOL_WAIT_S."""
    import psycopg

    try:
        psycopg.connect(
            url, connect_timeout=10, options=f"-c statement_timeout={statement_timeout_ms}"
        ).close()
    except psycopg.Error as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DatabaseUnavailable(
            f"PostgreSQL does not answer ({reason}): check that the server runs and that "
            "--database-url names its host, port, user and database, then run again",
            f"PostgreSQL 无响应（{reason}）：请确认数据库服务器正在运行，且 --database-url 中的"
            "主机、端口、用户和数据库名正确，然后重试",
        ) from err


class CloudDB:
    dialect: str
    migrated: Migrated  # what opening it did to the schema (`guitai cloud migrate` reports it)

    def __init__(
        self,
        url: str,
        pool_size: int | None = None,
        statement_timeout_ms: int | None = None,
    ) -> None:
        self.url = url
        self._closed = False
        self.pool_size = (
            pool_size if pool_size is not None else env_int("GUITAI_CLOUD_POOL_SIZE", 0)
        ) or DEFAULT_POOL_SIZE
        self.statement_timeout_ms = (
            statement_timeout_ms
            if statement_timeout_ms is not None
            else env_int("GUITAI_CLOUD_STATEMENT_TIMEOUT_MS", DEFAULT_STATEMENT_TIMEOUT_MS)
        )
        if url.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgres"
            from psycopg_pool import ConnectionPool

            # min_size=1: a worker keeps one connection warm; the rest are opened on demand
            # and closed after max_idle, so N idle workers do not hold N×pool_size backends.
            self._idle = _CheckWhenIdle()
            self._pool: Any = ConnectionPool(
                url,
                min_size=1,
                max_size=self.pool_size,
                kwargs={
                    "autocommit": False,
                    # per connection, set by the server at connect: no extra round trip
                    "options": f"-c statement_timeout={self.statement_timeout_ms}",
                },
                # A connection handed out after CHECK_IDLE_S idle is checked first (one empty
                # round trip): after a database restart or failover no request fails on a
                # stale connection.
                check=self._idle.check,
                timeout=POOL_WAIT_S,
                max_idle=300,
                name="cloud",
                open=False,
            )
            _reachable(url, self.statement_timeout_ms)
            self._pool.open(wait=True, timeout=POOL_WAIT_S)
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
            self.close()  # a refused (newer) database is left as it was, and no pool threads
            # or connections are left behind by a failed start
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
        """A trivial query bounded by `timeout_s`: raises when the database does not answer.

        PostgreSQL: through the pool (a probe must see what requests see: a pool that cannot
        connect is not ready), but only for a short wait; when every pooled connection is
        busy with ingest the database is loaded, not dead, so the probe then asks on a
        connection of its own rather than queue behind them and report a busy worker as
        unready.  SQLite opens the file afresh, read-only, so a file that vanished or became
        unreadable under the running cloud is noticed (the open connection still reads the
        old inode)."""
        if self.dialect == "postgres":
            import psycopg
            from psycopg_pool import PoolTimeout

            try:
                with self._pool.connection(timeout=min(0.5, timeout_s)) as conn:
                    conn.execute(f"SET LOCAL statement_timeout = {timeout_s * 1000}")
                    conn.execute("SELECT 1").fetchone()
                return
            except PoolTimeout:
                # No pooled connection within the short wait: all busy, or none can be made
                # (server down); a connection of our own tells which.
                pass
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

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        if self.dialect == "postgres":
            # The pool's connection block commits on success and rolls back on an exception
            # (an ApiError too), and the pool discards a broken connection (server restart,
            # network cut), so a failed request never poisons the next one.
            with self._pool.connection() as conn:
                tx = Tx(conn, "postgres")
                yield tx
                tx.write_changes()
                self._idle.used(conn)  # it answered: alive (the commit follows on exit)
        else:
            with self._lock:
                self._sqlite.execute("BEGIN IMMEDIATE")
                try:
                    tx = Tx(self._sqlite, "sqlite")
                    yield tx
                    tx.write_changes()
                except BaseException:
                    self._sqlite.execute("ROLLBACK")
                    raise
                self._sqlite.execute("COMMIT")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.dialect == "postgres":
            self._pool.close()  # joins the pool's worker threads
        else:
            self._sqlite.close()
