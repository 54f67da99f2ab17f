"""The member side of one sale, shared by `guitai sale` and the till's screen.

Who the member is, which coupon and how many points, the promotion engine's prices, the
coupon reserved with the cloud before the first payment, stored value as a tender, and the
completion with the member ledger's bookings in the sale's transaction
(`MemberLedger.book_sale`).  When the sale fails or is abandoned the coupon is released and
stored value debited online is given back (docs/members.md, "Points, coupons, stored value").

The CLI settles a sale in one go (`settle`); the screen calls the steps as the cashier taps
(`attach`, `apply_coupon`, `redeem_points`, `pay`, `complete`, `abandon`).  Every method
touches the database or the cloud: the screen runs them on its worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pos_app.domain.errors import GuitaiError, InvalidInput, RuleViolation
from pos_app.domain.members import Member
from pos_app.domain.money import percent_of
from pos_app.domain.promotions import Pricing
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Approval, Sale
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.tenders import Tender, TenderLine
from pos_app.domain.users import User

from ..checkout import Checkout
from .parts import Members
from .returns import MemberReturns

log = logging.getLogger(__name__)

TextCallback = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class PayStep:
    """One tender of a planned payment (`guitai sale --pay TENDER:AMOUNT[:CODE]`)."""

    tender: Tender
    amount_fen: int
    code: str | None = None


@dataclass(frozen=True, slots=True)
class PointsCap:
    """How many points this bill can take: what the member has, capped per the rules."""

    usable: int  # the most points the engine will use on this bill now
    balance: int  # what the member has
    points_per_yuan: int
    cap_bp: int  # share of what is left to pay


class MemberCheckout:
    """One sale's member state and the steps that move money-like balances."""

    def __init__(self, members: Members, checkout: Checkout, sale: Sale) -> None:
        self.members = members
        self.checkout = checkout
        self.sale = sale
        self.member: Member | None = None
        self.coupon_code: str | None = None
        self.points = 0
        self.pricing: Pricing | None = None
        self.coupon_reserved = False

    # ---- who, and the prices ------------------------------------------------------------

    def attach(self, member: Member) -> Pricing:
        """Put the member on the sale (lines get member prices) and price it again.  A coupon
        or points chosen for another member are dropped."""
        if self.member is not None and self.member.id != member.id:
            self.coupon_code, self.points = None, 0
        self.members.pricing.attach(self.sale, member)
        self.member = member
        return self.price()

    def detach(self) -> Pricing:
        """Take the member off: list prices again on lines not discounted by hand; the
        coupon and points go too."""
        s = self.sale
        s.member_id = None
        s.member_phone_masked = None
        s.member_extra = {}
        for ln in s.lines:
            if ln.discount is None:
                ln.unit_price_fen = ln.list_price_fen
        self.member = None
        self.coupon_code, self.points = None, 0
        return self.price()

    def resume(self) -> GuitaiError | None:
        """A parked sale came back with its member, savings and points preview: take up its
        coupon and points again and price it against the member's balances now (a coupon
        used meanwhile elsewhere is taken off; returns why)."""
        s = self.sale
        if s.member_id:
            try:
                self.member = self.members.directory.by_id(s.member_id)
            except GuitaiError:
                self.member = None
                s.member_id = None
                s.member_phone_masked = None
        self.coupon_code = next((x.ref for x in s.savings if x.kind == "coupon"), None)
        asked = int(s.member_extra.get("points_redeemed", 0) or 0)
        self.points = min(asked, self.member.points) if self.member is not None else 0
        return self.reprice()

    def refresh_member(self) -> Member | None:
        """Read the member again (balances after a top-up or another till's sale)."""
        if self.member is not None:
            self.member = self.members.directory.by_id(self.member.id)
        return self.member

    def price(self) -> Pricing:
        """Run the promotion engine with the chosen coupon and points."""
        self.pricing = self.members.pricing.price(
            self.sale, self.member, self.coupon_code, self.points
        )
        return self.pricing

    def reprice(self) -> GuitaiError | None:
        """After the lines changed (their savings are cleared): price again.  A coupon (or
        points) that no longer apply are dropped; returns what was dropped and why."""
        if (
            self.member is None
            and self.coupon_code is None
            and not self.points
            and not self.members.pricing.promotions()
        ):
            # nothing can save anything: skip the engine (a scan into a 100-line sale
            # would otherwise pay ~0.5 ms for an empty answer)
            self.sale.savings = []
            self.pricing = Pricing(())
            return None
        try:
            self.price()
        except GuitaiError as err:
            if self.coupon_code is None and not self.points:
                raise
            dropped = self.coupon_code
            self.coupon_code = None
            try:
                self.price()
            except GuitaiError:
                self.points = 0
                self.price()
            if dropped is None:
                return RuleViolation(
                    f"The points were taken off: {err.message}", f"已取消积分抵现：{err.message_zh}"
                )
            return RuleViolation(
                f"Coupon {dropped} was taken off: {err.message}",
                f"券 {dropped} 已移除：{err.message_zh}",
            )
        return None

    def apply_coupon(self, code: str | None) -> Pricing:
        """Use this coupon (None removes it).  A coupon that is used, expired, someone
        else's or does not apply is refused and the sale keeps its prices."""
        self._before_change()
        code = code.strip() if code else None
        previous = self.coupon_code
        self.coupon_code = code or None
        try:
            return self.price()
        except GuitaiError:
            self.coupon_code = previous
            self.price()
            raise

    def redeem_points(self, points: int) -> Pricing:
        """Redeem up to `points` (0 stops redeeming); the engine caps them per the rules."""
        self._before_change()
        previous = self.points
        self.points = points
        try:
            return self.price()
        except GuitaiError:
            self.points = previous
            self.price()
            raise

    def points_cap(self) -> PointsCap:
        """The most points this bill takes now: whole yuan, capped at the rules' share of
        what is left after the other savings (promotions.py, step 6)."""
        rules = self.members.context.rules()
        balance = self.member.points if self.member is not None else 0
        left = sum(ln.net_fen for ln in self.sale.lines) - sum(
            s.amount_fen for s in self.sale.savings if s.kind != "points"
        )
        cap_fen = percent_of(left, rules.redeem_cap_bp) if rules.redeem_cap_bp < 10_000 else left
        per = rules.redeem_points_per_yuan
        usable = min(balance // per, max(0, cap_fen) // 100) * per
        return PointsCap(usable, balance, per, rules.redeem_cap_bp)

    def _before_change(self) -> None:
        if self.sale.tenders:
            raise RuleViolation(
                "Payment has started: cancel the payments before changing coupons or points",
                "已开始付款：请先取消付款，再修改优惠券或积分",
            )

    # ---- paying -------------------------------------------------------------------------

    def check_plan(self, plan: Sequence[PayStep]) -> None:
        """Refuse a plan that cannot be paid before anything is reserved or charged."""
        for step in plan:
            if step.tender is Tender.STORED_VALUE:
                if self.member is None:
                    raise InvalidInput(
                        "Stored value needs the member: add --member PHONE",
                        "储值支付需要会员：请加 --member 手机号",
                    )
                continue
            self.checkout.check_available(step.tender)  # a link that is down refuses at once

    def begin_payment(self) -> None:
        """Reserve the coupon with the cloud before the first payment (once)."""
        if not self.coupon_reserved:
            self.members.pricing.reserve_coupon(self.sale)
            self.coupon_reserved = True

    def pay(
        self,
        tender: Tender,
        amount_fen: int,
        code: str | None = None,
        on_text: TextCallback | None = None,
    ) -> TenderLine:
        """One payment: stored value through the member service (the cloud, or offline under
        the caps), everything else through the checkout.  If the first payment fails the
        coupon is released again (the cashier may change the sale)."""
        self.begin_payment()
        try:
            if tender is Tender.STORED_VALUE:
                if self.member is None:
                    raise InvalidInput(
                        "Stored value needs a member on the sale: find the member first",
                        "储值支付需要会员：请先查找会员",
                    )
                return self.members.stored_value.pay_stored_value(
                    self.sale, self.member, amount_fen
                )
            return self.checkout.pay(self.sale, tender, amount_fen, code, on_text)
        except BaseException:
            if not self.sale.tenders:
                self._release_coupon()
            raise

    def complete(self) -> dict[str, Any]:
        """Commit the sale with the member ledger, points, stored value and follow-ups."""
        payload = self.checkout.complete(self.sale, self.members.ledger)
        self.coupon_reserved = False
        return payload

    def abandon(self) -> None:
        """The sale will not complete: release the coupon, give back stored value debited
        online, and card or wallet money already taken.  Each step is tried even when an
        earlier one fails (what could not be given back is logged for a manual fix)."""
        self._release_coupon()
        try:
            self.members.stored_value.give_back_stored_value(self.sale)
        except GuitaiError:
            log.exception("stored value of sale %s needs a manual credit", self.sale.id)
        self.sale.tenders = [t for t in self.sale.tenders if t.tender is not Tender.STORED_VALUE]
        self.checkout.abandon(self.sale)

    def _release_coupon(self) -> None:
        if self.coupon_reserved:
            self.coupon_reserved = False
            try:
                self.members.pricing.release_coupon(self.sale)
            except GuitaiError:
                log.exception(
                    "coupon of sale %s stays redeemed: release it in the cloud", self.sale.id
                )

    def settle(
        self, plan: Sequence[PayStep], on_text: TextCallback | None = None
    ) -> dict[str, Any]:
        """Pay the whole plan and complete (the CLI): all or nothing."""
        self.check_plan(plan)
        self.begin_payment()
        try:
            for step in plan:
                self.pay(step.tender, step.amount_fen, step.code, on_text)
            return self.complete()
        except BaseException:
            self.abandon()
            raise


def member_refund(
    checkout: Checkout,
    returns: MemberReturns,
    cashier: User,
    receipt_no: int,
    requests: list[ReturnRequest] | None,
    mode: str = "cash",
    reason: str = "",
    approvals: list[Approval] | None = None,
    on_text: TextCallback | None = None,
    *,
    quality: bool = False,
    gift: bool = False,
    sold_at: SoldAt | None = None,
    credit_to: str | None = None,
) -> dict[str, Any]:
    """A return with its member side (`guitai return` and the till's returns screen): stored
    value paid goes back to the card when refunding to the original tenders, and the points
    the sale earned and redeemed are settled in proportion, in the refund's own transaction."""
    return checkout.refund(
        cashier,
        receipt_no,
        requests,
        mode,
        reason,
        approvals,
        on_text=on_text,
        member=returns,
        quality=quality,
        gift=gift,
        sold_at=sold_at,
        credit_to=credit_to,
    )
