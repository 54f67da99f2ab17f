from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.errors import NotFound, RuleViolation
from pos_app.domain.returns import (
    ReturnRequest,
    plan_refund_lines,
    refund_tenders,
    refundable_amount,
)

ORIGINAL = {
    "sale_id": "s1",
    "receipt_no": 7,
    "store_id": "S1",
    "till_no": 1,
    "lines": [
        {
            "line_no": 1,
            "sku": "A",
            "name": "夹克",
            "qty": 3,
            "unit_price_fen": 10000,
            "discount_fen": 1,
            "amount_fen": 29999,
            "vat_rate_bp": 1300,
            "category": "男装",
        },
        {
            "line_no": 2,
            "sku": "B",
            "name": "T恤",
            "qty": 1,
            "unit_price_fen": 9900,
            "discount_fen": 0,
            "amount_fen": 9900,
            "vat_rate_bp": 1300,
            "category": "男装",
        },
    ],
    "payments": [
        {"tender": "wechat", "amount_fen": 20000, "change_fen": 0, "reference": "W1"},
        {"tender": "cash", "amount_fen": 20000, "change_fen": 101},
    ],
}


@given(st.integers(1, 50), st.integers(0, 10**7), st.data())
def test_returning_every_unit_in_any_steps_gives_back_exactly_the_line(qty, amount, data) -> None:  # type: ignore[no-untyped-def]
    line = {"qty": qty, "amount_fen": amount}
    done, total = 0, 0
    while done < qty:
        step = data.draw(st.integers(1, qty - done))
        total += refundable_amount(line, done, step)
        done += step
    assert total == amount


def test_never_more_than_sold_minus_returned() -> None:
    lines = plan_refund_lines(ORIGINAL, {1: 2}, [ReturnRequest(1, 1)])
    assert lines[0]["qty"] == 1
    with pytest.raises(RuleViolation) as e:
        plan_refund_lines(ORIGINAL, {1: 2}, [ReturnRequest(1, 2)])
    assert "最多还能退 1 件" in e.value.message_zh
    with pytest.raises(NotFound):
        plan_refund_lines(ORIGINAL, {}, [ReturnRequest(9, 1)])
    with pytest.raises(RuleViolation):
        plan_refund_lines(ORIGINAL, {1: 3, 2: 1}, None)


def test_refund_to_original_pays_back_non_cash_first() -> None:
    pays = refund_tenders(ORIGINAL, {}, 25000, "original")
    assert pays == [
        {"tender": "wechat", "amount_fen": -20000, "change_fen": 0, "reference": "W1"},
        {"tender": "cash", "amount_fen": -5000, "change_fen": 0},
    ]
    pays = refund_tenders(ORIGINAL, {"wechat": 20000}, 1000, "original")
    assert pays == [{"tender": "cash", "amount_fen": -1000, "change_fen": 0}]
    with pytest.raises(RuleViolation):
        refund_tenders(ORIGINAL, {"wechat": 20000, "cash": 19899}, 1000, "original")
