"""Writing summary rows: a batch's rows added up by key, then one upsert statement a table
(a statement per row cost PostgreSQL a parse and a round trip each; storage/bulk.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..db import Tx
from ..storage.bulk import insert_rows


def merge(rows: list[tuple[Any, ...]], key_width: int) -> list[tuple[Any, ...]]:
    merged: dict[tuple[Any, ...], list[int]] = {}
    for r in rows:
        k = r[:key_width]
        had = merged.get(k)
        if had is None:
            merged[k] = list(r[key_width:])
        else:
            for i, v in enumerate(r[key_width:]):
                had[i] += v
    return [(*k, *v) for k, v in merged.items()]


def upsert(tx: Tx, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """`sql` (one VALUES group) for every row: PostgreSQL one statement (unnest), SQLite
    statements of up to 500 rows."""
    insert_rows(tx, sql, rows)
