"""The member side of a completed sale: ledger rows, outbox events, balances, follow-ups."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pos_app.domain import events
from pos_app.domain.loyalty import followup_times
from pos_app.domain.tenders import Tender
from pos_app.domain.timeutil import iso_utc

from .common import MemberContext
from .pricing import CouponHolds

log = logging.getLogger(__name__)


class MemberLedger:
    """A completed sale's bookings in the member ledger, inside the sale's transaction."""

    def __init__(self, ctx: MemberContext, holds: CouponHolds) -> None:
        self.ctx = ctx
        self.uow = ctx.uow
        self.repo = ctx.repo
        self.holds = holds

    def book_sale(self, payload: dict[str, Any]) -> None:
        """Inside a member sale's transaction: ledger rows, outbox events, the mirror's
        balances and the associate's follow-ups commit with the sale or not at all."""
        member = payload.get("member") or {}
        mid = member.get("id")
        now = payload["completed_at"]
        day = payload["business_day"]
        base = {
            "member_id": mid,
            "sale_id": payload["sale_id"],
            "receipt_no": payload["receipt_no"],
            "store_id": payload["store_id"],
            "till_no": payload["till_no"],
            "at": now,
        }
        for s in payload.get("savings", []):
            if s["kind"] != "coupon":
                continue
            offline = not self.holds.take(payload["sale_id"])
            self.repo.add_ledger(
                mid or "",
                "coupon_redeemed",
                int(s["amount_fen"]),
                ref=s["ref"],
                sale_id=payload["sale_id"],
                offline=offline,
                business_day=day,
                at=now,
            )
            self.uow.outbox.add(
                events.COUPON_REDEEMED,
                base | {"code": s["ref"], "amount_fen": s["amount_fen"], "offline": offline},
                now,
            )
        if not mid:
            return
        earned = int(member.get("points_earned", 0))
        used = int(member.get("points_redeemed", 0))
        sv_total = 0
        for p in payload["payments"]:
            if p["tender"] != Tender.STORED_VALUE.value:
                continue
            ref = str(p.get("reference") or "")
            offline = ref.startswith("sv-offline:")
            key = ref.split(":")[1] if ":" in ref else ref
            amount = int(p["amount_fen"])
            sv_total += amount
            self.repo.add_ledger(
                mid,
                "sv_debit",
                amount,
                ref=key,
                sale_id=payload["sale_id"],
                offline=offline,
                business_day=day,
                at=now,
            )
            self.uow.outbox.add(
                events.STORED_VALUE_DEBITED,
                base | {"amount_fen": amount, "idempotency_key": key, "offline": offline},
                now,
            )
        if used:
            self.repo.add_ledger(
                mid,
                "points_redeemed",
                used,
                ref="points",
                sale_id=payload["sale_id"],
                offline=False,
                business_day=day,
                at=now,
            )
            self.uow.outbox.add(events.POINTS_REDEEMED, base | {"points": used}, now)
        if earned:
            self.repo.add_ledger(
                mid,
                "points_earned",
                earned,
                ref="sale",
                sale_id=payload["sale_id"],
                offline=False,
                business_day=day,
                at=now,
            )
            self.uow.outbox.add(events.POINTS_EARNED, base | {"points": earned}, now)
        self.repo.adjust(mid, earned - used, -sv_total, now)
        assoc = payload.get("associate")
        if assoc:
            done = datetime.fromisoformat(now.replace("Z", "+00:00"))
            plan = [
                {
                    "step": i,
                    "due_at": iso_utc(due),
                    "associate": assoc,
                    "sale_id": payload["sale_id"],
                }
                for i, due in enumerate(followup_times(done, self.ctx.rules()), start=1)
            ]
            for f in plan:
                self.repo.add_followup(mid, payload["sale_id"], assoc, f["step"], f["due_at"], now)
            # synced so the brand's CRM (and the associate's phone) see the schedule
            self.uow.outbox.add(
                events.MEMBER_UPDATED, {"member_id": mid, "followups": plan, "at": now}, now
            )
