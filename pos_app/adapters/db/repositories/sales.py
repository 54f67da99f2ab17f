"""`sales`, `sale_lines` and `payments`: the report tables written beside the journal entry
of each completed sale or refund."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any


class SqliteSales:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def next_receipt_no(self) -> int:
        return int(
            self.conn.execute("SELECT coalesce(max(receipt_no), 0) + 1 FROM sales").fetchone()[0]
        )

    def add(self, kind: str, payload: Mapping[str, Any], journal_seq: int) -> None:
        sale_id = payload["sale_id"] if kind == "sale" else payload["refund_id"]
        member = payload.get("member") or {}
        lines = payload["lines"]
        subtotal = payload.get(
            "subtotal_fen", sum(int(x["unit_price_fen"]) * int(x["qty"]) for x in lines)
        )
        discount = sum(int(x.get("discount_fen", 0)) for x in lines)
        self.conn.execute(
            "INSERT INTO sales(id, kind, receipt_no, shift_id, business_day, completed_at, "
            "cashier, associate, member_id, original_sale_id, subtotal_fen, discount_fen, "
            "rounding_fen, total_fen, journal_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                sale_id,
                kind,
                payload["receipt_no"],
                payload["shift_id"],
                payload["business_day"],
                payload["completed_at"],
                payload["cashier"],
                payload.get("associate"),
                member.get("id"),
                payload.get("original_sale_id"),
                subtotal,
                discount,
                payload.get("rounding_fen", 0),
                payload["total_fen"],
                journal_seq,
            ),
        )
        self.conn.executemany(
            "INSERT INTO sale_lines(sale_id, line_no, sku, name, qty, unit_price_fen, "
            "discount_fen, amount_fen, vat_rate_bp, category) VALUES(?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    sale_id,
                    x["line_no"],
                    x["sku"],
                    x["name"],
                    x["qty"],
                    x["unit_price_fen"],
                    x.get("discount_fen", 0),
                    x["amount_fen"],
                    x["vat_rate_bp"],
                    x.get("category", ""),
                )
                for x in lines
            ],
        )
        self.conn.executemany(
            "INSERT INTO payments(sale_id, seq, tender, amount_fen, change_fen, reference) "
            "VALUES(?,?,?,?,?,?)",
            [
                (
                    sale_id,
                    i + 1,
                    p["tender"],
                    p["amount_fen"],
                    p.get("change_fen", 0),
                    p.get("reference"),
                )
                for i, p in enumerate(payload["payments"])
            ],
        )

    def payload(
        self, *, receipt_no: int | None = None, sale_id: str | None = None
    ) -> dict[str, Any] | None:
        if receipt_no is not None:
            row = self.conn.execute(
                "SELECT j.payload, j.entry_hash, s.kind, s.reprints FROM sales s "
                "JOIN journal j ON j.seq = s.journal_seq WHERE s.receipt_no = ?",
                (receipt_no,),
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT j.payload, j.entry_hash, s.kind, s.reprints FROM sales s "
                "JOIN journal j ON j.seq = s.journal_seq WHERE s.id = ?",
                (sale_id,),
            ).fetchone()
        if row is None:
            return None
        payload: dict[str, Any] = json.loads(row[0])
        payload["_entry_hash"] = row[1]
        payload["_kind"] = row[2]
        payload["_reprints"] = row[3]
        return payload

    def returned_qty(self, sale_id: str) -> dict[int, int]:
        """Per original line_no, how many units refunds have already taken back."""
        rows = self.conn.execute(
            "SELECT l.line_no, sum(l.qty) FROM sales s JOIN sale_lines l ON l.sale_id = s.id "
            "WHERE s.original_sale_id = ? GROUP BY l.line_no",
            (sale_id,),
        )
        return {int(a): int(b) for a, b in rows}

    def refunded_by_tender(self, sale_id: str) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT p.tender, -sum(p.amount_fen) FROM sales s JOIN payments p ON p.sale_id = s.id "
            "WHERE s.original_sale_id = ? GROUP BY p.tender",
            (sale_id,),
        )
        return {str(a): int(b) for a, b in rows}

    def count_reprint(self, receipt_no: int) -> int:
        self.conn.execute(
            "UPDATE sales SET reprints = reprints + 1 WHERE receipt_no = ?", (receipt_no,)
        )
        row = self.conn.execute(
            "SELECT reprints FROM sales WHERE receipt_no = ?", (receipt_no,)
        ).fetchone()
        return int(row[0])

    def recent(self, *, day: str | None = None, limit: int | None = 50) -> list[dict[str, Any]]:
        """The newest completed sales and refunds first; limit None: all of them."""
        sql = (
            "SELECT receipt_no, kind, id, completed_at, business_day, cashier, total_fen, "
            "original_sale_id FROM sales"
        )
        args: tuple[Any, ...] = ()
        if day:
            sql += " WHERE business_day = ?"
            args = (day,)
        sql += " ORDER BY receipt_no DESC LIMIT ?"
        limit = -1 if limit is None else limit  # SQLite: a negative LIMIT is no limit
        cols = (
            "receipt_no",
            "kind",
            "id",
            "completed_at",
            "business_day",
            "cashier",
            "total_fen",
            "original_sale_id",
        )
        return [dict(zip(cols, r, strict=True)) for r in self.conn.execute(sql, (*args, limit))]

    def line_totals_drift(self) -> list[tuple[int, str]]:
        """The (VAT rate, category) groups whose `line_totals` row (kept by the lines'
        triggers, read by the period report) no longer sums the lines it stands for."""
        kept = {
            (r[0], r[1]): (r[2], r[3], r[4])
            for r in self.conn.execute(
                "SELECT vat_rate_bp, category, lines, qty, amount_fen FROM line_totals"
            )
            if r[2] or r[3] or r[4]
        }
        summed = {
            (r[0], r[1]): (r[2], r[3], r[4])
            for r in self.conn.execute(
                "SELECT vat_rate_bp, category, count(*), sum(qty), sum(amount_fen) "
                "FROM sale_lines GROUP BY vat_rate_bp, category"
            )
        }
        return sorted(k for k in kept.keys() | summed.keys() if kept.get(k) != summed.get(k))

    def rows_for_verify(self) -> Iterator[dict[str, Any]]:
        """Each sales row with what its own lines and payments add up to, and its journal
        entry, so verification can tell an edit in the report tables from the journal."""
        sql = """
          SELECT s.id, s.kind, s.receipt_no, s.total_fen, s.journal_seq, j.ref_id, j.payload,
                 j.entry_hash,
                 (SELECT coalesce(sum(amount_fen), 0) FROM sale_lines WHERE sale_id = s.id),
                 (SELECT coalesce(sum(qty), 0) FROM sale_lines WHERE sale_id = s.id),
                 (SELECT count(*) FROM sale_lines WHERE sale_id = s.id),
                 (SELECT coalesce(sum(amount_fen - change_fen), 0) FROM payments
                   WHERE sale_id = s.id),
                 coalesce(o.n, 0)
          FROM sales s LEFT JOIN journal j ON j.seq = s.journal_seq
          LEFT JOIN (SELECT entry_hash, count(*) AS n FROM outbox
                     WHERE entry_hash IS NOT NULL GROUP BY entry_hash) o
            ON o.entry_hash = j.entry_hash
          ORDER BY s.receipt_no"""
        cols = (
            "id",
            "kind",
            "receipt_no",
            "total_fen",
            "journal_seq",
            "ref_id",
            "payload",
            "entry_hash",
            "lines_fen",
            "lines_qty",
            "lines_count",
            "payments_fen",
            "outbox_events",
        )
        for row in self.conn.execute(sql):
            yield dict(zip(cols, row, strict=True))
