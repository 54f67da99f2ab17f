"""Head office's figures for the whole chain, kept off the ingest's path and still exact.

Summing every store's rows on each head-office page reads a million rows for a year at 1,000
stores; rows for the whole chain written by the ingest are one row that every till's batch
queues on until it commits.  So the ingest only marks the store's day as changed
(`console_sales_dirty`, one row per store and day: the store's own tills share it, as they
share its day rows), and a head-office page first brings the chain's rows
(`console_chain_day`, `console_chain_month`) up to date for the marked days: each marked day's
and month's chain rows are summed again from the stores' rows, one refresh at a time, and a
mark is cleared only if no batch marked it again meanwhile (its count is unchanged; a batch
still in flight holds the mark's row, so the clearing waits for it and then sees the new
count).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..db import CloudDB, Tx
from .upsert import upsert

TABLES = ("console_chain_day", "console_chain_month", "console_sales_dirty")
DIMS = ("", "hour", "tender", "category", "associate", "till")  # facts.day_rows' dims
SUMS = ("sales", "refunds", "qty", "sales_fen", "refunds_fen")
_COLS = ", ".join(SUMS)
_SUMS = ", ".join(f"SUM({c})" for c in SUMS)
_SET = ", ".join(f"{c} = excluded.{c}" for c in SUMS)
_MARK = (
    "INSERT INTO console_sales_dirty(store_id, business_day, n) VALUES (?, ?, ?) "
    "ON CONFLICT(store_id, business_day) DO UPDATE SET n = console_sales_dirty.n + excluded.n"
)


def mark(tx: Tx, store_days: Iterable[tuple[str, str]]) -> None:
    """The ingest: these stores' days changed (in the batch's own transaction)."""
    upsert(tx, _MARK, sorted({(s, d, 1) for s, d in store_days}))


def refresh(db: CloudDB) -> None:
    """The chain's rows summed again for every marked day and its month."""
    with db.tx() as tx:
        if not tx.execute("SELECT 1 FROM console_sales_dirty LIMIT 1").fetchone():
            return
    with db.tx() as tx:
        if tx.dialect == "postgres":
            # one refresh at a time: a slower one must not write its older sums over a newer
            # one's after that one cleared the marks (SQLite: the write lock already does)
            tx.execute("SELECT pg_advisory_xact_lock(7722)")
        marks = tx.execute("SELECT store_id, business_day, n FROM console_sales_dirty").fetchall()
        if not marks:
            return
        days = sorted({str(d) for _, d, _ in marks})
        _resum(tx, "console_chain_day", "console_sales_day", "business_day", days)
        _resum(
            tx, "console_chain_month", "console_sales_month", "month", sorted({d[:7] for d in days})
        )
        # cleared only where no batch marked the day again since it was read (a batch still
        # in flight holds its mark: the DELETE waits for it, then finds the count changed)
        marks = sorted(marks)
        for i in range(0, len(marks), 300):
            chunk = marks[i : i + 300]
            match = (
                "FROM console_sales_dirty WHERE (store_id, business_day, n) IN "
                f"(VALUES {', '.join(['(?, ?, ?)'] * len(chunk))})"
            )
            args = [v for m in chunk for v in m]
            if tx.dialect == "postgres":  # locked in key order, as the ingest marks them
                tx.execute(f"SELECT 1 {match} ORDER BY store_id, business_day FOR UPDATE", args)
            tx.execute(f"DELETE {match}", args)


def _resum(tx: Tx, chain: str, stores: str, col: str, keys: list[str]) -> None:
    marks = ", ".join("?" * len(keys))
    dims = ", ".join("?" * len(DIMS))
    # dim first: the stores' rows are indexed by (dim, day); the sums set, not added to
    tx.execute(
        f"INSERT INTO {chain}(dim, {col}, key, {_COLS}) SELECT dim, {col}, key, {_SUMS} "
        f"FROM {stores} WHERE dim IN ({dims}) AND {col} IN ({marks}) GROUP BY dim, {col}, key "
        f"ORDER BY dim, {col}, key ON CONFLICT(dim, {col}, key) DO UPDATE SET {_SET}",
        [*DIMS, *keys],
    )


def rebuild(tx: Tx) -> None:
    """Every chain row summed again, no day marked (console-rebuild, after the stores'
    rows)."""
    tx.execute("DELETE FROM console_sales_dirty")
    for chain, stores, col in (
        ("console_chain_day", "console_sales_day", "business_day"),
        ("console_chain_month", "console_sales_month", "month"),
    ):
        tx.execute(f"DELETE FROM {chain}")
        tx.execute(
            f"INSERT INTO {chain}(dim, {col}, key, {_COLS}) SELECT dim, {col}, key, {_SUMS} "
            f"FROM {stores} GROUP BY dim, {col}, key"
        )
