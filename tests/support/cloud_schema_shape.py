"""The shape of a cloud database as SQLAlchemy's inspector reads it, in a form two engines'
spellings of one schema compare equal in (a PostgreSQL default `''::text` is SQLite's `''`).

Used to hold the Alembic-made schema against the one the hand-rolled code made before
(tests/fixtures/cloud-schema-pre-alembic.json, written by that code).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

# Alembic's own bookkeeping, not the cloud's schema.
_IGNORED = {"alembic_version", "sqlite_sequence"}


def _default(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"::[a-z ]+$", "", str(value))  # PostgreSQL's cast: ''::text
    return text.strip("()") if text.startswith("(") else text


def _where(index: dict[str, Any]) -> str | None:
    opts = index.get("dialect_options") or {}
    where = opts.get("postgresql_where") or opts.get("sqlite_where")
    if where is None:
        return None
    return re.sub(r"[()\s]", "", str(where)).lower()


def schema_shape(url: str) -> dict[str, Any]:
    """Tables → columns (type, nullable, default, autoincrementing key), primary key, unique
    constraints, indexes (with a partial index's WHERE) and foreign keys."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            raw_sql: dict[str, str] = {}
            if conn.dialect.name == "sqlite":
                raw_sql = {
                    str(n): str(s or "")
                    for n, s in conn.exec_driver_sql(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                    )
                }
            shape: dict[str, Any] = {}
            for table in sorted(set(insp.get_table_names()) - _IGNORED):
                pk = insp.get_pk_constraint(table)["constrained_columns"]
                cols = []
                for c in insp.get_columns(table):
                    identity = bool(c.get("identity")) or (
                        c["name"] in pk
                        and len(pk) == 1
                        and "AUTOINCREMENT" in raw_sql.get(table, "").upper()
                    )
                    cols.append(
                        {
                            "name": c["name"],
                            "type": str(c["type"]).replace("DOUBLE_PRECISION", "DOUBLE PRECISION"),
                            "nullable": bool(c["nullable"]) and c["name"] not in pk,
                            "default": None if identity else _default(c.get("default")),
                            "identity": identity,
                        }
                    )
                shape[table] = {
                    "columns": cols,
                    "primary_key": list(pk),
                    "unique": sorted(
                        list(u["column_names"]) for u in insp.get_unique_constraints(table)
                    ),
                    "indexes": sorted(
                        (
                            {
                                "name": i["name"],
                                "columns": list(i["column_names"]),
                                "unique": bool(i["unique"]),
                                "where": _where(dict(i)),
                            }
                            for i in insp.get_indexes(table)
                            # PostgreSQL lists a UNIQUE constraint's index too; SQLite does not
                            if not i.get("duplicates_constraint")
                        ),
                        key=lambda i: str(i["name"]),
                    ),
                    "foreign_keys": sorted(
                        [
                            list(f["constrained_columns"]),
                            f["referred_table"],
                            list(f["referred_columns"]),
                        ]
                        for f in insp.get_foreign_keys(table)
                    ),
                }
            return shape
    finally:
        engine.dispose()


def sa_url(url: str) -> str:
    """A CloudDB url (a path, sqlite:///…, postgresql://…) as SQLAlchemy spells it."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:"):
        return url
    return "sqlite:///" + url
