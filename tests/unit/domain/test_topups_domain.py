"""Top-up bonus rules (充500送50): amount, tier and date window; the largest fitting bonus wins
and rules never add up; the bonus is spent last and forfeited first on a refund."""

from __future__ import annotations

import pytest

from pos_app.domain.errors import InvalidInput
from pos_app.domain.topups import (
    TopUpRule,
    bonus_for,
    bonus_left_after_spend,
    refund_split,
    rules_from,
)

RULES = [
    TopUpRule("R500", 50_000, 5_000, "充500送50"),
    TopUpRule("R1000", 100_000, 12_000, "充1000送120"),
    TopUpRule("GOLD", 50_000, 8_000, tier="gold"),
    TopUpRule("DEC", 20_000, 2_000, starts_on="2026-12-01", ends_on="2026-12-31"),
]


@pytest.mark.parametrize(
    ("amount", "tier", "day", "bonus", "rule"),
    [
        (49_999, "ordinary", "2026-11-30", 0, None),
        (50_000, "ordinary", "2026-11-30", 5_000, "R500"),
        (99_999, "ordinary", "2026-11-30", 5_000, "R500"),
        (100_000, "ordinary", "2026-11-30", 12_000, "R1000"),  # not 5,000 + 12,000
        (50_000, "gold", "2026-11-30", 8_000, "GOLD"),  # the tier's own rule is larger
        (100_000, "gold", "2026-11-30", 12_000, "R1000"),
        (20_000, "ordinary", "2026-12-01", 2_000, "DEC"),  # first day of the window
        (20_000, "ordinary", "2026-12-31", 2_000, "DEC"),  # last day
        (20_000, "ordinary", "2027-01-01", 0, None),
    ],
)
def test_the_largest_fitting_rule_gives_the_bonus(
    amount: int, tier: str, day: str, bonus: int, rule: str | None
) -> None:
    got, which = bonus_for(RULES, amount, tier, day)
    assert got == bonus and (which.id if which else None) == rule


def test_rules_travel_as_the_cloud_publishes_them() -> None:
    assert rules_from([r.as_dict() for r in RULES]) == RULES
    assert rules_from(None) == [] and rules_from({"not": "a list"}) == []


@pytest.mark.parametrize(
    "kw",
    [
        {"min_fen": 0, "bonus_fen": 100},
        {"min_fen": 100, "bonus_fen": 0},
        {"min_fen": 100, "bonus_fen": 10, "starts_on": "2026-13-01"},
        {"min_fen": 100, "bonus_fen": 10, "starts_on": "2026-12-02", "ends_on": "2026-12-01"},
    ],
)
def test_a_rule_that_cannot_work_is_refused_in_both_languages(kw: dict[str, object]) -> None:
    with pytest.raises(InvalidInput) as err:
        TopUpRule("X", **kw)  # type: ignore[arg-type]
    assert err.value.message and err.value.message_zh


def test_paid_money_is_spent_before_the_bonus() -> None:
    # 500 paid + 50 bonus: spending 100 leaves the bonus whole, spending 520 leaves 30 of it
    assert bonus_left_after_spend(45_000, 5_000) == 5_000
    assert bonus_left_after_spend(3_000, 5_000) == 3_000
    assert bonus_left_after_spend(-100, 5_000) == 0


def test_a_refund_of_the_top_up_forfeits_its_bonus_first() -> None:
    s = refund_split(
        20_000, paid_fen=50_000, refunded_fen=0, bonus_fen=5_000, forfeited_fen=0,
        bonus_balance_fen=5_000,
    )  # fmt: skip
    assert (s.forfeit_bonus_fen, s.paid_back_fen) == (5_000, 20_000)
    # a second refund of the same top-up has no bonus left to forfeit
    s = refund_split(
        30_000, paid_fen=50_000, refunded_fen=20_000, bonus_fen=5_000, forfeited_fen=5_000,
        bonus_balance_fen=5_000,
    )  # fmt: skip
    assert (s.forfeit_bonus_fen, s.paid_back_fen) == (0, 30_000)
    # what the member already spent of the bonus is not forfeited twice
    s = refund_split(
        10_000, paid_fen=50_000, refunded_fen=0, bonus_fen=5_000, forfeited_fen=0,
        bonus_balance_fen=1_000,
    )  # fmt: skip
    assert s.forfeit_bonus_fen == 1_000
    with pytest.raises(InvalidInput):
        refund_split(
            50_001, paid_fen=50_000, refunded_fen=0, bonus_fen=0, forfeited_fen=0,
            bonus_balance_fen=0,
        )  # fmt: skip
