"""Promotions with date and time windows and audiences in the one pricing engine (issue 21,
item 5): every month's 18th, weekends, a campaign week, happy hours, tiers, segments, stores;
the store's time zone decides the day; precedence unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pos_app.domain.errors import InvalidInput
from pos_app.domain.loyalty import check_coupon
from pos_app.domain.promo_windows import PricingContext
from pos_app.domain.promotions import BasketLine, Coupon, Promotion, price_basket

LINES = [BasketLine(1, "TEE", "男装", 1, 10000, 10000)]


def _promo(**extra: object) -> Promotion:
    return Promotion.from_dict({"id": "P", "kind": "category_percent", "percent_bp": 1000, **extra})


def _saves(
    p: Promotion,
    at: datetime,
    *,
    tier: str | None = "core",
    store: str = "S001",
    segments: frozenset[str] = frozenset(),
    tz: str = "Asia/Shanghai",
) -> int:
    ctx = PricingContext(at, tz, store, segments)
    pricing = price_basket(LINES, [p], is_member=tier is not None, tier=tier, context=ctx)
    return sum(s.amount_fen for s in pricing.savings if s.ref == "P")


def test_every_months_18th_in_the_stores_zone() -> None:
    p = _promo(days_of_month=[18])
    assert _saves(p, datetime(2026, 12, 18, 2, 0, tzinfo=UTC)) == 1000
    assert _saves(p, datetime(2027, 1, 18, 15, 59, tzinfo=UTC)) == 1000  # 23:59 local
    assert _saves(p, datetime(2026, 12, 17, 15, 59, tzinfo=UTC)) == 0  # 23:59 on the 17th
    assert _saves(p, datetime(2026, 12, 17, 16, 0, tzinfo=UTC)) == 1000  # 00:00 on the 18th
    assert _saves(p, datetime(2026, 12, 18, 16, 0, tzinfo=UTC)) == 0  # the 19th begins
    # another store's zone: 18 Dec 02:00 UTC is still the 17th in New York
    assert _saves(p, datetime(2026, 12, 18, 2, 0, tzinfo=UTC), tz="America/New_York") == 0


def test_weekends_a_campaign_week_and_hours() -> None:
    weekend = _promo(weekdays=["sat", "sun"])
    assert _saves(weekend, datetime(2026, 12, 19, 4, tzinfo=UTC)) == 1000  # Saturday
    assert _saves(weekend, datetime(2026, 12, 20, 4, tzinfo=UTC)) == 1000  # Sunday
    assert _saves(weekend, datetime(2026, 12, 21, 4, tzinfo=UTC)) == 0  # Monday
    week = _promo(date_from="2026-12-21", date_to="2026-12-27")
    assert _saves(week, datetime(2026, 12, 20, 16, 0, tzinfo=UTC)) == 1000  # 21st, 00:00
    assert _saves(week, datetime(2026, 12, 27, 15, 59, tzinfo=UTC)) == 1000  # 27th, 23:59
    assert _saves(week, datetime(2026, 12, 27, 16, 0, tzinfo=UTC)) == 0
    happy = _promo(time_from="14:00", time_to="16:00", weekdays=[6, 7])
    assert _saves(happy, datetime(2026, 12, 19, 6, 0, tzinfo=UTC)) == 1000  # Sat 14:00
    assert _saves(happy, datetime(2026, 12, 19, 8, 0, tzinfo=UTC)) == 0  # Sat 16:00
    assert _saves(happy, datetime(2026, 12, 21, 6, 0, tzinfo=UTC)) == 0  # Mon 14:00


def test_audiences_tiers_segments_stores() -> None:
    at = datetime(2026, 12, 18, 2, 0, tzinfo=UTC)
    core_only = _promo(tiers=["core"])
    assert _saves(core_only, at) == 1000
    assert _saves(core_only, at, tier="ordinary") == 0
    assert _saves(core_only, at, tier=None) == 0  # not a member
    seg = _promo(segments=["lapsed90"])
    assert _saves(seg, at, segments=frozenset({"lapsed90"})) == 1000
    assert _saves(seg, at, segments=frozenset({"other"})) == 0
    assert _saves(seg, at, tier=None, segments=frozenset({"lapsed90"})) == 0
    store = _promo(stores=["S001"])
    assert _saves(store, at) == 1000 and _saves(store, at, store="S002") == 0


def test_without_a_context_only_unrestricted_promotions_apply() -> None:
    plain, dated = _promo(), _promo(id="P2", days_of_month=[18])
    pricing = price_basket(LINES, [plain, dated], is_member=True, tier="core")
    assert [s.ref for s in pricing.savings] == ["P"]


def test_a_dated_item_promotion_keeps_the_precedence_over_the_tier_discount() -> None:
    at = datetime(2026, 12, 18, 2, 0, tzinfo=UTC)
    ctx = PricingContext(at, "Asia/Shanghai", "S001")
    p = _promo(days_of_month=[18])
    on = price_basket(
        LINES, [p], is_member=True, tier="core", tier_discount_bp={"core": 500}, context=ctx
    )
    assert [(s.kind, s.amount_fen) for s in on.savings] == [("category_percent", 1000)]
    off_ctx = PricingContext(datetime(2026, 12, 17, 2, 0, tzinfo=UTC), "Asia/Shanghai", "S001")
    off = price_basket(
        LINES, [p], is_member=True, tier="core", tier_discount_bp={"core": 500}, context=off_ctx
    )
    assert [(s.kind, s.amount_fen) for s in off.savings] == [("tier", 500)]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"days_of_month": [32]}, "days_of_month"),
        ({"weekdays": ["funday"]}, "weekdays"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-12-10", "date_to": "2026-12-01"}, "after"),
        ({"time_from": "25:00"}, "time_from"),
        ({"time_from": "16:00", "time_to": "14:00"}, "before"),
    ],
)
def test_a_bad_window_is_refused(extra: dict[str, object], says: str) -> None:
    with pytest.raises(InvalidInput) as err:
        _promo(**extra)
    assert says in err.value.message and "促销 P" in err.value.message_zh


def test_a_coupon_is_not_valid_before_its_first_day() -> None:
    c = Coupon.from_dict(
        {"code": "C", "kind": "cash", "amount_fen": 100, "valid_from": "2026-12-18"}
    )
    check_coupon(c, None, datetime(2026, 12, 17, 16, 0, tzinfo=UTC))  # 00:00 on the 18th
    with pytest.raises(Exception, match="not valid before 2026-12-18"):
        check_coupon(c, None, datetime(2026, 12, 17, 15, 59, tzinfo=UTC))
