"""Over-refunds the ingest found (`guitai cloud returns conflicts`): a line refunded past what
was sold, by two tills of a store while both were offline."""

from __future__ import annotations

from typing import Any

from ..db import CloudDB

COLUMNS = (
    "id",
    "store_id",
    "sale_id",
    "receipt_no",
    "till_no",
    "line_no",
    "sold_qty",
    "refunded_qty",
    "excess_qty",
    "refund_id",
    "refund_till_no",
    "refund_receipt_no",
    "at",
)


def list_conflicts(db: CloudDB, store_id: str | None = None) -> list[dict[str, Any]]:
    sql = f"SELECT {', '.join(COLUMNS)} FROM return_conflicts"
    args: tuple[Any, ...] = ()
    if store_id:
        sql += " WHERE store_id = ?"
        args = (store_id,)
    with db.tx() as tx:
        rows = tx.execute(sql + " ORDER BY id", args).fetchall()
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]
