"""What a return without a receipt looks up (issue 20): the net unit prices a SKU was sold at
in this store since a moment (this till's `sale_lines` and the store's other tills' sales the
till holds in `sibling_sales`), and the returns without a receipt a member made since then
(by the phone's key in the refunds' journal entries)."""

from __future__ import annotations

import json
import sqlite3

from pos_app.domain.money import div_round_half_up


def _unit(amount_fen: int, qty: int) -> int:
    return div_round_half_up(amount_fen, qty)


class SqliteNoReceiptHistory:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def sold_unit_prices(self, sku: str, since: str) -> list[int]:
        """Net unit prices (after every discount) of `sku` in sales completed at or after
        `since` (RFC 3339 UTC, as the sales store it)."""
        out = [
            _unit(int(amount), int(qty))
            for amount, qty in self.conn.execute(
                "SELECT l.amount_fen, l.qty FROM sale_lines l JOIN sales s ON s.id = l.sale_id "
                "WHERE s.kind = 'sale' AND l.sku = ? AND s.completed_at >= ? AND l.qty > 0",
                (sku, since),
            ).fetchall()
        ]
        # the store's other tills' sales, as the cloud published them (compact records)
        for (record,) in self.conn.execute(
            "SELECT record FROM sibling_sales WHERE record LIKE ?", (f'%"{sku}"%',)
        ).fetchall():
            sale = json.loads(record)
            if str(sale.get("completed_at") or "") < since:
                continue
            for ln in sale.get("lines", []):
                if ln.get("sku") == sku and int(ln.get("qty", 0)) > 0:
                    out.append(_unit(int(ln["amount_fen"]), int(ln["qty"])))
        return out

    def refunds_since(self, phone_key: str, since: str) -> list[str]:
        """Returns without a receipt of the member whose phone has `phone_key`, since then:
        their refund ids.  (The store's other tills' are not among the records the cloud
        publishes to this till: they name no sale.)"""
        return [
            str(r[0])
            for r in self.conn.execute(
                "SELECT json_extract(payload, '$.refund_id') FROM journal WHERE kind = 'refund' "
                "AND json_extract(payload, '$.no_receipt.phone_key') = ? "
                "AND json_extract(payload, '$.completed_at') >= ?",
                (phone_key, since),
            ).fetchall()
        ]
