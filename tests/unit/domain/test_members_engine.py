"""The promotion engine: examples of every kind and properties over random baskets."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.domain.errors import InvalidInput, RuleViolation
from pos_app.domain.loyalty import LoyaltyRules, points_earned
from pos_app.domain.promotions import (
    BasketLine,
    Coupon,
    CouponKind,
    PointsRedemption,
    PromoKind,
    Promotion,
    price_basket,
)

SPEND = Promotion("P-MJ", "满300减50", PromoKind.SPEND_SAVE, threshold_fen=30000, off_fen=5000)
SPEND_ONCE = Promotion(
    "P-MJ1", "满500减100", PromoKind.SPEND_SAVE, threshold_fen=50000, off_fen=10000, repeat=False
)
ACC = Promotion(
    "P-ACC", "配饰8折", PromoKind.CATEGORY_PERCENT, categories=frozenset({"配饰"}), percent_bp=2000
)
TEE = Promotion(
    "P-TEE", "T恤买二送一", PromoKind.BUY_X_GET_Y, categories=frozenset({"T恤"}), buy=2, get=1
)
TIERS = {"core": 500, "potential": 200, "ordinary": 0}


def line(n: int, sku: str, cat: str, qty: int, price: int, member_priced: bool = False):
    return BasketLine(n, sku, cat, qty, price, qty * price, member_priced)


def test_spend_save_every_threshold_and_best_of_several() -> None:
    basket = [line(1, "A", "男装", 2, 35000)]  # ¥700
    p = price_basket(basket, [SPEND, SPEND_ONCE])
    # every ¥300 saves ¥50 → ¥100; 满500减100 once → ¥100; tie broken by id: P-MJ1 > P-MJ
    assert [(s.name, s.amount_fen) for s in p.savings] == [("满500减100", 10000)]
    p2 = price_basket([line(1, "A", "男装", 3, 35000)], [SPEND, SPEND_ONCE])  # ¥1050
    assert [(s.name, s.amount_fen) for s in p2.savings] == [("满300减50", 15000)]
    assert price_basket([line(1, "A", "男装", 1, 29999)], [SPEND]).savings == ()


def test_category_percent_and_buy_x_get_y_take_a_line_once() -> None:
    basket = [
        line(1, "TEE-W", "T恤", 2, 9900),
        line(2, "TEE-B", "T恤", 1, 7900),
        line(3, "SCARF", "配饰", 1, 59900),
    ]
    p = price_basket(basket, [ACC, TEE])
    named = {s.name: s.amount_fen for s in p.savings}
    assert named == {"T恤买二送一": 7900, "配饰8折": 11980}  # the cheapest tee is free


def test_tier_discount_skips_member_priced_and_promoted_lines() -> None:
    basket = [
        line(1, "JKT", "男装", 1, 26900, member_priced=True),
        line(2, "TEE", "男装", 1, 9900),
        line(3, "SCARF", "配饰", 1, 59900),
    ]
    p = price_basket(basket, [ACC], is_member=True, tier="core", tier_discount_bp=TIERS)
    tier = next(s for s in p.savings if s.kind == "tier")
    assert tier.name == "核心会员折扣"
    assert tier.lines == ((2, 495),)  # 5% of ¥99 only
    # a non-member gets no tier discount, and members-only promotions are skipped
    only = Promotion(
        "P-M", "会员专享9折", PromoKind.CATEGORY_PERCENT, percent_bp=1000, members_only=True
    )
    assert price_basket(basket, [only], tier="core", tier_discount_bp=TIERS).savings == ()


def test_coupons_cash_threshold_percent_and_count() -> None:
    basket = [line(1, "JKT", "男装", 1, 29900), line(2, "CARE", "服务", 1, 3000)]
    cash = Coupon("C50", CouponKind.CASH, "¥50 代金券", amount_fen=5000, threshold_fen=30000)
    p = price_basket(basket, coupon=cash)
    assert p.savings[0].amount_fen == 5000 and p.savings[0].ref == "C50"
    with pytest.raises(RuleViolation):
        price_basket([line(1, "TEE", "男装", 1, 9900)], coupon=cash)
    pct = Coupon("C9", CouponKind.PERCENT, "9折券", percent_bp=1000)
    assert price_basket(basket, coupon=pct).savings[0].amount_fen == 3290
    care = Coupon("CARE1", CouponKind.COUNT, "洗护次卡", categories=frozenset({"服务"}), uses=3)
    s = price_basket(basket, coupon=care).savings[0]
    assert (s.amount_fen, s.lines) == (3000, ((2, 3000),))
    with pytest.raises(RuleViolation):
        price_basket([line(1, "JKT", "男装", 1, 29900)], coupon=care)


def test_points_redemption_is_capped_at_a_share_of_the_bill() -> None:
    basket = [line(1, "TEE", "男装", 1, 9900)]
    p = price_basket(basket, points=PointsRedemption(100_000, 100, 5000))
    assert p.points_used == 4900 and p.savings[0].amount_fen == 4900  # ≤ 50% of ¥99
    assert "points_capped" in p.notes
    p2 = price_basket(basket, points=PointsRedemption(250, 100, 5000))
    assert p2.points_used == 200 and p2.savings[0].amount_fen == 200


def test_points_earning_multiplier_and_exclusions() -> None:
    rules = LoyaltyRules()
    lines = [{"amount_fen": 29999, "category": "男装"}, {"amount_fen": 3000, "category": "服务"}]
    assert points_earned(lines, "ordinary", rules) == 299
    assert points_earned(lines, "core", rules) == 598


def test_bad_promotion_data_is_refused_clearly() -> None:
    with pytest.raises(InvalidInput):
        Promotion.from_dict({"id": "X", "kind": "spend_save", "threshold_fen": 100, "off_fen": 0})
    with pytest.raises(InvalidInput):
        Promotion.from_dict({"id": "X", "kind": "lucky_draw"})
    with pytest.raises(InvalidInput):
        Promotion.from_dict({"id": "X", "kind": "category_percent", "percent_bp": -5})


# ---- properties ---------------------------------------------------------------------------

CATS = ["男装", "T恤", "配饰", "服务"]
SKUS = [f"S{i}" for i in range(8)]


@st.composite
def baskets(draw: st.DrawFn) -> list[BasketLine]:
    n = draw(st.integers(1, 6))
    out = []
    for i in range(n):
        sku = draw(st.sampled_from(SKUS))
        cat = CATS[SKUS.index(sku) % len(CATS)]
        qty = draw(st.integers(1, 4))
        price = draw(st.integers(0, 80000))
        gross = qty * price
        own = draw(st.integers(0, gross)) if draw(st.booleans()) else 0
        out.append(BasketLine(i + 1, sku, cat, qty, price, gross - own, draw(st.booleans())))
    return out


promos = st.lists(
    st.sampled_from(
        [
            SPEND,
            SPEND_ONCE,
            ACC,
            TEE,
            Promotion("P-ALL", "全场95折", PromoKind.CATEGORY_PERCENT, percent_bp=500),
            Promotion(
                "P-B1G1",
                "买一送一",
                PromoKind.BUY_X_GET_Y,
                skus=frozenset({"S1"}),
                buy=1,
                get=1,
                priority=5,
            ),
        ]
    ),
    unique_by=lambda p: p.id,
    max_size=5,
)
coupons = st.sampled_from(
    [
        None,
        Coupon("C1", CouponKind.PERCENT, percent_bp=1500),
        Coupon("C2", CouponKind.CASH, amount_fen=2000),
        Coupon("C3", CouponKind.COUNT, categories=frozenset({"服务"}), uses=1),
    ]
)


def _price(basket, ps, c, pts, tier):  # type: ignore[no-untyped-def]
    try:
        return price_basket(
            basket,
            ps,
            is_member=tier is not None,
            tier=tier,
            tier_discount_bp=TIERS,
            coupon=c,
            points=PointsRedemption(pts, 100, 5000) if pts else None,
        )
    except RuleViolation:
        return None  # a coupon that does not apply is refused as a whole


@settings(max_examples=300, deadline=None)
@given(
    baskets(),
    promos,
    coupons,
    st.integers(0, 50_000),
    st.sampled_from([None, "core", "potential", "ordinary"]),
    st.randoms(),
)
def test_engine_properties(basket, ps, c, pts, tier, rnd) -> None:  # type: ignore[no-untyped-def]
    p = _price(basket, ps, c, pts, tier)
    if p is None:
        return
    nets = {ln.line_no: ln.net_fen for ln in basket}
    per_line: dict[int, int] = {}
    for s in p.savings:
        assert s.amount_fen > 0
        assert s.amount_fen == sum(f for _, f in s.lines)  # spread exactly
        for n, f in s.lines:
            assert 0 < f <= nets[n]  # no saving larger than its line
            per_line[n] = per_line.get(n, 0) + f
    for n, f in per_line.items():
        assert f <= nets[n]  # totals never negative, line by line
    assert p.total_saving_fen <= sum(nets.values())
    # stacking: at most one spend-save, one coupon, one points, one tier saving; item
    # promotions never share a line
    kinds = [s.kind for s in p.savings]
    for k in ("spend_save", "coupon", "points", "tier"):
        assert kinds.count(k) <= 1
    item_lines = [
        n for s in p.savings if s.kind in ("category_percent", "buy_x_get_y") for n, _ in s.lines
    ]
    assert len(item_lines) == len(set(item_lines))
    if p.points_used:
        assert p.points_used <= pts
    # the same basket scanned in another order prices the same
    shuffled = list(basket)
    rnd.shuffle(shuffled)
    renumbered = [
        BasketLine(
            i + 1, ln.sku, ln.category, ln.qty, ln.unit_price_fen, ln.net_fen, ln.member_priced
        )
        for i, ln in enumerate(shuffled)
    ]
    q = _price(renumbered, list(reversed(ps)), c, pts, tier)
    assert q is not None
    assert sorted((s.name, s.amount_fen) for s in p.savings) == sorted(
        (s.name, s.amount_fen) for s in q.savings
    )
    assert p.points_used == q.points_used


def test_same_basket_many_orders_same_total() -> None:
    rnd = random.Random(3)
    basket = [line(i + 1, f"S{i % 5}", CATS[i % 4], 1 + i % 3, 1000 * (i + 3)) for i in range(9)]
    ps = [SPEND, ACC, TEE]
    base = price_basket(basket, ps).total_saving_fen
    for _ in range(20):
        rnd.shuffle(basket)
        assert price_basket(basket, ps).total_saving_fen == base
