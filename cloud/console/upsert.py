"""Writing summary rows: a batch's rows added up by key, then one multi-row upsert a table
(a statement per row cost PostgreSQL a parse and a round trip each)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..db import Tx


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


CHUNK = 500  # rows a statement: well inside SQLite's 32,766 parameters


def upsert(tx: Tx, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """`sql` (one VALUES group) for every row, in statements of up to CHUNK rows."""
    if not rows:
        return
    group = "(" + ", ".join("?" * len(rows[0])) + ")"
    head, tail = sql.split(group, 1)
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        tx.execute(head + ", ".join([group] * len(chunk)) + tail, [v for r in chunk for v in r])
