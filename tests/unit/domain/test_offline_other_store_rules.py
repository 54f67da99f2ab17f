"""Another store's receipt taken back offline (issue 20): the stand-in sale its token proves
(pos_app/domain/offline_returns.py) judged by the brand's switch and limit, always with a
manager (pos_app/domain/return_rules.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pos_app.domain.errors import InvalidInput, NeedsApproval, RuleViolation
from pos_app.domain.offline_returns import TokenProof, offline_original, refund_mark
from pos_app.domain.return_rules import APPROVAL_ACTION, CASH, ReturnCase, ReturnRules, enforce
from pos_app.domain.returns import plan_refund_lines
from pos_app.domain.sale import Approval
from pos_app.domain.stock import sale_movements

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
PROOF = TokenProof(total_fen=29900, digest="00aa11bb22cc33dd", issued_at="2026-11-25T02:00:00Z")
ON = ReturnRules.from_doc({"offline_other_store": True, "offline_other_store_limit_fen": 40000})


def case(rules_limit_proof: TokenProof = PROOF, approved: bool = False) -> ReturnCase:
    original = offline_original(7, "S001", 1, rules_limit_proof)
    lines = plan_refund_lines(original, {}, None)
    approvals = (Approval(APPROVAL_ACTION, "admin", "顾客急需"),) if approved else ()
    return ReturnCase(
        original, lines, sum(x["amount_fen"] for x in lines), CASH, approvals=approvals
    )


def test_the_whole_receipt_for_the_tokens_total_in_cash_and_no_stock() -> None:
    original = offline_original(7, "S001", 1, PROOF)
    lines = plan_refund_lines(original, {}, None)
    assert [(x["line_no"], x["qty"], x["amount_fen"]) for x in lines] == [(1, 1, 29900)]
    assert original["payments"] == [{"tender": "cash", "amount_fen": 29900, "change_fen": 0}]
    assert sale_movements({"refund_id": "r", "lines": lines}) == ("return", [])
    assert refund_mark(original) == {
        "offline_other_store": {
            "store_id": "S001",
            "till_no": 1,
            "receipt_no": 7,
            "digest": "00aa11bb22cc33dd",
            "total_fen": 29900,
            "reservation": "unreserved",
        }
    }
    assert refund_mark({"sale_id": "x"}) == {}


def test_within_the_limit_a_manager_must_approve() -> None:
    with pytest.raises(NeedsApproval) as asked:
        enforce(ON, case(), NOW, "Asia/Shanghai")
    assert "offline needs a manager" in asked.value.message and asked.value.message_zh
    enforce(ON, case(approved=True), NOW, "Asia/Shanghai")


def test_over_the_limit_or_switched_off_is_refused_even_approved() -> None:
    big = TokenProof(total_fen=59800, digest="ff", issued_at="2026-11-25T02:00:00Z")
    with pytest.raises(RuleViolation) as over:
        enforce(ON, case(big, approved=True), NOW, "Asia/Shanghai")
    assert "up to ¥400.00" in over.value.message and "400.00" in over.value.message_zh
    with pytest.raises(RuleViolation) as off:
        enforce(ReturnRules(), case(approved=True), NOW, "Asia/Shanghai")
    assert "needs the cloud" in off.value.message


def test_the_switch_and_limit_round_trip_and_a_bad_limit_is_refused() -> None:
    assert ReturnRules.from_doc(ON.as_doc()) == ON
    assert "offline_other_store" not in ReturnRules().as_doc()
    with pytest.raises(InvalidInput):
        ReturnRules.from_doc({"offline_other_store_limit_fen": -1})
