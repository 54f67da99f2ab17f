"""pos_app/domain/return_rules.py: the brand's rules as a pure function of the sale, the
request, the clock and the store's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pos_app.domain.errors import InvalidInput, NeedsApproval, RuleViolation
from pos_app.domain.return_rules import (
    APPROVAL_ACTION,
    CASH,
    NONE,
    ReturnCase,
    ReturnRules,
    enforce,
    judge,
    line_statuses,
)
from pos_app.domain.sale import Approval

SOLD = {
    "completed_at": "2026-11-24T17:30:00Z",  # 01:30 on 11-25 in Shanghai
    "payments": [{"tender": "wechat", "amount_fen": 30000}],
    "lines": [
        {"line_no": 1, "qty": 2, "category": "男装", "name": "衬衫", "amount_fen": 20000},
        {"line_no": 2, "qty": 1, "category": "内衣", "name": "内裤", "amount_fen": 10000},
    ],
}
RULES = ReturnRules.from_doc(
    {
        "no_reason_days": 7,
        "quality_days": 30,
        "non_returnable": ["内衣"],
        "approval_above_fen": 15000,
        "original_tender_only": True,
    }
)
SHANGHAI = "Asia/Shanghai"


def case(lines: list[dict[str, Any]], out: int, mode: str = CASH, **kw: Any) -> ReturnCase:
    return ReturnCase(original=SOLD, lines=lines, money_out_fen=out, mode=mode, **kw)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_no_rules_published_allows_what_was_allowed_before() -> None:
    refused, approval = judge(ReturnRules(), case(SOLD["lines"], 30000), at("2027-06-01"), SHANGHAI)
    assert refused == [] and approval == []


def test_the_window_ends_with_the_stores_local_day() -> None:
    s = line_statuses(RULES, SOLD, {1: 1}, at("2026-12-02T15:59:00"), SHANGHAI)
    assert s[0].until == "2026-12-02" and s[0].quality_until == "2026-12-25" and s[0].left == 1
    assert s[0].why_not is None
    assert s[1].why_not is not None and "not returnable" in s[1].why_not[0]
    assert not s[1].approval  # a manager cannot take it back either
    s = line_statuses(RULES, SOLD, {}, at("2026-12-25T16:00:00"), SHANGHAI)  # 12-26 local
    assert s[0].approval and s[0].why_not is not None and "2026-12-25" in s[0].why_not[0]


def test_each_rule_asks_for_what_it_needs() -> None:
    shirt = [SOLD["lines"][0]]
    refused, approval = judge(RULES, case(shirt, 20000), at("2026-12-10T00:00:00"), SHANGHAI)
    assert refused == []
    assert [en.split(" ")[0] for en, _ in approval] == ["line", "refunds", "card"]
    # a fault inside 30 days, to the original tender, small: nothing to approve
    refused, approval = judge(
        RULES, case(shirt, 10000, "original", quality=True), at("2026-12-10"), SHANGHAI
    )
    assert refused == approval == []


def test_enforce_refuses_outright_or_asks_for_a_reasoned_approval() -> None:
    late = at("2026-12-10")
    with pytest.raises(RuleViolation):
        enforce(RULES, case(SOLD["lines"], 0, NONE, exchange=True), late, SHANGHAI)
    shirt = [SOLD["lines"][0]]
    with pytest.raises(NeedsApproval):
        enforce(RULES, case(shirt, 0, NONE), late, SHANGHAI)
    blank = Approval(APPROVAL_ACTION, "wang", " ")
    with pytest.raises(NeedsApproval):
        enforce(RULES, case(shirt, 0, NONE, approvals=(blank,)), late, SHANGHAI)
    given = Approval(APPROVAL_ACTION, "wang", "顾客出差")
    enforce(RULES, case(shirt, 0, NONE, approvals=(given,)), late, SHANGHAI)


def test_a_gift_receipt_gives_no_money_back_but_exchanges() -> None:
    shirt = [SOLD["lines"][0]]
    now = at("2026-11-26")
    with pytest.raises(RuleViolation) as e:
        enforce(ReturnRules(), case(shirt, 100, gift=True), now, SHANGHAI)
    assert "礼品小票" in e.value.message_zh
    enforce(ReturnRules(), case(shirt, 0, NONE, gift=True, exchange=True), now, SHANGHAI)


@pytest.mark.parametrize(
    "doc",
    [
        {"no_reason_days": -1},
        {"categories": {"鞋": 5}},
        {"non_returnable": "内衣"},
        {"approval_above_fen": 1.5},
        {"windows": {}},
    ],
)
def test_a_document_the_till_cannot_read_is_refused(doc: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        ReturnRules.from_doc(doc)


def test_the_document_survives_a_round_trip() -> None:
    assert ReturnRules.from_doc(RULES.as_doc()) == RULES
