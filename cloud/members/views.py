"""Reads of the member ledger: one member across every store and the reconciliation flags."""

from __future__ import annotations

import json
from typing import Any

from ..db import CloudDB, Tx
from .rows import canonical, full_member


class MemberViews:
    def __init__(self, db: CloudDB) -> None:
        self.db = db

    def canonical_member_id(self, member_id: str) -> str:
        """The member an id stands for now (a till's id may have been merged)."""
        with self.db.tx() as tx:
            return canonical(tx, member_id)

    def member_view(self, member_id: str) -> dict[str, Any]:
        """One member across every store: balances, purchases, points, flags, aliases."""
        with self.db.tx() as tx:
            mid = canonical(tx, member_id)
            data = full_member(tx, mid)
            aliases = [
                r[0]
                for r in tx.execute(
                    "SELECT alias_id FROM member_aliases WHERE member_id = ? ORDER BY alias_id",
                    (mid,),
                ).fetchall()
            ]
            purchases = [
                {
                    "store_id": r[0],
                    "till_no": r[1],
                    "kind": r[2],
                    "receipt_no": r[3],
                    "total_fen": int(r[4]),
                    "associate": r[5],
                    "items": json.loads(r[6]),
                    "at": r[7],
                }
                for r in tx.execute(
                    "SELECT store_id, till_no, kind, receipt_no, total_fen, associate, items, at "
                    "FROM member_purchases WHERE member_id = ? ORDER BY at, event_id",
                    (mid,),
                ).fetchall()
            ]
            flags = self._flags(tx, mid)
            raw = tx.execute("SELECT data FROM members WHERE id = ?", (mid,)).fetchone()
            followups = json.loads(raw[0] or "{}").get("followups", []) if raw else []
        return data | {
            "aliases": aliases,
            "purchases": purchases,
            "flags": flags,
            "followups": followups,
        }

    def _flags(self, tx: Tx, member_id: str | None) -> list[dict[str, Any]]:
        sql = "SELECT member_id, kind, amount, detail, event_id, device_id, at FROM member_flags"
        args: tuple[Any, ...] = ()
        if member_id is not None:
            sql += " WHERE member_id = ?"
            args = (member_id,)
        cols = ("member_id", "kind", "amount", "detail", "event_id", "device_id", "at")
        return [
            dict(zip(cols, r, strict=True))
            for r in tx.execute(sql + " ORDER BY id", args).fetchall()
        ]

    def reconciliation(self) -> list[dict[str, Any]]:
        """Everything the brand must follow up: overdrafts, overused coupons."""
        with self.db.tx() as tx:
            return self._flags(tx, None)
