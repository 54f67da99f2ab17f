"""631 tiers, the pure rules (cloud/tiers/ranking.py): exact percentiles, ties at a boundary
go up, nobody with no spend is ranked up, and a downgrade waits one grace period (clock
injected: `now` is an argument)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloud.tiers.ranking import (
    PolicyError,
    Thresholds,
    TierPolicy,
    settle,
    thresholds,
    tier_of,
)

P = TierPolicy()
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _tiers(spends: list[int], policy: TierPolicy = P) -> list[str]:
    th = thresholds(spends, policy)
    return [tier_of(s, th) for s in spends]


def test_distinct_spends_split_exactly_10_30_60() -> None:
    spends = list(range(1, 1001))  # 1 000 members, all different
    random.Random(7).shuffle(spends)
    got = _tiers(spends)
    assert got.count("core") == 100 and got.count("potential") == 300
    assert got.count("ordinary") == 600
    th = thresholds(spends, P)
    assert (th.core_fen, th.potential_fen) == (901, 601)  # the 100th and the 400th largest
    assert tier_of(901, th) == "core" and tier_of(900, th) == "potential"
    assert tier_of(601, th) == "potential" and tier_of(600, th) == "ordinary"


def test_the_counts_round_down() -> None:
    got = _tiers(list(range(1, 16)))  # 15 members: 1.5 core, 6 core+potential
    assert (got.count("core"), got.count("potential"), got.count("ordinary")) == (1, 5, 9)
    assert _tiers(list(range(1, 10))).count("core") == 0  # under 10 members: no core


def test_ties_at_a_boundary_go_up() -> None:
    # 20 members; the 2nd and 3rd largest tie at the core boundary (k_core = 2)
    spends = [1000, 900, 900, *range(100, 117)]
    got = dict(zip(spends, _tiers(spends), strict=False))
    assert got[900] == "core"
    assert _tiers(spends).count("core") == 3  # one more than 10%: same spend, same tier
    # and at the potential boundary: k_top = 8, and the 8th and 9th largest tie
    spends = [1000, 900, 800, 700, 600, 500, 400, 300, 300, *range(1, 12)]
    got2 = _tiers(spends)
    assert got2.count("core") + got2.count("potential") == 9
    assert all(t == "potential" for s, t in zip(spends, got2, strict=True) if s == 300)


def test_all_equal_spends_are_all_core() -> None:
    assert set(_tiers([500] * 50)) == {"core"}


def test_no_spend_is_ordinary_whatever_the_ranks() -> None:
    spends = [5000, 3000] + [0] * 18 + [-200]  # 21 members; only two spent
    got = _tiers(spends)
    assert got[:2] == ["core", "core"]  # k_core = 2
    assert set(got[2:]) == {"ordinary"}
    assert thresholds([0] * 30, P) == Thresholds(1, 1)


def test_percents_are_configurable() -> None:
    pol = TierPolicy(core_pct=20, potential_pct=50)
    got = _tiers(list(range(1, 101)), pol)
    assert (got.count("core"), got.count("potential"), got.count("ordinary")) == (20, 50, 30)


def test_a_policy_that_cannot_rank_is_refused() -> None:
    with pytest.raises(PolicyError):
        TierPolicy(core_pct=70, potential_pct=40)
    with pytest.raises(PolicyError):
        TierPolicy(window_days=0)
    with pytest.raises(PolicyError):
        TierPolicy.from_dict({"core_pct": "10"})
    assert TierPolicy.from_dict({"grace_days": 0}).grace_days == 0


def test_up_is_at_once_down_waits_one_grace_period() -> None:
    up = settle("ordinary", "core", None, T0, P)
    assert (up.tier, up.grace_since) == ("core", None)
    first = settle("core", "ordinary", None, T0, P)  # first time below: kept, grace starts
    assert (first.tier, first.grace_since) == ("core", T0)
    later = T0 + timedelta(days=29, hours=23)
    assert settle("core", "potential", T0, later, P) == first.__class__("core", T0)
    after = settle("core", "potential", T0, T0 + timedelta(days=30), P)
    assert (after.tier, after.grace_since) == ("potential", None)  # to the tier computed then


def test_back_at_the_tier_ends_the_grace() -> None:
    back = settle("core", "core", T0, T0 + timedelta(days=3), P)
    assert (back.tier, back.grace_since) == ("core", None)
    again = settle("core", "ordinary", None, T0 + timedelta(days=40), P)  # a new grace
    assert (again.tier, again.grace_since) == ("core", T0 + timedelta(days=40))


def test_no_grace_moves_down_at_once_and_unknown_tiers_rank_as_ordinary() -> None:
    assert settle("core", "ordinary", None, T0, TierPolicy(grace_days=0)).tier == "ordinary"
    assert settle("vip", "ordinary", None, T0, P).tier == "ordinary"
    assert settle("vip", "potential", None, T0, P).tier == "potential"


def test_next_tier_and_its_threshold() -> None:
    th = Thresholds(core_fen=9000, potential_fen=3000)
    assert th.next_tier("ordinary") == ("potential", 3000)
    assert th.next_tier("potential") == ("core", 9000)
    assert th.next_tier("core") is None
    assert Thresholds(None, None).next_tier("ordinary") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-1000, max_value=10_000), min_size=0, max_size=300))
def test_a_tier_is_the_rank_rule_stated(spends: list[int]) -> None:
    """core iff spent > 0 and fewer than ⌊N/10⌋ members spent strictly more; potential iff
    the same with ⌊4N/10⌋; the tiers never invert spend order."""
    n = len(spends)
    got = _tiers(spends)
    for s, t in zip(spends, got, strict=True):
        above = sum(1 for x in spends if x > s)
        want = (
            "ordinary"
            if s <= 0
            else "core"
            if above < n // 10
            else "potential"
            if above < n * 4 // 10
            else "ordinary"
        )
        assert t == want
