"""The cloud's database: one small layer over SQLite (default) and PostgreSQL (psycopg 3).

SQL is written once with `?` placeholders and the portable subset both engines share
(INSERT … ON CONFLICT DO NOTHING, RETURNING).  SQLite gets one connection used under a lock
(writes serialize anyway); PostgreSQL gets a small pool of connections, and a device's
batches serialize on `SELECT … FOR UPDATE` of its row.
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

from .stock import STOCK_SCHEMA

SCHEMA = """
CREATE TABLE IF NOT EXISTS stores (
  store_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS enrollment_codes (
  code TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES stores(store_id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  used_by TEXT
);
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES stores(store_id),
  till_no INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  public_key TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  serial TEXT NOT NULL DEFAULT '',
  app_version TEXT NOT NULL DEFAULT '',
  enrolled_at TEXT NOT NULL,
  revoked_at TEXT,
  last_seen_at TEXT,
  contiguous_seq BIGINT NOT NULL DEFAULT 0,
  max_seq BIGINT NOT NULL DEFAULT 0,
  chain_head TEXT NOT NULL DEFAULT ''         -- '' = genesis (32 zero bytes)
);
CREATE UNIQUE INDEX IF NOT EXISTS devices_active_till ON devices(store_id, till_no)
  WHERE revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS devices_key_id ON devices(key_id);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,                     -- the till's event id: the idempotency key
  device_id TEXT NOT NULL REFERENCES devices(device_id),
  seq BIGINT NOT NULL,
  type TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_entry_hash TEXT,
  entry_hash TEXT,
  receipt_no BIGINT,
  total_fen BIGINT,
  status TEXT NOT NULL,                    -- accepted | rejected
  reject_code TEXT,
  reject_reason TEXT,
  UNIQUE (device_id, seq)
);
CREATE INDEX IF NOT EXISTS events_receipt ON events(device_id, receipt_no);
CREATE TABLE IF NOT EXISTS nonces (
  device_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  created BIGINT NOT NULL,
  PRIMARY KEY (device_id, nonce)
);
CREATE TABLE IF NOT EXISTS changes (
  cursor {serial},
  kind TEXT NOT NULL,
  op TEXT NOT NULL,
  key TEXT NOT NULL,
  data TEXT NOT NULL,
  store_id TEXT,                           -- NULL: every store
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS products (
  style TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS prices (
  sku TEXT PRIMARY KEY,
  price_fen BIGINT NOT NULL,
  member_price_fen BIGINT,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
  id TEXT PRIMARY KEY,
  phone TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  tier TEXT NOT NULL DEFAULT 'ordinary',
  points BIGINT NOT NULL DEFAULT 0,
  data TEXT NOT NULL DEFAULT '{{}}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS coupons (
  code TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS config (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stored_value_ledger (
  id {serial},
  member_id TEXT NOT NULL REFERENCES members(id),
  delta_fen BIGINT NOT NULL,
  reference TEXT NOT NULL DEFAULT '',
  device_id TEXT,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sv_member ON stored_value_ledger(member_id);
CREATE TABLE IF NOT EXISTS idempotency (
  device_id TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (device_id, key)
)
"""


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
        self.migrate()

    def migrate(self) -> None:
        serial = (
            "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            if self.dialect == "postgres"
            else "INTEGER PRIMARY KEY AUTOINCREMENT"
        )
        with self.tx() as tx:
            if self.dialect == "postgres":
                tx.execute("SELECT pg_advisory_xact_lock(7701)")
            for stmt in (SCHEMA + ";" + STOCK_SCHEMA).format(serial=serial).split(";"):
                if stmt.strip():
                    tx.execute(stmt)
            from .members_ledger import migrate_members  # the member ledger's tables
            from .rejections import REJECTIONS_SCHEMA

            migrate_members(tx, serial)
            for stmt in REJECTIONS_SCHEMA.format(serial=serial).split(";"):
                if stmt.strip():
                    tx.execute(stmt)

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
