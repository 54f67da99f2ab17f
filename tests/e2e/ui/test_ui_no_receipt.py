"""A return without a receipt on the returns screen (无小票退货, issue 20, item 4): the goods
scanned into the No receipt panel, a manager's approval asked every time, the refund at today's
price with no sale in 90 days, and its receipt says which price rule applied."""

from __future__ import annotations

from typing import Any

from on_db import on_db
from uihelp import TIMEOUT, fill, idle, start_selling, tap, wedge_scan

from pos_app.ui.qt import Qt

TEE = "6901234567908"  # ¥199.00


def open_no_receipt(qtbot: Any, t: Any) -> Any:
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    r = t.window.returns
    tap(qtbot, t, r.no_receipt_btn)
    assert r.no_receipt.isVisible()
    return r


def test_no_receipt_scans_asks_a_manager_and_refunds_at_the_lowest_price(
    qtbot: Any, app_ui: Any
) -> None:
    t = app_ui
    till = t.session.till
    start_selling(qtbot, t)
    r = open_no_receipt(qtbot, t)
    panel = r.no_receipt
    tap(qtbot, t, panel.cash_btn)
    assert "扫描" in panel.message.text()  # nothing scanned yet
    wedge_scan(qtbot, t, TEE)  # the scanner's code goes to the panel
    idle(qtbot, t)
    assert panel.items.rowCount() == 1 and "T恤" in panel.items.item(0, 0).text()
    r.reason.setText("顾客无小票")
    tap(qtbot, t, panel.cash_btn)
    fill(qtbot, t, name="admin", pin="9472")  # always a manager, with the reason
    idle(qtbot, t)
    assert "现金 ¥199.00" in r.outcome.text(), (r.outcome.text(), panel.message.text())
    assert not panel.isVisible()
    refund = on_db(till, lambda: till.reads.receipt(1))
    assert refund["original_sale_id"] is None
    assert refund["no_receipt"]["lines"][0]["price_rule"] == "today_price"
    assert refund["approvals"][0]["reason"] == "顾客无小票"
    qtbot.waitUntil(lambda: "无小票退货" in r.info.text(), timeout=TIMEOUT)
