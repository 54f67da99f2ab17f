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

SQLite: multi-row VALUES in chunks (one statement per chunk) or executemany.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, Protocol

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
def _parts(sql: str) -> tuple[str, str, str, str]:
    """(the insert's head, the VALUES group, the tail, the unnest statement of PostgreSQL)."""
    m = _INSERT.match(sql)
    if m is None:
        raise ValueError(f"not an INSERT … VALUES (?, …) statement: {sql[:80]}")
    table = metadata.tables[m[1]]
    columns = [c.strip() for c in m[2].split(",")]
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    types = [table.c[c].type.compile(dialect=dialect).lower() for c in columns]
    arrays = ", ".join(f"?::{t}[]" for t in types)
    head, tail = sql[: m.start(3)], sql[m.end(3) :]
    unnest = f"INSERT INTO {m[1]}({m[2]}) SELECT * FROM unnest({arrays}){tail}"
    return head, m[3], tail, unnest


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
    head, group, tail, unnest = _parts(sql)
    if tx.dialect == "postgres" and len(rows) == 1:
        # one row (a page's open count): its own VALUES text is as fixed, and costs no arrays
        tx.execute(sql, rows[0])
        return
    if tx.dialect == "postgres":
        columns = [_column(list(c)) for c in zip(*rows, strict=True)]
        tx.execute(unnest, columns, binary=True)
        return
    if many:
        tx.executemany(sql, rows)
        return
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        tx.execute(head + ", ".join([group] * len(chunk)) + tail, [v for r in chunk for v in r])
