"""Bringing a cloud database to this program's schema: the Alembic migrations in
cloud/migrations, up to their head, once, under a lock.

Two workers started together on one empty database must not both create the tables: the
whole upgrade runs in one transaction that first takes the migration lock (PostgreSQL: an
advisory lock, the same key the hand-rolled schema code used; SQLite: BEGIN EXCLUSIVE), and
reads the revision only once it holds it, so the second worker finds the database at head
and does nothing.  A database whose revision this program does not know was written by a
newer cloud: it is refused, untouched, as the till refuses a newer till database.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from pos_app.domain.errors import GuitaiError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
LOCK_KEY = 7701  # pg_advisory_xact_lock key of the cloud's schema changes


class CloudSchemaTooNew(GuitaiError):
    code = "cloud_schema_too_new"


@dataclass(frozen=True)
class Migrated:
    """What an upgrade did: revision before (None: no revision recorded) and after, and
    whether it adopted a database the hand-rolled schema code of before Alembic made."""

    from_revision: str | None
    to_revision: str
    adopted: bool

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision

    def as_dict(self) -> dict[str, Any]:
        return {
            "from_revision": self.from_revision,
            "to_revision": self.to_revision,
            "head": head(),
            "changed": self.changed,
            "adopted": self.adopted,
        }


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this program knows."""
    rev = _script().get_current_head()
    assert rev is not None  # cloud/migrations/versions always holds the baseline
    return rev


def sa_url(url: str) -> str:
    """A CloudDB url (postgresql://…) as SQLAlchemy spells it, with the psycopg 3 driver."""
    return "postgresql+psycopg://" + url.split("://", 1)[1]


class _Borrowed:
    """CloudDB's own SQLite connection lent to SQLAlchemy for the upgrade: one connection
    writes the file (ARCHITECTURE, SQLite rules), and CloudDB, not the engine, closes it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        object.__setattr__(self, "_conn", conn)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._conn, name, value)

    def close(self) -> None:
        pass


def upgrade_sqlite(conn: sqlite3.Connection, where: str) -> Migrated:
    """Upgrade the SQLite database open on `conn` (autocommit mode, as CloudDB opens it)."""
    engine = sa.create_engine(
        "sqlite://", creator=lambda: _Borrowed(conn), poolclass=sa.pool.NullPool
    )

    @sa.event.listens_for(engine, "begin")
    def _exclusive(connection: sa.Connection) -> None:
        # the file's write lock for the whole upgrade: another process waits, then finds head
        connection.exec_driver_sql("BEGIN EXCLUSIVE")

    try:
        return _upgrade(engine, where)
    finally:
        engine.dispose()


def upgrade_postgres(url: str) -> Migrated:
    """Upgrade the PostgreSQL database at `url` on a connection of its own."""
    # client_encoding: a cluster made without -E UTF8 (SQL_ASCII) would hand SQLAlchemy bytes
    engine = sa.create_engine(
        sa_url(url), poolclass=sa.pool.NullPool, connect_args={"client_encoding": "utf8"}
    )
    try:
        where = sa.make_url(url).render_as_string(hide_password=True)
        return _upgrade(engine, where, lock=f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
    finally:
        engine.dispose()


def _upgrade(engine: sa.Engine, where: str, lock: str | None = None) -> Migrated:
    with engine.connect() as conn, conn.begin():
        if lock:
            conn.exec_driver_sql(lock)
        current = MigrationContext.configure(conn).get_current_revision()
        if current is not None and current not in {s.revision for s in _script().walk_revisions()}:
            raise CloudSchemaTooNew(
                f"The cloud database {where} was written by a newer Guitai cloud (schema "
                f"revision {current}; this cloud knows up to {head()}). Upgrade the cloud "
                "(pip install -U 'guitai[cloud]') on every worker; this program will not touch it",
                f"云端数据库 {where} 由更新版本的柜台云端写入（结构版本 {current}，本程序最高为 "
                f"{head()}）。请在每个工作进程上升级云端（pip install -U 'guitai[cloud]'）；"
                "本程序不会改动它",
            )
        adopted = current is None and sa.inspect(conn).has_table("events")
        if current != head():
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    return Migrated(from_revision=current, to_revision=head(), adopted=adopted)
