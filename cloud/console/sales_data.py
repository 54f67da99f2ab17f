"""Sales figures for the console from `console_sales_day` (kept by facts.py): by store, day,
hour, tender, category, associate and till, over a period, for the stores a viewer may see.

Each query reads one (dim) slice of the summary over the period.  For the whole chain it reads
the chain's own rows (store_id ''), a few a day; only the store ranking reads one row per
store and day (30,000 for a month at 1,000 stores)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..db import Tx

DIMS = {
    "store": ("", "store_id"),
    "day": ("", "business_day"),
    "hour": ("hour", "key"),
    "tender": ("tender", "key"),
    "category": ("category", "key"),
    "associate": ("associate", "key"),
    "till": ("till", "key"),
}
COLUMNS = ("key", "sales", "refunds", "qty", "sales_fen", "refunds_fen", "net_fen")


@dataclass(frozen=True)
class Period:
    start: str  # YYYY-MM-DD, inclusive
    end: str
    stores: tuple[str, ...] | None  # None: every store


def grouped(tx: Tx, period: Period, by: str) -> list[dict[str, Any]]:
    dim, col = DIMS[by]
    where, args = "business_day BETWEEN ? AND ? AND dim = ?", [period.start, period.end, dim]
    if period.stores is not None:
        if not period.stores:
            return []
        where += f" AND store_id IN ({', '.join('?' * len(period.stores))})"
        args += list(period.stores)
    elif by == "store":
        where += " AND store_id <> ''"
    else:  # the whole chain: its own rows (facts.py), not a sum over every store's
        where += " AND store_id = ''"
    rows = tx.execute(
        f"SELECT {col}, SUM(sales), SUM(refunds), SUM(qty), SUM(sales_fen), SUM(refunds_fen) "
        f"FROM console_sales_day WHERE {where} GROUP BY {col} ORDER BY {col}",
        args,
    ).fetchall()
    out = []
    for r in rows:
        vals = [int(v or 0) for v in r[1:]]
        out.append(dict(zip(COLUMNS, [str(r[0]), *vals, vals[3] + vals[4]], strict=True)))
    return out


def totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {c: sum(int(r[c]) for r in rows) for c in COLUMNS[1:]}
