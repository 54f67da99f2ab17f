"""Member prices, the promotion engine over a sale, coupons reserved with the cloud."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pos_app.domain.errors import GuitaiError, InvalidInput, NotFound, RuleViolation
from pos_app.domain.loyalty import (
    LoyaltyRules,
    check_coupon,
    coupon_uses_total,
    points_earned,
    usable_here,
)
from pos_app.domain.members import Member
from pos_app.domain.promo_windows import PricingContext
from pos_app.domain.promotions import (
    BasketLine,
    Coupon,
    PointsRedemption,
    Pricing,
    Promotion,
    price_basket,
)
from pos_app.domain.sale import Sale, Sellable

from .common import CloudUnavailable, MemberContext
from .directory import MemberDirectory

log = logging.getLogger(__name__)


class CouponHolds:
    """The coupons reserved with the cloud for sales not yet ended: sale id -> confirmed
    online.  The pricing holds one before payment; the sale's completion takes it (the
    redemption is booked online or offline) or its abandonment does (a coupon the cloud
    redeemed is released).  One per till, shared by the pricing and the ledger; each entry
    is set and taken by single dict operations, so the UI and CLI threads do not race."""

    def __init__(self) -> None:
        self._online: dict[str, bool] = {}

    def hold(self, sale_id: str, online: bool) -> None:
        self._online[sale_id] = online

    def take(self, sale_id: str) -> bool:
        """Whether the cloud confirmed the sale's coupon; the hold ends."""
        return self._online.pop(sale_id, False)


