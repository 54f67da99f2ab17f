"""A count coupon (计次券) at one till: uses left are the cloud's figure, bounded by the total
less this till's own uses; a one-time coupon used here is used (issue 21)."""

from __future__ import annotations

import pytest

from pos_app.domain.errors import RuleViolation
from pos_app.domain.loyalty import coupon_uses_total, usable_here
from pos_app.domain.promotions import Coupon


def _count(uses: int) -> Coupon:
    return Coupon.from_dict({"code": "C3", "kind": "count", "uses": uses})


@pytest.mark.parametrize(
    ("cloud_left", "total", "used_here", "left"),
    [
        (3, 3, 0, 3),  # never used
        (3, 3, 1, 2),  # used here, the cloud's new count not pulled yet
        (2, 3, 1, 2),  # pulled: the cloud's figure counts the same use once
        (3, 3, 3, 0),  # used up here offline
        (1, 3, 0, 1),  # two used at other tills
        (1, 3, 1, 1),  # one elsewhere, one here, pulled
    ],
)
def test_a_count_coupon_keeps_the_uses_left_at_this_till(
    cloud_left: int, total: int, used_here: int, left: int
) -> None:
    assert usable_here(_count(cloud_left), total, used_here).uses == left


def test_a_one_time_coupon_used_here_is_refused_and_unused_passes() -> None:
    c = Coupon.from_dict({"code": "V50", "kind": "cash", "amount_fen": 5000})
    assert usable_here(c, 1, 0) is c
    with pytest.raises(RuleViolation, match="already used"):
        usable_here(c, 1, 1)


def test_the_total_is_uses_total_once_published_else_uses() -> None:
    assert coupon_uses_total({"uses": 3}) == 3
    assert coupon_uses_total({"uses": 1, "uses_total": 3}) == 3
    assert coupon_uses_total({}) == 1
