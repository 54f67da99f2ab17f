"""The brand's return rules (issue 20, item 4) on a real till database with a manual clock:
the rules arrive as a pulled config change (the relay's change sink), and every refund and
exchange is judged by pos_app/domain/return_rules.py in the store's time zone."""

from __future__ import annotations

from typing import Any

import pytest

from pos_app.adapters.db.relay_ports import RelayChangeSink
from pos_app.domain.errors import NeedsApproval, RuleViolation
from pos_app.domain.money import CashRounding
from pos_app.domain.ports import Change
from pos_app.domain.return_rules import APPROVAL_ACTION, ReturnRules, line_statuses
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.tenders import Tender
from pos_app.domain.users import Role

JACKET, TEE, SCARF, CARE = "6901234567892", "6901234567908", "6901234567915", "6901234567939"
RULES = {
    "no_reason_days": 7,
    "quality_days": 30,
    "categories": {"配饰": {"no_reason_days": 3, "quality_days": 3}},
    "non_returnable": ["服务"],
    "approval_above_fen": 50000,
    "original_tender_only": True,
}


def publish(till: Any, doc: dict[str, Any]) -> None:
    """As the relay applies a pulled page with the cloud's `return_rules` config change."""
    sink = RelayChangeSink(till.uow)
    sink.apply_page([Change("config", "upsert", "return_rules", {"value": doc})], "c1")


def sell(till: Any, user: Any, codes: list[str], card: bool = False) -> dict[str, Any]:
    s = till.sales.new_sale(user)
    for c in codes:
        till.sales.scan(s, c)
    tender = Tender.CARD if card else Tender.CASH
    s.add_tender(tender, s.totals().due_fen, CashRounding.NONE, reference="T" if card else None)
    payload: dict[str, Any] = till.sales.complete(s)
    return payload


@pytest.fixture
def shop(till: Any) -> tuple[Any, Any, Any]:
    admin = till.users.authenticate("admin", "7391")
    till.users.add("lily", {Role.CASHIER}, "5826")
    till.shifts.open(admin, 500000)
    publish(till, RULES)
    return till, admin, till.users.authenticate("lily", "5826")


def refund(till: Any, user: Any, no: int, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = till.checkout.refund(
        user, no, kw.pop("requests", None), kw.pop("mode", "cash"), kw.pop("reason", ""),
        kw.pop("approvals", None), **kw,
    )  # fmt: skip
    return out


def test_the_pulled_rules_are_the_ones_judged(shop: tuple[Any, Any, Any]) -> None:
    till, _, _ = shop
    assert till.sales.deps.return_rules() == ReturnRules.from_doc(RULES)


def test_outside_the_window_a_cashier_is_refused_and_a_manager_approves(
    shop: tuple[Any, Any, Any], clock: Any
) -> None:
    till, _, lily = shop
    sale = sell(till, lily, [TEE])
    clock.advance(days=8)  # day 8 after the sale: past the 7 days without a reason
    with pytest.raises(NeedsApproval) as e:
        refund(till, lily, sale["receipt_no"])
    assert "7-day return window" in e.value.message and "manager" in e.value.message
    assert "无理由退换期限" in e.value.message_zh
    # a fault has 30 days: no approval needed
    back = refund(till, lily, sale["receipt_no"], quality=True, reason="开线")
    assert back["total_fen"] == -9900
    # the next one, past the window, with the manager's approval and reason: audited
    sale = sell(till, lily, [TEE])
    clock.advance(days=9)
    ok = till.users.approval("admin", "7391", APPROVAL_ACTION, "顾客出差刚回")
    back = refund(till, lily, sale["receipt_no"], approvals=[ok], reason="顾客出差刚回")
    assert back["approvals"] == [ok.as_dict()]
    rows = till.database.conn.execute(
        "SELECT action, approver, reason FROM audit WHERE action = ?", (APPROVAL_ACTION,)
    ).fetchall()
    assert rows == [(APPROVAL_ACTION, "admin", "顾客出差刚回")]
    # a cashier cannot approve
    with pytest.raises(Exception) as denied:
        till.users.approval("lily", "5826", APPROVAL_ACTION, "x")
    assert getattr(denied.value, "code", "") == "access_denied"


def test_the_window_counts_the_stores_local_days(shop: tuple[Any, Any, Any], clock: Any) -> None:
    till, _, lily = shop
    # the clock stands at 10:00 Shanghai time; the scarf's window is 3 days
    sale = sell(till, lily, [SCARF])
    clock.advance(days=3, hours=13)  # 23:00 local on the 3rd day after: still inside
    statuses = line_statuses(
        till.sales.deps.return_rules(), sale, {}, clock.now(), till.sales.identity.tz
    )
    assert statuses[0].until == "2026-11-28" and statuses[0].why_not is None
    clock.advance(hours=2)  # 01:00 local on the 4th day: outside
    statuses = line_statuses(
        till.sales.deps.return_rules(), sale, {}, clock.now(), till.sales.identity.tz
    )
    assert statuses[0].approval and "2026-11-28" in (statuses[0].why_not or ("", ""))[0]


def test_non_returnable_categories_are_refused_even_with_approval(
    shop: tuple[Any, Any, Any],
) -> None:
    till, _, lily = shop
    sale = sell(till, lily, [TEE, CARE])
    ok = till.users.approval("admin", "7391", APPROVAL_ACTION, "店长同意")
    with pytest.raises(RuleViolation) as e:
        refund(till, lily, sale["receipt_no"], approvals=[ok], reason="店长同意")
    assert "服务" in e.value.message_zh and "not returnable" in e.value.message
    # the other line is returnable on its own
    back = refund(till, lily, sale["receipt_no"], requests=[ReturnRequest(1, 1)])
    assert back["total_fen"] == -9900


def test_card_money_goes_back_to_the_card_and_big_refunds_need_a_manager(
    shop: tuple[Any, Any, Any],
) -> None:
    till, _, lily = shop
    sale = sell(till, lily, [TEE], card=True)
    with pytest.raises(NeedsApproval) as e:
        refund(till, lily, sale["receipt_no"], mode="cash")
    assert "original tender" in e.value.message
    sale = sell(till, lily, [JACKET, JACKET])  # ¥598.00, above ¥500.00
    with pytest.raises(NeedsApproval) as e:
        refund(till, lily, sale["receipt_no"])
    assert "above ¥500.00" in e.value.message


def test_a_gift_receipt_never_refunds_cash(shop: tuple[Any, Any, Any]) -> None:
    till, _, lily = shop
    sale = sell(till, lily, [TEE])
    ok = till.users.approval("admin", "7391", APPROVAL_ACTION, "店长同意")
    with pytest.raises(RuleViolation) as e:
        refund(till, lily, sale["receipt_no"], gift=True, approvals=[ok], reason="店长同意")
    assert "gift receipt" in e.value.message and "礼品小票" in e.value.message_zh