class MemberPricing:
    """Member prices, promotions, coupons and points over a sale."""

    def __init__(
        self,
        ctx: MemberContext,
        directory: MemberDirectory,
        lookup: Callable[[str], Sellable],
        holds: CouponHolds,
    ) -> None:
        self.ctx = ctx
        self.repo = ctx.repo
        self.directory = directory
        self.lookup = lookup
        self.holds = holds

    # ---- prices and promotions --------------------------------------------------------

    def attach(self, sale: Sale, member: Member) -> None:
        """Put the member on the sale; lines already scanned get their member price."""
        sale.member_id = member.id
        sale.member_phone_masked = member.phone_masked
        for ln in sale.lines:
            if ln.discount is not None:
                continue
            item = self.lookup(ln.sku)
            if item.member_price_fen is not None and item.member_price_fen < ln.unit_price_fen:
                ln.unit_price_fen = item.member_price_fen
        sale.savings = []

    def promotions(self) -> list[Promotion]:
        out = []
        for d in self.repo.promotions():
            try:
                out.append(Promotion.from_dict(d))
            except GuitaiError:
                log.warning("promotion %s from the cloud is not valid; skipped", d.get("id"))
        return out

    def context(self, promotions: list[Promotion], member: Member | None) -> PricingContext:
        """The clock, the store and its zone, and which of the segments the promotions name
        the member is in: the cloud publishes each such segment's member ids as the config
        `segment_members.<NAME>` (cloud/members/segments.py)."""
        ident = self.ctx.identity
        mine: set[str] = set()
        if member is not None:
            for name in {s for p in promotions for s in p.audience.segments}:
                published = self.repo.cloud_config(f"segment_members.{name}")
                ids = published.get("members", []) if isinstance(published, dict) else []
                if member.id in ids:
                    mine.add(name)
        return PricingContext(self.ctx.clock.now(), ident.tz, ident.store_id, frozenset(mine))

    def coupon(self, code: str, member: Member | None) -> Coupon:
        d = self.repo.coupon(code.strip())
        if d is None:
            raise NotFound(f"No coupon {code} on this till", f"本机没有券 {code}")
        c = Coupon.from_dict(d)
        c = usable_here(c, coupon_uses_total(d), self.repo.coupon_uses_here(c.code))
        check_coupon(c, member.id if member else None, self.ctx.clock.now())
        return c

    def price(
        self,
        sale: Sale,
        member: Member | None,
        coupon_code: str | None = None,
        points: int = 0,
    ) -> Pricing:
        """Run the promotion engine over the sale and put its savings on it."""
        rules = self.ctx.rules()
        if points < 0:
            raise InvalidInput("Points to redeem cannot be negative", "兑换积分不能为负数")
        if points and member is None:
            raise RuleViolation("Only a member can redeem points", "只有会员可以使用积分")
        if member is not None and points > member.points:
            raise RuleViolation(
                f"The member has {member.points} points, not {points}",
                f"会员只有 {member.points} 积分，不足 {points}",
            )
        coupon = self.coupon(coupon_code, member) if coupon_code else None
        sale.savings = []
        promotions = self.promotions()
        basket = [
            BasketLine(
                ln.line_no,
                ln.sku,
                ln.category,
                ln.qty,
                ln.unit_price_fen,
                ln.net_fen,
                member_priced=ln.unit_price_fen < ln.list_price_fen and ln.discount is None,
            )
            for ln in sale.lines
        ]
        pricing = price_basket(
            basket,
            promotions,
            is_member=member is not None,
            tier=member.tier if member else None,
            tier_discount_bp=rules.tier_discount_bp,
            coupon=coupon,
            points=PointsRedemption(points, rules.redeem_points_per_yuan, rules.redeem_cap_bp)
            if points
            else None,
            context=self.context(promotions, member),
        )
        sale.apply_savings(list(pricing.savings))
        if member is not None:
            self._preview_points(sale, member, pricing.points_used, rules)
        return pricing

    def _preview_points(self, sale: Sale, member: Member, used: int, rules: LoyaltyRules) -> None:
        lines = [
            {
                "amount_fen": ln.net_fen - sale.saving_on_line(ln.line_no),
                "category": ln.category,
            }
            for ln in sale.lines
        ]
        earned = points_earned(lines, member.tier, rules)
        sale.member_extra = {
            "tier": member.tier,
            "points_earned": earned,
            "points_redeemed": used,
            "points_balance": member.points - used + earned,
            "stored_value_balance_fen": member.stored_value_fen,
        }

    def reserve_coupon(self, sale: Sale) -> bool:
        """Redeem the sale's coupon with the cloud before payment (a coupon used at another
        till is refused here).  Offline: allowed once per till, reconciled by the cloud.
        Returns whether it was confirmed online."""
        code = next((s.ref for s in sale.savings if s.kind == "coupon"), None)
        if code is None:
            return False
        cloud = self.ctx.cloud()
        online = False
        if cloud is not None:
            try:
                cloud.redeem_coupon(code, sale.member_id or "", sale.id, f"coupon:{sale.id}:{code}")
                online = True
            except CloudUnavailable:
                online = False
        self.holds.hold(sale.id, online)
        return online

    def release_coupon(self, sale: Sale) -> None:
        """The sale was abandoned: give back a coupon the cloud redeemed for it."""
        if not self.holds.take(sale.id):
            return
        code = next((s.ref for s in sale.savings if s.kind == "coupon"), None)
        cloud = self.ctx.cloud()
        if code is None or cloud is None:
            return
        try:
            cloud.release_coupon(code, sale.id)
        except CloudUnavailable:
            log.error(
                "coupon %s of abandoned sale %s stays redeemed: release it in the cloud",
                code,
                sale.id,
            )

    def reprice_resumed(self, sale: Sale) -> Pricing | None:
        """A parked sale taken up again (`SaleService.resume`): price it afresh with the coupon
        and the points it was parked with, against the member's balances now.  The savings
        came back with the sale; this checks they still hold (a coupon used meanwhile at
        another till, points spent elsewhere) and refreshes the balances it shows.  None for
        a sale without a member."""
        if not sale.member_id:
            return None
        member = self.directory.by_id(sale.member_id)
        code = next((s.ref for s in sale.savings if s.kind == "coupon"), None)
        points = int(sale.member_extra.get("points_redeemed", 0) or 0)
        return self.price(sale, member, code, min(points, member.points))
