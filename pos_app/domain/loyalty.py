"""Points, coupons and stored-value rules (pure; the cloud's ledger is the authority).

Points are earned per yuan actually paid on eligible categories, times the tier's multiplier,
rounded down.  Redemption is N points = ¥1, capped at a share of the bill (promotions.py does
the arithmetic).  Stored value moves online; offline a debit is allowed only under a per-card
and a per-till cap per business day, and is reconciled by the cloud.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from .errors import RuleViolation
from .money import div_round_half_up, format_fen
from .promotions import Coupon, CouponKind

DEFAULT_FOLLOWUPS = (
    timedelta(minutes=30),
    timedelta(days=3),
    timedelta(days=30),
    timedelta(days=60),
    timedelta(days=90),
)


@dataclass(frozen=True, slots=True)
class LoyaltyRules:
    earn_points_per_yuan: int = 1
    tier_multiplier_bp: Mapping[str, int] = field(
        default_factory=lambda: {"core": 20_000, "potential": 15_000, "ordinary": 10_000}
    )
    tier_discount_bp: Mapping[str, int] = field(
        default_factory=lambda: {"core": 500, "potential": 200, "ordinary": 0}
    )
    excluded_categories: frozenset[str] = frozenset({"服务"})
    redeem_points_per_yuan: int = 100
    redeem_cap_bp: int = 5000
    offline_sv_per_card_fen: int = 50_000
    offline_sv_per_till_fen: int = 200_000
    lapsed_days: int = 180
    followups: tuple[timedelta, ...] = DEFAULT_FOLLOWUPS
    # a fully returned sale gives its coupon back only if the brand says so (docs/members.md)
    restore_coupon_on_full_return: bool = False

    @classmethod
    def from_settings(cls, s: Mapping[str, str]) -> LoyaltyRules:
        """From the till's `loyalty_rules` setting or the cloud's `loyalty` config (JSON)."""
        raw = s.get("loyalty_rules")
        if not raw:
            return cls()
        d: dict[str, Any] = json.loads(raw)
        base = cls()
        kw: dict[str, Any] = {}
        for k in (
            "earn_points_per_yuan",
            "redeem_points_per_yuan",
            "redeem_cap_bp",
            "offline_sv_per_card_fen",
            "offline_sv_per_till_fen",
            "lapsed_days",
        ):
            if k in d:
                kw[k] = int(d[k])
        for k in ("tier_multiplier_bp", "tier_discount_bp"):
            if k in d:
                kw[k] = {str(t): int(v) for t, v in d[k].items()}
        if "excluded_categories" in d:
            kw["excluded_categories"] = frozenset(str(c) for c in d["excluded_categories"])
        if "restore_coupon_on_full_return" in d:
            kw["restore_coupon_on_full_return"] = d["restore_coupon_on_full_return"] is True
        if "followup_minutes" in d:
            kw["followups"] = tuple(timedelta(minutes=int(m)) for m in d["followup_minutes"])
        rules = cls(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **kw})
        if rules.redeem_points_per_yuan < 1 or not 0 <= rules.redeem_cap_bp <= 10_000:
            raise RuleViolation(
                "loyalty_rules: redeem_points_per_yuan must be ≥ 1 and redeem_cap_bp 0–10000",
                "积分规则设置有误：兑换比例须 ≥ 1，上限须在 0–10000 基点",
            )
        return rules


def points_earned(lines: Sequence[Mapping[str, Any]], tier: str, rules: LoyaltyRules) -> int:
    """Points for a completed sale's lines (`amount_fen`, `category`): whole yuan paid on
    eligible categories × points per yuan × the tier multiplier, rounded down."""
    paid = sum(
        int(x["amount_fen"]) for x in lines if x.get("category") not in rules.excluded_categories
    )
    mult = rules.tier_multiplier_bp.get(tier, 10_000)
    return max(0, (paid // 100) * rules.earn_points_per_yuan * mult // 10_000)


def points_settled_by_returns(points: int, refunded_fen: int, sold_fen: int) -> int:
    """How many of a sale's `points` a return settles once `refunded_fen` of the `sold_fen`
    it was measured on has been refunded, counted over every return of that sale so far.

    Rounded down, so a partial return never settles more than its share (the brand never takes
    back more earned points, nor gives back more redeemed points, than the value returned);
    once everything is refunded, exactly all of them.  A return settles the difference between
    this figure after it and before it, so the rounding never adds up across many returns."""
    if points <= 0 or sold_fen <= 0 or refunded_fen <= 0:
        return 0
    if refunded_fen >= sold_fen:
        return points
    return points * refunded_fen // sold_fen


def refunded_value(
    lines: Sequence[Mapping[str, Any]],
    returned_qty: Mapping[int, int],
    excluded_categories: frozenset[str] = frozenset(),
) -> tuple[int, int]:
    """(refunded, sold) fen over a sale's lines (`line_no`, `qty`, `amount_fen`, `category`)
    given the units returned so far per line, skipping `excluded_categories`.

    A line's refunded value is what returning that many units gives back in total
    (returns.refundable_amount rounds per unit so that every step adds up to exactly this)."""
    sold = refunded = 0
    for ln in lines:
        if ln.get("category") in excluded_categories:
            continue
        amount, qty = int(ln["amount_fen"]), int(ln["qty"])
        back = min(qty, returned_qty.get(int(ln["line_no"]), 0))
        sold += amount
        if back and qty:
            refunded += div_round_half_up(amount * back, qty)
    return refunded, sold


def check_coupon(c: Coupon, member_id: str | None, now: datetime) -> None:
    """Refuse a coupon that is used, expired, someone else's, or has no uses left."""
    if c.redeemed:
        raise RuleViolation(f"Coupon {c.code} was already used", f"券 {c.code} 已被使用")
    if c.member_id and c.member_id != member_id:
        raise RuleViolation(
            f"Coupon {c.code} belongs to another member", f"券 {c.code} 属于其他会员"
        )
    if c.expires_at and datetime.fromisoformat(c.expires_at.replace("Z", "+00:00")) <= now:
        raise RuleViolation(f"Coupon {c.code} has expired", f"券 {c.code} 已过期")
    if c.starts_at and datetime.fromisoformat(c.starts_at.replace("Z", "+00:00")) > now:
        raise RuleViolation(
            f"Coupon {c.code} is not valid before {c.starts_at[:10]}: take it then",
            f"券 {c.code} 自 {c.starts_at[:10]} 起才能使用",
        )
    if c.kind is CouponKind.COUNT and c.uses < 1:
        raise RuleViolation(f"Coupon {c.code} has no uses left", f"券 {c.code} 已无剩余次数")


