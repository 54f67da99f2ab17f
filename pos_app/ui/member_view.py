"""Immutable snapshots of a sale's member side (taken on the worker, painted on the GUI
thread): who is on the sale, the savings by name, points and the stored value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pos_app.domain.sale import Sale


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


def with_savings(text: str, payload: dict[str, Any], lang: str) -> str:
    """The on-screen receipt with each saving by name above the total (as the printed
    receipt's 优惠明细 block)."""
    savings = payload.get("savings") or []
    if not savings:
        return text
    from pos_app.domain.money import format_fen

    zh = lang.startswith("zh")
    block = ["优惠明细" if zh else "Savings"] + [
        f"  {s['name']}  -{format_fen(int(s['amount_fen']))}" for s in savings
    ]
    member = payload.get("member") or {}
    if member.get("points_earned") is not None:
        block.append(
            f"{'本单积分' if zh else 'Points earned'}  {member.get('points_earned', 0)}"
            + (
                f"  {'积分余额' if zh else 'balance'} {member['points_balance']}"
                if member.get("points_balance") is not None
                else ""
            )
        )
    lines = text.split("\n")
    at = next((i for i, ln in enumerate(lines) if ln.startswith(("合计", "TOTAL"))), len(lines))
    return "\n".join(lines[:at] + block + lines[at:])


def member_checkout(till: Any, sale: Sale) -> Any:
    """The sale's MemberCheckout when the till has members and a checkout (on the worker)."""
    checkout = getattr(till, "checkout", None)
    if checkout is None or not hasattr(till, "members"):
        return None
    from pos_app.services.member_checkout import MemberCheckout

    return MemberCheckout(till.members, checkout, sale)
