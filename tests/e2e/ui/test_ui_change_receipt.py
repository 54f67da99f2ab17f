"""The change screen shows the paper receipt itself (the text rendering of the document the
printer prints), and cash taken in two steps is one 现金 line on both (issue 16, item 12)."""

from __future__ import annotations

from typing import Any

from on_db import on_db
from uihelp import idle, start_selling, wedge_scan

from pos_app.ui.qt import Qt


def test_the_change_screen_shows_the_paper_receipt(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    start_selling(qtbot, t)
    wedge_scan(qtbot, t, "6901234567892")  # jacket ¥1299
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    tender = t.window.tender
    for amount in ("1000", "500"):  # a ¥1000 bundle, then a ¥500 note: ¥201 change
        tender.amount.setText(amount)
        qtbot.keyClick(tender.amount, Qt.Key.Key_Return)
        idle(qtbot, t)
    assert tender.stack.currentIndex() == 1, tender.message.text()
    shown = tender.receipt_view.toPlainText()

    from pos_app.adapters import receipt_docs
    from receipts import render_escpos, render_text

    till = t.session.till
    payload = on_db(till, lambda: till.reads.receipt(1))
    assert len(payload["payments"]) == 2  # the journal keeps both steps
    doc = on_db(till, lambda: receipt_docs.document(till.uow, till.signer(), payload))
    profile_name = on_db(till, lambda: till.uow.settings.get("printer_profile"))
    prof = receipt_docs.profile(None, None, profile_name)
    assert shown.rstrip("\n") == render_text(doc, prof.paper).rstrip("\n")
    assert "小票号：000001" in shown and "销售单 #1" not in shown
    assert "含增值税" in shown
    cash = [ln for ln in shown.splitlines() if ln.startswith("现金")]
    assert len(cash) == 1 and cash[0].endswith("1500.00")
    assert [ln.split()[-1] for ln in shown.splitlines() if ln.startswith("找零")] == ["201.00"]
    # the paper says the same: one cash line with its change
    assert [(x.label, x.amount_fen, x.change_fen) for x in doc.tenders] == [
        ("现金", 150_000, 20_100)
    ]
    assert render_escpos(doc, prof).count("现金".encode("gb18030")) == 1
