"""Many rows in one statement: `INSERT INTO t(cols) VALUES (?, …) [ON CONFLICT …]` for a
whole batch of rows.

PostgreSQL: the columns go as arrays through `unnest`, in binary, so the statement's text is
the same whatever the number of rows: psycopg converts it once and the server prepares and
plans it once.  A row per statement (executemany, even pipelined) cost a statement each on
both sides (a 50-sale batch's return ledger was ~230 of them, the costliest step of a push),
and a multi-row `VALUES (…), (…)` was a new text, parsed and planned afresh, for every size
of batch.  The array types come from the table's definition (schema.py), so a caller writes
the statement once, as for SQLite.  `unnest` yields the rows in the order given, so callers
that sort rows to lock them in key order keep that order.

The rows themselves go as ONE parameter, a JSON array of arrays written by orjson (C) and
read by `jsonb_array_elements`, each value cast to its column's type: psycopg dumped the
arrays element by element in Python, the costliest part of a bulk insert's client side.
`jsonb_array_elements` yields the elements in the array's order, as unnest did.  Rows JSON
cannot carry as the arrays did (a value other than str, int or None; an int beyond 64 bits; a
lone surrogate; a NUL character, which PostgreSQL's text refuses on both paths) go as arrays
through unnest, as before.

SQLite: multi-row VALUES in chunks (one statement per chunk) or executemany.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, Protocol

import orjson
from sqlalchemy.dialects import postgresql

from .schema import metadata


class Tx(Protocol):
    """What a batch's insert needs of cloud.db.Tx (typed here: the database layer imports
    this module, so this module may not import it back)."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = (), *, binary: bool = False) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


_INSERT = re.compile(
    r"\s*INSERT INTO (\w+)\s*\(([^)]*)\)\s*VALUES\s*(\(\?(?:\s*,\s*\?)*\))", re.IGNORECASE
)
CHUNK = 500  # rows a SQLite statement: well inside its 32,766 parameters


@functools.cache
def _parts(sql: str) -> tuple[str, str, str, tuple[str, ...]]:
    """(the insert's head, the VALUES group, the tail, PostgreSQL's column types)."""
    m = _INSERT.match(sql)
    if m is None:
        raise ValueError(f"not an INSERT … VALUES (?, …) statement: {sql[:80]}")
    table = metadata.tables[m[1]]
    columns = [c.strip() for c in m[2].split(",")]
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    types = tuple(table.c[c].type.compile(dialect=dialect).lower() for c in columns)
    head, tail = sql[: m.start(3)], sql[m.end(3) :]
    return head, m[3], tail, types


@functools.cache
def _pg_statements(head: str, types: tuple[str, ...], tail: str) -> tuple[str, str]:
    """(the rows as one JSON parameter, the rows as a column array each) for `head`
    (`INSERT INTO t(cols) `) and `tail`."""
    values = ", ".join(f"(r->>{i})::{t}" for i, t in enumerate(types))
    arrays = ", ".join(f"?::{t}[]" for t in types)
    return (
        f"{head}SELECT {values} FROM jsonb_array_elements(?::jsonb) AS r{tail}",
        f"{head}SELECT * FROM unnest({arrays}){tail}",
    )


_PLAIN = frozenset((str, int, type(None)))


def _as_json(rows: Sequence[Sequence[Any]]) -> str | None:
    """The rows as one JSON array of arrays, or None where JSON would not carry them as the
    arrays did: a value other than str, int (bool excluded) or None (orjson would write a
    float or a bool otherwise than str() of it); what orjson refuses (an int beyond 64 bits,
    a lone surrogate); a NUL character (jsonb refuses it, as text refused it in the arrays:
    the arrays path keeps that error as it was)."""
    if not {type(v) for r in rows for v in r} <= _PLAIN:
        return None
    try:
        data = orjson.dumps(rows if isinstance(rows, list | tuple) else list(rows))
    except orjson.JSONEncodeError:
        return None
    if b"\\u0000" in data:
        return None
    return data.decode()


def pg_insert(
    tx: Tx, head: str, types: Sequence[str], tail: str, rows: Sequence[Sequence[Any]]
) -> Any:
    """PostgreSQL: `head` (`INSERT INTO t(cols) `) of every row with `tail` (ON CONFLICT …,
    RETURNING …) in one statement, the rows in their order; its cursor."""
    by_json, by_arrays = _pg_statements(head, tuple(types), tail)
    data = _as_json(rows)
    if data is not None:
        return tx.execute(by_json, (data,))
    columns = [_column(list(c)) for c in zip(*rows, strict=True)]
    return tx.execute(by_arrays, columns, binary=True)


def _column(values: list[Any]) -> list[Any]:
    """A column as one array: psycopg dumps a list by its elements' type, which must be one;
    mixed values (a till's odd payload) go as text, which the statement's cast reads as the
    column's type, as it read each value in a row's own statement."""
    kinds = {type(v) for v in values if v is not None}
    if len(kinds) <= 1:
        return values
    return [None if v is None else str(v) for v in values]


def insert_rows(tx: Tx, sql: str, rows: Sequence[Sequence[Any]], *, many: bool = False) -> None:
    """`sql` (`INSERT INTO t(cols) VALUES (?, …)` and any tail: ON CONFLICT …) for every row.
    `many`: SQLite runs it per row (executemany) rather than as multi-row VALUES."""
    if not rows:
        return
    head, group, tail, types = _parts(sql)
    if tx.dialect == "postgres" and len(rows) == 1:
        # one row (a page's open count): its own VALUES text is as fixed, and costs no arrays
        tx.execute(sql, rows[0])
        return
    if tx.dialect == "postgres":
        pg_insert(tx, head[: head.upper().rindex("VALUES")], types, tail, rows)
        return
    if many:
        tx.executemany(sql, rows)
        return
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        tx.execute(head + ", ".join([group] * len(chunk)) + tail, [v for r in chunk for v in r])