def usable_here(c: Coupon, uses_total: int, used_here: int) -> Coupon:
    """The coupon as this till may use it, given its own redemptions (`used_here`, net of
    give-backs).  A one-time coupon redeemed here is used.  A count coupon (计次券) keeps the
    uses left: what the cloud last published (`c.uses`), but never more than its total less
    this till's own uses, which the cloud's figure may not count yet (offline, or not pulled).
    Counting any use here as "used" refused a count coupon's second use with uses left."""
    if c.kind is CouponKind.COUNT:
        return replace(c, uses=max(0, min(c.uses, uses_total - used_here)))
    if used_here > 0:
        raise RuleViolation(f"Coupon {c.code} was already used", f"券 {c.code} 已被使用")
    return c


def coupon_uses_total(d: Mapping[str, Any]) -> int:
    """A count coupon's uses at issue: the cloud publishes `uses` (left) and, once one was
    used, `uses_total` (what it began with)."""
    raw = d.get("uses_total", d.get("uses", 1))
    return int(raw) if isinstance(raw, int) and not isinstance(raw, bool) else 1


def check_offline_debit(
    amount_fen: int,
    *,
    balance_fen: int,
    card_offline_fen: int,
    till_offline_fen: int,
    rules: LoyaltyRules,
) -> None:
    """An offline stored-value debit: under the card's and the till's caps (per business day)
    and under the balance this till last saw.  That balance already carries this till's own
    debits (each completed sale adjusts the local mirror), so they are not subtracted again.
    The loss if two tills spend the same card offline is at most the per-card cap per till."""
    if amount_fen > balance_fen:
        raise RuleViolation(
            f"The card's balance (¥{format_fen(max(0, balance_fen))}) is not enough",
            f"储值余额不足（¥{format_fen(max(0, balance_fen))}）",
        )
    if card_offline_fen + amount_fen > rules.offline_sv_per_card_fen:
        raise RuleViolation(
            "The cloud cannot be reached and this card's offline limit "
            f"(¥{format_fen(rules.offline_sv_per_card_fen)} a day) would be exceeded: "
            "take another tender or retry when online",
            f"云端无法连接，本卡离线消费将超过每日上限 ¥{format_fen(rules.offline_sv_per_card_fen)}，"
            "请使用其他支付方式或联网后重试",
        )
    if till_offline_fen + amount_fen > rules.offline_sv_per_till_fen:
        raise RuleViolation(
            "The cloud cannot be reached and this till's offline stored-value limit "
            f"(¥{format_fen(rules.offline_sv_per_till_fen)} a day) would be exceeded: "
            "take another tender or retry when online",
            f"云端无法连接，本机离线储值消费将超过每日上限 "
            f"¥{format_fen(rules.offline_sv_per_till_fen)}，请使用其他支付方式",
        )


def followup_times(at: datetime, rules: LoyaltyRules) -> list[datetime]:
    return [at + d for d in rules.followups]
