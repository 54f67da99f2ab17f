"""The member side of a return: stored value back to the card, points given and taken back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pos_app.domain import events
from pos_app.domain.errors import RuleViolation
from pos_app.domain.tenders import Tender

from .member_base import CloudUnavailable, MemberBase

log = logging.getLogger(__name__)


class MemberReturns(MemberBase):
    def refund_payout(self, plan: dict[str, Any]) -> list[dict[str, Any]]:
        """Before a refund commits: stored value goes back onto the card through the cloud
        (online only, one Idempotency-Key per refund); other lines are returned unchanged."""
        member = (plan["original"].get("member") or {}).get("id")
        out = []
        for p in plan["payments"]:
            if p["tender"] == Tender.STORED_VALUE.value:
                cloud = self._cloud_call()
                if cloud is None or not member:
                    raise RuleViolation(
                        "Stored value goes back to the card only online: refund cash instead",
                        "储值退回需要连接云端，请改为退现金",
                    )
                try:
                    ans = cloud.credit(
                        str(member),
                        -int(p["amount_fen"]),
                        f"{plan['refund_id']}:sv",
                        f"refund:{plan['refund_id']}",
                    )
                except CloudUnavailable as err:
                    raise RuleViolation(
                        "Stored value goes back to the card only online: refund cash instead",
                        "储值退回需要连接云端，请改为退现金",
                    ) from err
                p = dict(p, reference=f"sv:{plan['refund_id']}:{ans.get('transaction_id', '')}")
            out.append(p)
        return out

    def within_refund(self) -> Callable[[dict[str, Any]], None]:
        """The in-transaction step for a refund: points earned on what is returned are taken
        back, in proportion to the refunded amount (rounded down, never below zero twice)."""

        def step(payload: dict[str, Any]) -> None:
            original = self.store.sale_payload(sale_id=payload["original_sale_id"]) or {}
            member = original.get("member") or {}
            mid, earned = member.get("id"), int(member.get("points_earned", 0) or 0)
            total = int(original.get("total_fen", 0))
            sv_back = -sum(
                int(p["amount_fen"])
                for p in payload["payments"]
                if p["tender"] == Tender.STORED_VALUE.value
            )
            if mid and sv_back:
                self.repo.adjust(mid, 0, sv_back, payload["completed_at"])
            if not mid or earned <= 0 or total <= 0:
                return
            back = earned * min(total, -int(payload["total_fen"])) // total
            if back <= 0:
                return
            now, day = payload["completed_at"], payload["business_day"]
            self.repo.add_ledger(
                mid,
                "points_redeemed",
                back,
                ref="refund",
                sale_id=payload["refund_id"],
                offline=False,
                business_day=day,
                at=now,
            )
            self.repo.adjust(mid, -back, 0, now)
            self.store.append_outbox(
                events.POINTS_REDEEMED,
                {
                    "member_id": mid,
                    "sale_id": payload["original_sale_id"],
                    "refund_id": payload["refund_id"],
                    "receipt_no": payload["receipt_no"],
                    "store_id": payload["store_id"],
                    "till_no": payload["till_no"],
                    "points": back,
                    "reason": "refund",
                    "at": now,
                },
                now,
            )

        return step
