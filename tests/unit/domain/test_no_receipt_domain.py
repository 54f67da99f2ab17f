"""Returns without a receipt (issue 20): the price rule and the brand's limits, pure."""

from __future__ import annotations

import pytest

from pos_app.domain.errors import InvalidInput, NeedsApproval, RuleViolation
from pos_app.domain.no_receipt import LOWEST_90_DAYS, TODAY_PRICE, check_no_receipt, unit_price
from pos_app.domain.return_rules import APPROVAL_ACTION, ReturnRules
from pos_app.domain.sale import Approval

OK = (Approval(APPROVAL_ACTION, "admin", "顾客无小票"),)
TEE = {"line_no": 1, "name": "纯棉T恤", "category": "男装"}


def test_the_lowest_price_of_90_days_never_above_today() -> None:
    assert unit_price([9900, 7920, 8500], 9900) == (7920, LOWEST_90_DAYS)
    assert unit_price([], 8900) == (8900, TODAY_PRICE)
    assert unit_price([9900], 6900) == (6900, TODAY_PRICE)  # cheaper today: today's price


def test_approval_always_non_returnable_and_the_cap() -> None:
    rules = ReturnRules.from_doc({"non_returnable": ["内衣"], "no_receipt_limit": 2})
    with pytest.raises(NeedsApproval):
        check_no_receipt(rules, [TEE], (), phone="13900139000", made_30_days=0)
    with pytest.raises(RuleViolation, match="not returnable"):
        check_no_receipt(rules, [dict(TEE, category="内衣")], OK, phone="139", made_30_days=0)
    with pytest.raises(InvalidInput, match="--member PHONE"):
        check_no_receipt(rules, [TEE], OK, phone=None, made_30_days=0)
    check_no_receipt(rules, [TEE], OK, phone="13900139000", made_30_days=1)
    with pytest.raises(RuleViolation, match="allows 2"):
        check_no_receipt(rules, [TEE], OK, phone="13900139000", made_30_days=2)
    assert rules.as_doc()["no_receipt_limit"] == 2
    check_no_receipt(ReturnRules(), [TEE], OK, phone=None, made_30_days=9)  # no cap published


def test_a_gift_receipt_takes_store_credit_but_never_cash() -> None:
    from datetime import UTC, datetime

    from pos_app.domain.return_rules import STORE_CREDIT, ReturnCase, judge

    original = {"completed_at": "2026-12-01T02:00:00Z", "payments": []}
    now = datetime(2026, 12, 2, tzinfo=UTC)
    for mode, refused in (("cash", True), (STORE_CREDIT, False)):
        case = ReturnCase(original, [TEE], 9900, mode, gift=True)
        assert bool(judge(ReturnRules(), case, now, "Asia/Shanghai")[0]) is refused
