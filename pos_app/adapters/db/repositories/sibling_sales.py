"""`sibling_sales`: the store's sales the cloud publishes to every till of the store
(`store_sale` changes, cloud/returns/ledger.py), so a till takes a return of a sibling till's
sale with the cloud down (pos_app/services/handlers/sale_source.py)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pos_app.domain.ports import Change


def apply_store_sale(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    if ch.op == "delete":
        c.execute("DELETE FROM sibling_sales WHERE sale_id = ?", (ch.key,))
        return
    d = ch.data
    c.execute(
        "INSERT INTO sibling_sales(sale_id, store_id, till_no, receipt_no, record, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(sale_id) DO UPDATE SET record = excluded.record, "
        "updated_at = excluded.updated_at",
        (
            ch.key,
            str(d.get("store_id", "")),
            int(d.get("till_no", 0)),
            int(d.get("receipt_no", 0)),
            json.dumps(d, ensure_ascii=False, sort_keys=True),
            stamp,
        ),
    )


class SqliteSiblingSales:
    """The SaleSource port over `sibling_sales` and `sibling_refunds`: a refund a record lists
    that this till made itself is counted from this till's own rows, never twice."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def sibling_sale(self, store_id: str, till_no: int, receipt_no: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT record FROM sibling_sales WHERE store_id = ? AND till_no = ? "
            "AND receipt_no = ?",
            (store_id, till_no, receipt_no),
        ).fetchone()
        if row is None:
            return None
        record: dict[str, Any] = json.loads(row[0])
        record.pop("refunds", None)
        record["_kind"] = "sale"
        record["_sold_at"] = {"store_id": store_id, "till_no": till_no}
        return record

    def _other_refunds(self, sale_id: str) -> list[dict[str, Any]]:
        """The record's refunds made at other tills (this till's own are in `sales`)."""
        row = self.conn.execute(
            "SELECT record FROM sibling_sales WHERE sale_id = ?", (sale_id,)
        ).fetchone()
        if row is None:
            return []
        refunds: list[dict[str, Any]] = json.loads(row[0]).get("refunds", [])
        ids = [str(r.get("refund_id")) for r in refunds]
        mine = {
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM sales WHERE id IN ({','.join('?' * len(ids))})", ids
            ).fetchall()
        }
        return [r for r in refunds if r.get("refund_id") not in mine]

    def returned(self, sale_id: str) -> dict[int, int]:
        out: dict[int, int] = {}
        for r in self._other_refunds(sale_id):
            for line_no, qty in r.get("lines", {}).items():
                out[int(line_no)] = out.get(int(line_no), 0) + int(qty)
        for line_no, qty in self.conn.execute(
            "SELECT l.line_no, l.qty FROM sibling_refunds r JOIN sale_lines l "
            "ON l.sale_id = r.refund_id WHERE r.sale_id = ?",
            (sale_id,),
        ).fetchall():
            out[int(line_no)] = out.get(int(line_no), 0) + int(qty)
        return out

    def refunded_by_tender(self, sale_id: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self._other_refunds(sale_id):
            for tender, fen in r.get("tenders", {}).items():
                out[str(tender)] = out.get(str(tender), 0) + int(fen)
        for tender, fen in self.conn.execute(
            "SELECT p.tender, p.amount_fen FROM sibling_refunds r JOIN payments p "
            "ON p.sale_id = r.refund_id WHERE r.sale_id = ?",
            (sale_id,),
        ).fetchall():
            out[str(tender)] = out.get(str(tender), 0) - int(fen)
        return out

    def note_refund(self, refund_id: str, sale_id: str) -> None:
        self.conn.execute(
            "INSERT INTO sibling_refunds(refund_id, sale_id) VALUES (?, ?)", (refund_id, sale_id)
        )
