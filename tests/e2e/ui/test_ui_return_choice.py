"""A return by receipt number opens with nothing chosen: one tap never refunds the whole
bill; the cashier chooses lines and quantities (issue 16, item 11)."""

from __future__ import annotations

from typing import Any

from on_db import on_db
from uihelp import idle, start_selling, wedge_scan

from pos_app.ui.qt import Qt


def test_a_return_opens_with_nothing_chosen(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    start_selling(qtbot, t)
    for code in ("6901234567892", "6901234567908", "6901234567908"):
        wedge_scan(qtbot, t, code)
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    t.window.tender.pay_cash()
    idle(qtbot, t)
    t.window.new_sale()
    idle(qtbot, t)

    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    r = t.window.returns
    r.receipt.setText("1")
    qtbot.keyClick(r.receipt, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert r.table.rowCount() == 2
    assert [spin.value() for _ln, spin in r.spins] == [0, 0]
    assert [spin.maximum() for _ln, spin in r.spins] == [1, 2]  # what may be returned
    assert r.amount.text() == "¥0.00"
    r.reason.setText("尺码不合适")
    assert not r.refund_btn.isEnabled()
    r.refund()  # even a stray Enter or tap refunds nothing
    idle(qtbot, t)
    till = t.session.till
    assert on_db(till, till.reads.last_receipt_no) == 1  # no refund was written

    r.spins[1][1].setValue(1)  # the cashier chooses one T-shirt
    assert r.amount.text() == "¥199.00" and r.refund_btn.isEnabled()
