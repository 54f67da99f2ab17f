"""My receipts: a member's receipts from every store, newest first, and each one's return
voucher (what can still be returned, net of refunds from any till, and until when).

The return window is the brand's `return_window_days` config (an integer), 30 days when the
brand has set none: no return rule existed in the cloud before, so 30 days is this module's
default, not a rule read from elsewhere."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from ..common import ApiError
from ..db import CloudDB, Tx
from .refunds import refunds_of, returned_qty
from .rows import canonical, member_data

DEFAULT_RETURN_DAYS = 30


def return_days(tx: Tx) -> int:
    row = tx.execute("SELECT value FROM config WHERE key = 'return_window_days'").fetchone()
    try:
        days = int(json.loads(row[0])) if row else DEFAULT_RETURN_DAYS
    except (TypeError, ValueError):
        days = DEFAULT_RETURN_DAYS
    return days if days >= 0 else DEFAULT_RETURN_DAYS


class MyReceipts:
    def __init__(self, db: CloudDB) -> None:
        self.db = db

    def home(self, member_id: str) -> dict[str, Any]:
        """The member's own summary (their session only: the public page shows none of it)."""
        with self.db.tx() as tx:
            m = member_data(tx, canonical(tx, member_id))
        return {"member_id": m["id"], "name": m["name"], "tier": m["tier"], "points": m["points"]}

    def receipts(self, member_id: str) -> list[dict[str, Any]]:
        with self.db.tx() as tx:
            mid = canonical(tx, member_id)
            rows = tx.execute(
                "SELECT p.sale_id, p.store_id, s.name, p.receipt_no, p.total_fen, p.at, "
                "c.token FROM member_purchases p LEFT JOIN stores s ON s.store_id = p.store_id "
                "LEFT JOIN receipt_claims c ON c.sale_id = p.sale_id AND c.state = 'credited' "
                "WHERE p.member_id = ? AND p.kind = 'sale.completed' ORDER BY p.at DESC",
                (mid,),
            ).fetchall()
            pending = tx.execute(
                "SELECT c.token, d.store_id, s.name, c.receipt_no, c.claimed_at "
                "FROM receipt_claims c JOIN devices d ON d.device_id = c.device_id "
                "LEFT JOIN stores s ON s.store_id = d.store_id "
                "WHERE c.member_id = ? AND c.state = 'pending' ORDER BY c.claimed_at DESC",
                (mid,),
            ).fetchall()
        out = [
            {
                "sale_id": r[0],
                "store_id": r[1],
                "store_name": r[2] or r[1],
                "receipt_no": r[3],
                "total_fen": int(r[4]),
                "at": r[5],
                "synced": True,
                "page": f"/r/{r[6]}" if r[6] else None,
                "voucher": f"/me/receipts/{r[0]}",
            }
            for r in rows
        ]
        out += [
            {
                "sale_id": None,
                "store_id": r[1],
                "store_name": r[2] or r[1],
                "receipt_no": r[3],
                "total_fen": None,
                "at": r[4],
                "synced": False,
                "page": f"/r/{r[0]}",
                "voucher": None,
            }
            for r in pending
        ]
        return sorted(out, key=lambda x: str(x["at"]), reverse=True)

    def voucher(self, member_id: str, sale_id: str, now: datetime) -> dict[str, Any]:
        """The return voucher of one of the member's sales; 404 for anyone else's."""
        with self.db.tx() as tx:
            mid = canonical(tx, member_id)
            row = tx.execute(
                "SELECT p.event_id, p.store_id, s.name FROM member_purchases p "
                "LEFT JOIN stores s ON s.store_id = p.store_id WHERE p.member_id = ? "
                "AND p.sale_id = ? AND p.kind = 'sale.completed'",
                (mid, sale_id),
            ).fetchone()
            if row is None:
                raise ApiError(
                    404,
                    "unknown_receipt",
                    "No receipt of yours has this id: open it from My receipts",
                    "未找到您的这张小票，请从“我的小票”打开",
                )
            sale = tx.execute("SELECT payload FROM events WHERE id = ?", (row[0],)).fetchone()
            p = json.loads(sale[0]) if sale else {}
            back = returned_qty(refunds_of(tx, sale_id))
            days = return_days(tx)
        sold_at = datetime.fromisoformat(str(p.get("completed_at", "")).replace("Z", "+00:00"))
        until = sold_at + timedelta(days=days)
        open_ = now <= until
        lines = []
        for ln in p.get("lines", []):
            qty = int(ln.get("qty", 0))
            returned = min(qty, back.get(int(ln.get("line_no", 0)), 0))
            lines.append(
                {
                    "line_no": ln.get("line_no"),
                    "sku": ln.get("sku"),
                    "name": ln.get("name"),
                    "qty": qty,
                    "returned": returned,
                    "returnable": qty - returned if open_ else 0,
                }
            )
        return {
            "sale_id": sale_id,
            "store_id": row[1],
            "store_name": row[2] or row[1],
            "receipt_no": p.get("receipt_no"),
            "total_fen": p.get("total_fen"),
            "sold_at": p.get("completed_at"),
            "return_until": until.isoformat().replace("+00:00", "Z"),
            "return_window_days": days,
            "open": open_,
            "lines": lines,
        }
