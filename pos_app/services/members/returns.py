"""The member side of a return: stored value back to the card, points given and taken back."""

from __future__ import annotations

import logging
from typing import Any

from pos_app.domain import events
from pos_app.domain.errors import RuleViolation
from pos_app.domain.loyalty import points_settled_by_returns, refunded_value
from pos_app.domain.tenders import Tender

from .common import CloudUnavailable, MemberContext
from .store_credit import MemberStoreCredit

log = logging.getLogger(__name__)

RETURN_REF = "refund"  # member_ledger.ref of the points a return settles


class MemberReturns:
    """The member side of a return: before it commits (stored value back through the
    cloud) and inside its transaction (the mirror, points given and taken back)."""

    def __init__(self, ctx: MemberContext, store_credit: MemberStoreCredit) -> None:
        self.ctx = ctx
        self.store_credit = store_credit  # --refund store-credit: onto a member's stored value
        self.uow = ctx.uow
        self.repo = ctx.repo

    def refund_payout(self, plan: dict[str, Any]) -> list[dict[str, Any]]:
        """Before a refund commits: stored value goes back onto the card through the cloud
        (online only, one Idempotency-Key per refund); other lines are returned unchanged."""
        member = (plan["original"].get("member") or {}).get("id")
        out = []
        for p in plan["payments"]:
            if p["tender"] == Tender.STORED_VALUE.value:
                cloud = self.ctx.cloud()
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

    def book_refund(self, payload: dict[str, Any]) -> None:
        """Inside a refund's transaction (docs/members.md, "Returns"): stored value put back
        on the card moves the mirror; points earned on what is returned are taken back and
        points redeemed on it are given back, each in proportion to the value refunded so far
        over every return of the sale (rounded down; a full return settles exactly)."""
        self.store_credit.book(payload)
        original = self.uow.sales.payload(sale_id=payload["original_sale_id"]) or {}
        mid = (original.get("member") or {}).get("id")
        self._restore_coupon(original, payload, mid)
        if not mid:
            return
        now = payload["completed_at"]
        sv_back = -sum(
            int(p["amount_fen"])
            for p in payload["payments"]
            if p["tender"] == Tender.STORED_VALUE.value
        )
        if sv_back:
            self.repo.adjust(mid, 0, sv_back, now)
        take, give = self.points_on_return(original, payload["refund_id"])
        base = {
            "member_id": mid,
            "sale_id": payload["original_sale_id"],
            "refund_id": payload["refund_id"],
            "receipt_no": payload["receipt_no"],
            "store_id": payload["store_id"],
            "till_no": payload["till_no"],
            "reason": "refund",
            "at": now,
        }
        # taking back earned points is a `points.redeemed`, giving back redeemed points a
        # `points.earned`: the cloud's ledger applies both by event id (once)
        for kind, event, points in (
            ("points_redeemed", events.POINTS_REDEEMED, take),
            ("points_earned", events.POINTS_EARNED, give),
        ):
            if points <= 0:
                continue
            self.repo.add_ledger(
                mid,
                kind,
                points,
                ref=RETURN_REF,
                sale_id=payload["refund_id"],
                offline=False,
                business_day=payload["business_day"],
                at=now,
            )
            self.uow.outbox.add(event, base | {"points": points}, now)
        if take or give:
            self.repo.adjust(mid, give - take, 0, now)

    def _restore_coupon(
        self, original: dict[str, Any], payload: dict[str, Any], mid: str | None
    ) -> None:
        """The brand's rule `restore_coupon_on_full_return`: the return that completes a full
        return of the sale gives its coupon back (default: it does not)."""
        coupon = next((s for s in original.get("savings", []) if s.get("kind") == "coupon"), None)
        if coupon is None or not self.ctx.rules().restore_coupon_on_full_return:
            return
        returned = self.uow.sales.returned_qty(str(original["sale_id"]))
        if any(returned.get(int(ln["line_no"]), 0) < int(ln["qty"]) for ln in original["lines"]):
            return
        now = payload["completed_at"]
        self.repo.add_ledger(
            mid or "",
            "coupon_redeemed",
            -max(1, int(coupon["amount_fen"])),  # negative: a give-back (coupon_used_here)
            ref=str(coupon["ref"]),
            sale_id=payload["refund_id"],
            offline=False,
            business_day=payload["business_day"],
            at=now,
        )
        restored = {
            "code": coupon["ref"],
            "sale_id": original["sale_id"],
            "refund_id": payload["refund_id"],
        }
        self.uow.outbox.add(
            events.MEMBER_UPDATED,
            {"member_id": mid, "coupon_restored": restored, "at": now},
            now,
        )

    def points_on_return(self, original: dict[str, Any], refund_id: str) -> tuple[int, int]:
        """(earned points to take back, redeemed points to give back) for the refund
        `refund_id` of `original`, whose lines are already written (call it inside the
        refund's transaction).  Earned points are measured on the lines that earn points
        (`excluded_categories` do not), redeemed points on the points saving of each line."""
        member = original.get("member") or {}
        earned = int(member.get("points_earned") or 0)
        redeemed = int(member.get("points_redeemed") or 0)
        if earned <= 0 and redeemed <= 0:
            return 0, 0
        returned = self.uow.sales.returned_qty(str(original["sale_id"]))
        done = self.repo.points_settled_by_returns(str(original["sale_id"]), refund_id)
        lines = original.get("lines", [])
        got, sold = refunded_value(lines, returned, self.ctx.rules().excluded_categories)
        take = points_settled_by_returns(earned, got, sold) - done["taken_back"]
        on_line: dict[int, int] = {}
        for s in original.get("savings", []):
            if s.get("kind") == "points":
                for x in s.get("lines", []):
                    no = int(x["line_no"])
                    on_line[no] = on_line.get(no, 0) + int(x["amount_fen"])
        if on_line:
            spread = [ln | {"amount_fen": on_line.get(int(ln["line_no"]), 0)} for ln in lines]
            got, sold = refunded_value(spread, returned)
        else:  # no per-line record of the points saving: measure on the whole sale
            got, sold = refunded_value(lines, returned)
        give = points_settled_by_returns(redeemed, got, sold) - done["given_back"]
        return max(0, take), max(0, give)
