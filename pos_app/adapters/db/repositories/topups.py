"""`topups` and `topup_refunds`: stored-value top-ups as the till took them (issue 23).
Never begins or ends a transaction: the top-up handler runs it inside its unit of work."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any


class SqliteTopUps:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def next_no(self) -> int:
        return int(
            self.conn.execute("SELECT coalesce(max(topup_no), 0) + 1 FROM topups").fetchone()[0]
        )

    def add(self, p: Mapping[str, Any], shift_id: int | None, attempt_id: str | None) -> None:
        self.conn.execute(
            "INSERT INTO topups(id, topup_no, member_id, business_day, shift_id, tender, "
            "paid_fen, bonus_fen, attempt_id, cashier, completed_at, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                p["topup_id"],
                p["topup_no"],
                p["member_id"],
                p["business_day"],
                shift_id,
                p["tender"],
                p["paid_fen"],
                p["bonus_fen"],
                attempt_id,
                p["cashier"],
                p["completed_at"],
                json.dumps(p, ensure_ascii=False, sort_keys=True),
            ),
        )

    def get(self, ref: str) -> dict[str, Any] | None:
        """By id, or by the top-up number printed on its receipt."""
        where, arg = ("topup_no = ?", int(ref)) if ref.isdigit() else ("id = ?", ref)
        row = self.conn.execute(
            f"SELECT payload, refunded_fen, attempt_id FROM topups WHERE {where}", (arg,)
        ).fetchone()
        if row is None:
            return None
        return dict(json.loads(row[0]), refunded_fen=int(row[1]), attempt_id=row[2])

    def for_member(self, member_id: str) -> list[dict[str, Any]]:
        """The member's top-ups taken at this till, newest first, each with what was refunded
        and the bonus its refunds forfeited (what the refund dialog lists)."""
        rows = self.conn.execute(
            "SELECT t.payload, t.refunded_fen, t.attempt_id, "
            "(SELECT coalesce(sum(r.forfeited_bonus_fen), 0) FROM topup_refunds r "
            "WHERE r.topup_id = t.id) FROM topups t WHERE t.member_id = ? "
            "ORDER BY t.topup_no DESC",
            (member_id,),
        ).fetchall()
        return [
            dict(json.loads(r[0]), refunded_fen=int(r[1]), attempt_id=r[2], forfeited_fen=int(r[3]))
            for r in rows
        ]

    def add_refund(self, r: Mapping[str, Any], shift_id: int | None) -> None:
        self.conn.execute(
            "INSERT INTO topup_refunds(id, topup_id, amount_fen, forfeited_bonus_fen, tender, "
            "attempt_id, shift_id, business_day, cashier, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r["refund_id"],
                r["topup_id"],
                r["amount_fen"],
                r["forfeited_bonus_fen"],
                r["tender"],
                r.get("attempt_id"),
                shift_id,
                r["business_day"],
                r["cashier"],
                r["at"],
            ),
        )
        self.conn.execute(
            "UPDATE topups SET refunded_fen = refunded_fen + ? WHERE id = ?",
            (r["amount_fen"], r["topup_id"]),
        )

    def shift_totals(self, shift_id: int) -> dict[str, Any]:
        """The Z's 充值 section: top-ups and their refunds in this shift, by tender."""
        by: dict[str, dict[str, int]] = {}
        for tender, n, paid, bonus in self.conn.execute(
            "SELECT tender, count(*), sum(paid_fen), sum(bonus_fen) FROM topups "
            "WHERE shift_id = ? GROUP BY tender ORDER BY tender",
            (shift_id,),
        ):
            by[tender] = {"count": n, "paid_fen": paid, "bonus_fen": bonus, "refunded_fen": 0}
        for tender, refunded in self.conn.execute(
            "SELECT tender, sum(amount_fen) FROM topup_refunds WHERE shift_id = ? GROUP BY tender",
            (shift_id,),
        ):
            by.setdefault(tender, {"count": 0, "paid_fen": 0, "bonus_fen": 0, "refunded_fen": 0})
            by[tender]["refunded_fen"] = refunded
        return {
            "by_tender": by,
            "paid_fen": sum(v["paid_fen"] for v in by.values()),
            "bonus_fen": sum(v["bonus_fen"] for v in by.values()),
            "refunded_fen": sum(v["refunded_fen"] for v in by.values()),
        }
