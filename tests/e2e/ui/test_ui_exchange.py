"""The returns screen (issue 20, items 3 and 5): each line of a receipt says until when it
may be returned, or why not, by the brand's published rules; an exchange chooses the returned
lines, scans the new items on the same screen, takes the difference and commits as one."""

from __future__ import annotations

from typing import Any

from on_db import on_db, sql
from uihelp import dialog, fill, idle, start_selling, tap, wedge_scan

from pos_app.adapters.db.relay_ports import RelayChangeSink
from pos_app.domain.ports import Change
from pos_app.services.journal import verify
from pos_app.ui.qt import QLabel, Qt

TEE, SCARF, JACKET = "6901234567908", "6901234567922", "6901234567892"  # ¥199, ¥399, ¥1299


def sell(qtbot: Any, t: Any, *codes: str) -> None:
    for code in codes:
        wedge_scan(qtbot, t, code)
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    t.window.tender.pay_cash()
    idle(qtbot, t)
    t.window.new_sale()
    idle(qtbot, t)


def open_receipt(qtbot: Any, t: Any, no: int) -> Any:
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    r = t.window.returns
    r.receipt.setText(str(no))
    qtbot.keyClick(r.receipt, Qt.Key.Key_Return)
    idle(qtbot, t)
    return r


def publish(till: Any, doc: dict[str, Any]) -> None:
    """As the relay applies the cloud's `return_rules` config change."""
    change = Change("config", "upsert", "return_rules", {"value": doc})
    on_db(till, lambda: RelayChangeSink(till.uow).apply_page([change], "c1"))


def test_lines_say_until_when_or_why_not_and_an_exchange_takes_the_difference(
    qtbot: Any, app_ui: Any
) -> None:
    t = app_ui
    till = t.session.till
    publish(till, {"no_reason_days": 7, "quality_days": 30, "non_returnable": ["配饰"]})
    start_selling(qtbot, t)
    sell(qtbot, t, TEE, SCARF)
    sold = on_db(till, lambda: till.reads.receipt(1))
    r = open_receipt(qtbot, t, 1)
    assert r.table.rowCount() == 2
    until = r.table.item(0, 5).text()
    assert until.endswith("前") and until[:10] > sold["business_day"]
    assert "不可退换" in r.table.item(1, 5).text()
    assert [spin.maximum() for _ln, spin in r.spins] == [1, 0]  # the scarf cannot be chosen

    # exchange the T-shirt for the jacket: ¥1,100.00 more, in cash
    assert not r.exchange_btn.isEnabled()
    r.spins[0][1].setValue(1)
    r.reason.setText("换大一号")
    tap(qtbot, t, r.exchange_btn)
    assert r.exchange.isVisible() and not r.refund_btn.isEnabled()
    x = r.exchange
    assert not x.even_btn.isEnabled() and not x.pay_cash_btn.isEnabled()
    wedge_scan(qtbot, t, JACKET)  # the scanner's code goes to the exchange's new items
    assert x.items.rowCount() == 1 and "夹克" in x.items.item(0, 0).text()
    assert x.difference.text() == "需补差价：¥1100.00"
    assert not x.refund_cash_btn.isEnabled()
    tap(qtbot, t, x.pay_cash_btn)
    assert not x.isVisible()
    assert "换货完成" in r.outcome.text() and "退货单 2" in r.outcome.text()
    assert "销售单 3" in r.outcome.text()

    result = on_db(till, lambda: verify(till.uow))
    assert result.ok and (result.sales, result.refunds) == (2, 1)
    sale = on_db(till, lambda: till.reads.receipt(3))
    assert sale["exchange"]["refund_receipt_no"] == 2
    assert {p["tender"]: p["amount_fen"] for p in sale["payments"]} == {
        "exchange": 19900,
        "cash": 110000,
    }
    x_report = on_db(till, till.shifts.x_report)
    assert x_report["by_tender"]["exchange"]["net_fen"] == 0
    assert x_report["cash"]["cash_net_fen"] == 19900 + 39900 + 110000


def test_a_refund_the_rules_hold_back_asks_the_manager_and_is_audited(
    qtbot: Any, app_ui: Any
) -> None:
    t = app_ui
    till = t.session.till
    publish(till, {"approval_above_fen": 10000})  # refunds above ¥100.00 need a manager
    start_selling(qtbot, t)
    sell(qtbot, t, TEE)
    r = open_receipt(qtbot, t, 1)
    r.spins[0][1].setValue(1)
    r.reason.setText("质量问题")
    tap(qtbot, t, r.refund_btn)
    assert any("¥100.00" in w.text() for w in dialog(t).findChildren(QLabel))
    fill(qtbot, t, name="admin", pin="9472")
    assert on_db(till, till.reads.last_receipt_no) == 2 and "2" in r.outcome.text()
    refund = on_db(till, lambda: till.reads.receipt(2))
    assert refund["approvals"] == [
        {"action": "return_rules", "approver": "admin", "reason": "质量问题"}
    ]
    audit = sql(
        till, "SELECT action, user, approver, reason FROM audit WHERE action = 'return_rules'"
    )
    assert audit == [("return_rules", "李娜", "admin", "质量问题")]
