"""Immutable snapshots of a sale's member side (taken on the worker, painted on the GUI
thread): who is on the sale, the savings by name, points and the stored value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pos_app.domain.sale import Sale

if TYPE_CHECKING:
    from pos_app.bootstrap import App
    from pos_app.services.members.checkout import MemberCheckout


@dataclass(frozen=True, slots=True)
class SavingView:
    name: str
    kind: str
    ref: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class MemberBrief:
    member_id: str
    name: str
    phone_masked: str
    tier: str
    points: int
    stored_value_fen: int
    coupon: str | None
    points_asked: int
    points_used: int
    points_earned: int


def savings_of(sale: Sale) -> tuple[SavingView, ...]:
    return tuple(SavingView(s.name, s.kind, s.ref, s.amount_fen) for s in sale.savings)


def brief_of(mc: Any) -> MemberBrief | None:
    """The member on the sale (`MemberCheckout`), or None."""
    if mc is None or mc.member is None:
        return None
    m = mc.member
    extra = mc.sale.member_extra
    return MemberBrief(
        m.id,
        m.name,
        m.phone_masked,
        m.tier,
        m.points,
        int(extra.get("stored_value_balance_fen", m.stored_value_fen)),
        mc.coupon_code,
        mc.points,
        int(extra.get("points_redeemed", 0)),
        int(extra.get("points_earned", 0)),
    )


def saving_names(sale: Sale, line_no: int) -> str:
    """The savings on one line, by name (the line list shows them)."""
    return ", ".join(s.name for s in sale.savings if s.on_line(line_no))


def member_checkout(till: App, sale: Sale) -> MemberCheckout:
    """The sale's MemberCheckout (on the worker)."""
    from pos_app.services.members.checkout import MemberCheckout

    return MemberCheckout(till.members(), till.checkout, sale)
