"""Sales figures for the console from the summaries kept by facts.py: by store, day, hour,
tender, category, associate and till, over a period, for the stores a viewer may see.

A period is read as its whole calendar months from `console_sales_month` and its two partial
ends from `console_sales_day` (by day: days only), so a year is twelve month rows per store
and key, not 365.  The whole chain (head office, no store asked for) reads the chain's rows,
which the page brings up to date first (chain.py: no row the ingest shares across stores);
the store ranking reads one row per store through the (dim, day) index that carries the
figures (an index-only read on PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
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
_SUMS = (
    "SUM(sales) AS s1, SUM(refunds) AS s2, SUM(qty) AS s3, SUM(sales_fen) AS s4, "
    "SUM(refunds_fen) AS s5"
)


@dataclass(frozen=True)
class Period:
    start: str  # YYYY-MM-DD, inclusive
    end: str
    stores: tuple[str, ...] | None  # None: every store


def spans(start: str, end: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The period as (first day, last day) ranges at its ends and the whole months between."""
    lo, hi = date.fromisoformat(start), date.fromisoformat(end)
    days: list[tuple[str, str]] = []
    months: list[str] = []
    cur = lo
    while cur <= hi:
        nxt = (cur.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = min(hi, nxt - timedelta(days=1))
        if cur.day == 1 and last == nxt - timedelta(days=1):
            months.append(cur.isoformat()[:7])
        elif days and days[-1][1] == (cur - timedelta(days=1)).isoformat():
            days[-1] = (days[-1][0], last.isoformat())
        else:
            days.append((cur.isoformat(), last.isoformat()))
        cur = nxt
    return days, months


def grouped(tx: Tx, period: Period, by: str) -> list[dict[str, Any]]:
    dim, col = DIMS[by]
    stores_sql, stores_args = "", []
    if period.stores is not None:
        if not period.stores:
            return []
        stores_sql = f" AND store_id IN ({', '.join('?' * len(period.stores))})"
        stores_args = list(period.stores)
    day_table, month_table = "console_sales_day", "console_sales_month"
    if period.stores is None and by != "store":  # the whole chain: its rows (chain.py)
        day_table, month_table = "console_chain_day", "console_chain_month"
    months: list[str]
    if by == "day":
        days, months = [(period.start, period.end)], []
    else:
        days, months = spans(period.start, period.end)
    parts, args = [], []
    for a, b in days:
        parts.append(
            f"SELECT {col} AS k, {_SUMS} FROM {day_table} WHERE business_day "
            f"BETWEEN ? AND ? AND dim = ?{stores_sql} GROUP BY {col}"
        )
        args += [a, b, dim, *stores_args]
    if months:
        mcol = "month" if col == "business_day" else col
        parts.append(
            f"SELECT {mcol} AS k, {_SUMS} FROM {month_table} WHERE month IN "
            f"({', '.join('?' * len(months))}) AND dim = ?{stores_sql} GROUP BY {mcol}"
        )
        args += [*months, dim, *stores_args]
    rows = tx.execute(
        "SELECT k, SUM(s1), SUM(s2), SUM(s3), SUM(s4), SUM(s5) FROM ("
        + " UNION ALL ".join(parts)
        + ") u GROUP BY k ORDER BY k",
        args,
    ).fetchall()
    out = []
    for r in rows:
        vals = [int(v or 0) for v in r[1:]]
        out.append(dict(zip(COLUMNS, [str(r[0]), *vals, vals[3] + vals[4]], strict=True)))
    return out


def totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {c: sum(int(r[c]) for r in rows) for c in COLUMNS[1:]}
