"""The cloud's member ledger: the authority for points, stored value and coupons.

- `member.enrolled` from a till: one phone is one member.  A phone the cloud already holds
  under another id makes the till's id an alias of it; the alias's purchases, points and
  stored value are the member's, and the tills are told (`member` delete for the alias, then
  upsert of the member) so their mirrors hold one row.
- Points (`points.earned` / `points.redeemed`) land in a ledger keyed by event id; a balance
  driven below zero by offline redemptions is flagged.
- Offline stored-value debits (`stored_value.debited`, `offline: true`) are booked on arrival
  and an overdraft is flagged for the brand to follow up (the loss is bounded by the tills'
  offline caps).  Online debits were booked by `POST /v1/stored-value/debits` already.
- Coupons are redeemed online with `POST /v1/coupons/redemptions` (a second till is refused);
  an offline redemption that finds the coupon used up is flagged.
- The e-receipt funnel: receipts printed, pages opened, follows and joins, per store and
  associate.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..changelog import Publish
from ..common import _dump, _now_iso
from ..db import Tx
from ..topups.bonus import clamp_bonus
from .coupons import Coupons
from .points import Points
from .rows import canonical, count, flag, publish_member


class Ledger:
    """Books the member side of a till's events in the ingest transaction; points and
    coupons are booked by their own parts (points.py, coupons.py)."""

    def __init__(
        self, now: Callable[[], datetime], publish: Publish, points: Points, coupons: Coupons
    ) -> None:
        self.now = now
        self.publish = publish
        self.points = points
        self.coupons = coupons

    def apply(
        self,
        tx: Tx,
        device_id: str,
        store_id: str,
        events: Sequence[Mapping[str, Any]],
        accepted: set[str],
    ) -> None:
        """Book the member side of newly accepted events, in the ingest transaction."""
        # Receipts printed, per associate: one counter update per associate and batch, not
        # one per sale (a statement each was half of the statements a batch of sales made).
        printed: Counter[str] = Counter()
        for e in events:
            if e.get("id") not in accepted:
                continue
            kind, p = e["type"], e.get("payload") or {}
            if kind == "member.enrolled":
                self._enrolled(tx, p, store_id)
            elif kind == "member.updated":
                self._updated(tx, p, device_id)
            elif kind in ("sale.completed", "refund.completed"):
                if kind == "sale.completed":
                    printed[str(p.get("associate") or "")] += 1
                self._purchase(tx, e["id"], kind, p, store_id)
            elif kind in ("points.earned", "points.redeemed"):
                self.points.book(tx, e["id"], kind, p, device_id)
            elif kind == "stored_value.debited":
                self._sv_debited(tx, e["id"], p, device_id)
            elif kind == "coupon.redeemed":
                self.coupons.book(tx, e["id"], p, device_id)
        for associate in sorted(printed):  # one order for all writers: no deadlock between them
            count(tx, store_id, associate, "receipts_printed", printed[associate])

    def _enrolled(self, tx: Tx, p: Mapping[str, Any], store_id: str) -> None:
        mid, phone = str(p.get("member_id") or ""), str(p.get("phone") or "")
        if not mid or not phone:
            return
        now = _now_iso(self.now())
        extra = {
            k: p.get(k)
            for k in ("birthday", "consent_at", "associate", "tags", "store_id", "enrolled_at")
            if p.get(k) is not None
        }
        lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
        same = tx.execute(
            f"SELECT id, data FROM members WHERE phone = ?{lock}", (phone,)
        ).fetchone()
        if same is None:
            tx.execute(
                "INSERT INTO members(id, phone, name, tier, points, data, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    mid,
                    phone,
                    str(p.get("name", "")),
                    str(p.get("tier", "ordinary")),
                    _dump(extra),
                    str(p.get("enrolled_at") or now),
                    now,
                ),
            )
            publish_member(tx, self.publish, mid)
        elif same[0] != mid:
            # the same phone enrolled elsewhere first: one member, the till's id an alias
            tx.execute(
                "INSERT INTO member_aliases(alias_id, member_id, at) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (mid, same[0], now),
            )
            merged = {**extra, **json.loads(same[1] or "{}")}
            tx.execute(
                "UPDATE members SET data = ?, name = CASE WHEN name = '' THEN ? ELSE name END, "
                "updated_at = ? WHERE id = ?",
                (_dump(merged), str(p.get("name", "")), now, same[0]),
            )
            for table in ("member_purchases", "points_ledger"):
                tx.execute(f"UPDATE {table} SET member_id = ? WHERE member_id = ?", (same[0], mid))
            self.publish(tx, "member", "delete", mid, {"merged_into": same[0]})
            publish_member(tx, self.publish, same[0])
        count(tx, store_id, str(p.get("associate") or ""), "joins")

    def _updated(self, tx: Tx, p: Mapping[str, Any], device_id: str = "") -> None:
        if isinstance(p.get("coupon_restored"), dict):  # may come for a sale without member
            self.coupons.restore_returned(tx, p["coupon_restored"], device_id)
        mid = canonical(tx, str(p.get("member_id") or ""))
        row = tx.execute("SELECT data FROM members WHERE id = ?", (mid,)).fetchone()
        if row is None:
            return
        data = json.loads(row[0] or "{}")
        if "tags" in p:
            data["tags"] = list(p["tags"])
        if isinstance(p.get("followups"), list):  # the associate's schedule after a sale
            data["followups"] = (data.get("followups", []) + list(p["followups"]))[-100:]
        done = p.get("followup_done")
        if isinstance(done, dict):
            for f in data.get("followups", []):
                if f.get("sale_id") == done.get("sale_id") and f.get("step") == done.get("step"):
                    f["done_at"], f["done_by"] = done.get("at"), done.get("by")
        tx.execute(
            "UPDATE members SET data = ?, updated_at = ? WHERE id = ?",
            (_dump(data), _now_iso(self.now()), mid),
        )
        publish_member(tx, self.publish, mid)

    def _purchase(
        self, tx: Tx, event_id: str, kind: str, p: Mapping[str, Any], store_id: str
    ) -> None:
        member = p.get("member") or {}
        mid = member.get("id")
        if not mid and kind == "refund.completed":
            orig = tx.execute(
                "SELECT member_id FROM member_purchases WHERE sale_id = ?",
                (str(p.get("original_sale_id", "")),),
            ).fetchone()
            mid = orig[0] if orig else None
        if not mid:
            return
        items = [
            {k: ln.get(k) for k in ("sku", "name", "qty", "amount_fen", "category", "size")}
            for ln in p.get("lines", [])
        ]
        tx.execute(
            "INSERT INTO member_purchases(event_id, member_id, sale_id, store_id, till_no, "
            "kind, receipt_no, total_fen, associate, items, at) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT DO NOTHING",
            (
                event_id,
                canonical(tx, str(mid)),
                p.get("sale_id") or p.get("refund_id"),
                p.get("store_id") or store_id,
                p.get("till_no"),
                kind,
                p.get("receipt_no"),
                int(p.get("total_fen", 0)),
                p.get("associate"),
                _dump(items),
                str(p.get("completed_at", "")),
            ),
        )

    def _sv_debited(self, tx: Tx, event_id: str, p: Mapping[str, Any], device_id: str) -> None:
        if not p.get("offline"):
            return  # booked by the online debit call already
        mid = canonical(tx, str(p.get("member_id") or ""))
        amount = int(p.get("amount_fen", 0))
        ref = f"offline:{p.get('idempotency_key', event_id)}"
        if tx.execute("SELECT 1 FROM members WHERE id = ?", (mid,)).fetchone() is None:
            flag(
                tx,
                _now_iso(self.now()),
                mid,
                "unknown_member",
                amount,
                "offline debit for an unknown member",
                event_id,
                device_id,
            )
            return
        if tx.execute(
            "SELECT 1 FROM stored_value_ledger WHERE member_id = ? AND reference = ?", (mid, ref)
        ).fetchone():
            return
        tx.execute(
            "INSERT INTO stored_value_ledger(member_id, delta_fen, reference, device_id, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (mid, -amount, ref, device_id, _now_iso(self.now())),
        )
        clamp_bonus(tx, mid, ref, _now_iso(self.now()))  # paid stored value first, then bonus
        bal = int(
            tx.execute(
                "SELECT COALESCE(SUM(delta_fen), 0) FROM stored_value_ledger WHERE member_id = ?",
                (mid,),
            ).fetchone()[0]
        )
        if bal < 0:
            flag(
                tx,
                _now_iso(self.now()),
                mid,
                "stored_value_overdraft",
                -bal,
                f"offline debit {amount} fen left the balance at {bal} fen",
                event_id,
                device_id,
            )
        publish_member(tx, self.publish, mid)
