"""Every override, void, refund and no-sale open carries its user and reason, in the
database (audit, voids, cash_moves, sales) and in the outbox event the cloud receives."""

from __future__ import annotations

import json

from pos_app.domain.money import CashRounding
from pos_app.domain.pricing import Discount
from pos_app.domain.tenders import Tender
from pos_app.domain.users import Role

CODES = ["6901234567892", "6901234567908", "6901234567915"]


def _events(till, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = till.database.conn.execute(
        "SELECT payload FROM outbox WHERE type = ? ORDER BY seq", (kind,)
    )
    return [json.loads(r[0]) for r in rows]


def test_overrides_voids_refunds_and_no_sale_name_user_and_reason(till) -> None:  # type: ignore[no-untyped-def]
    till.users.add("wang", {Role.CASHIER}, "1597")
    wang = till.users.authenticate("wang", "1597")
    admin = till.users.authenticate("admin", "7391")
    till.shifts.open(admin, 10000)

    # a discount beyond the cashier's limit, approved by a manager with a reason
    s = till.sales.new_sale(wang)
    till.sales.scan(s, CODES[0])
    till.sales.scan(s, CODES[1])
    s.void_line(2, "顾客不要了")
    approval = till.users.approval("admin", "7391", "discount", "VIP 客户")
    s.set_order_discount(Discount.parse("30%", "VIP"), approval)
    s.add_tender(Tender.CASH, s.totals().due_fen, CashRounding.NONE)
    sold = till.sales.complete(s)

    # a voided sale
    v = till.sales.new_sale(wang)
    till.sales.scan(v, CODES[2])
    till.sales.void(v, "顾客离开")

    # a refund and a no-sale drawer open
    refund = till.sales.refund(admin, sold["receipt_no"], None, "cash", "尺码不合适")
    till.shifts.cash_move(wang, "no_sale", 0, "换零钱")

    c = till.database.conn
    audit = c.execute("SELECT action, user, approver, reason FROM audit").fetchall()
    assert ("discount", "wang", "admin", "VIP 客户") in audit
    assert all(u and r for _, u, _, r in audit), audit
    overrides = _events(till, "audit.override")
    assert any(
        e["user"] == "wang" and e["approver"] == "admin" and e["reason"] == "VIP 客户"
        for e in overrides
    ), overrides
    completed = _events(till, "sale.completed")
    sale_event = next(e for e in completed if e.get("receipt_no") == sold["receipt_no"])
    assert sale_event["cashier"] == "wang"
    assert {"action": "discount", "approver": "admin", "reason": "VIP 客户"}.items() <= (
        sale_event["approvals"][0].items()
    )

    voids = c.execute("SELECT kind, cashier, reason FROM voids").fetchall()
    assert ("sale", "wang", "顾客离开") in voids
    assert all(who and why for _, who, why in voids), voids
    assert ("line", "wang", "顾客不要了") in voids
    assert sale_event["voided_lines"][0]["reason"] == "顾客不要了"
    assert any(
        e["cashier"] == "wang" and e["reason"] == "顾客离开" for e in _events(till, "sale.voided")
    )

    refunds = _events(till, "refund.completed")
    refund_event = next(e for e in refunds if e.get("receipt_no") == refund["receipt_no"])
    assert refund_event["cashier"] == "admin" and refund_event["reason"] == "尺码不合适"

    moves = c.execute("SELECT kind, user, reason FROM cash_moves").fetchall()
    assert ("no_sale", "wang", "换零钱") in moves
    assert any(
        e["kind"] == "no_sale" and e["user"] == "wang" and e["reason"] == "换零钱"
        for e in _events(till, "cash.moved")
    )
