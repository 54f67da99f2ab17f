"""The month ends the members page counts tiers at: the brand's calendar (Asia/Shanghai), and
bounds that put every instant of the next month, with or without fractions, after them."""

from __future__ import annotations

from datetime import UTC, datetime

from cloud.console.tier_trend import month_ends


def test_twelve_month_ends_before_the_current_month_across_a_year() -> None:
    ends = month_ends(datetime(2027, 1, 10, 4, 0, tzinfo=UTC))
    assert [m for m, _ in ends] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
                                    "2026-06", "2026-07", "2026-08", "2026-09", "2026-10",
                                    "2026-11", "2026-12"]  # fmt: skip
    assert ends[-1][1] == "2026-12-31T16:00:00"  # 1 January 00:00 in Shanghai
    assert ends[0][1] == "2026-01-31T16:00:00"


def test_the_current_month_is_shanghai_s_not_utc_s() -> None:
    # 31 October 17:00 UTC is 1 November in Shanghai: October has ended
    assert month_ends(datetime(2026, 10, 31, 17, 0, tzinfo=UTC))[-1][0] == "2026-10"
    assert month_ends(datetime(2026, 10, 31, 15, 0, tzinfo=UTC))[-1][0] == "2026-09"


def test_the_bound_orders_the_cloud_s_iso_texts_by_instant() -> None:
    (_, cut), *_ = month_ends(datetime(2026, 1, 10, tzinfo=UTC), months=1)
    assert cut == "2025-12-31T16:00:00"
    assert "2025-12-31T15:59:59Z" < cut <= "2025-12-31T16:00:00Z"
    assert cut < "2025-12-31T16:00:00.250000Z"
