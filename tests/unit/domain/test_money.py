from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.errors import InvalidInput
from pos_app.domain.money import (
    CashRounding,
    Money,
    allocate,
    div_round_half_up,
    format_fen,
    percent_of,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("¥0.05", 5),
        ("￥1.00", 100),
        ("-3.00", -300),
        (" 299.00 ", 29900),
    ],
)
def test_parse(text: str, fen: int) -> None:
    assert Money.parse(text).fen == fen


@pytest.mark.parametrize("bad", ["", "abc", "1.234", "1e3", "12,50", "¥", "--1"])
def test_parse_rejects_with_a_message_that_says_what_to_write(bad: str) -> None:
    with pytest.raises(InvalidInput) as e:
        Money.parse(bad)
    assert "12.50" in e.value.message and "12.50" in e.value.message_zh


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]


@given(st.integers(-(10**12), 10**12))
def test_format_round_trips(fen: int) -> None:
    assert Money.parse(format_fen(fen)).fen == fen


def test_half_up() -> None:
    assert div_round_half_up(5, 10) == 1
    assert div_round_half_up(4, 10) == 0
    assert div_round_half_up(-5, 10) == -1
    assert percent_of(29997, 500) == 1500  # 1499.85 → 1500


@given(st.integers(-(10**9), 10**9), st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
def test_allocate_is_exact_and_proportional(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    base = sum(weights)
    if base:
        for p, w in zip(parts, weights, strict=True):
            assert abs(p * base - total * w) < base  # within one fen of the exact share


@pytest.mark.parametrize(
    ("rule", "due", "cash"),
    [
        (CashRounding.NONE, 12345, 12345),
        (CashRounding.JIAO, 12345, 12340),
        (CashRounding.YUAN, 12345, 12300),
        (CashRounding.YUAN, 99, 0),
        (CashRounding.JIAO, 10, 10),
    ],
)
def test_cash_rounding_drops_small_change(rule: CashRounding, due: int, cash: int) -> None:
    assert rule.cash_due(due) == cash


def test_journal_payloads_refuse_floats_anywhere() -> None:
    from pos_app.domain.journal import FloatInPayload, canonical

    assert canonical({"a": [1, {"b": "x"}], "c": None, "d": True}) == (
        b'{"a":[1,{"b":"x"}],"c":null,"d":true}'
    )
    for bad in ({"x": 1.0}, {"lines": [{"amount_fen": 2.5}]}, {"a": [[0.1]]}, {"t": (1, 2.0)}):
        with pytest.raises(FloatInPayload):
            canonical(bad)
