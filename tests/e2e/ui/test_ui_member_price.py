"""A member price below the list price is a saving the customer sees by name (会员价优惠):
on the sale's lines and totals, the customer display, the paper receipt, its PNG and text
renderings and the HTML e-receipt (issue 16, item 8).  Real till folder and SQLite."""

from __future__ import annotations

from typing import Any

# The member cloud stub and a till with a shop, as fixtures of this module.
from members_ui_fixtures import cloud, shop  # noqa: F401
from members_ui_kit import JACKET, start_selling
from on_db import on_db
from uihelp import idle, table_text, wedge_scan

from pos_app.ui.qt import Qt


def test_the_member_price_saving_is_named_on_screen_and_on_every_receipt(
    qtbot: Any, shop: dict[str, str], app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    t.window.customer.show()
    wedge_scan(qtbot, t, f"GTM:{shop['b']}")  # 李先生: no coupon, no points
    wedge_scan(qtbot, t, JACKET)  # ¥1299, member ¥1199
    row = table_text(sale.table)[0]
    assert row[3] == "¥1299.00"  # the list price
    assert "100.00" in row[4] and "会员价优惠" in row[4]
    assert "满1000减100" in row[4]  # the shop's spend-save promotion, by name too
    assert row[5] == "¥1099.00"
    assert sale.subtotal.text() == "¥1299.00"
    assert sale.discounts.text() == "-¥200.00"  # was ¥0.00 for the member price
    assert sale.savings.text().splitlines() == ["会员价优惠  -¥100.00", "满1000减100  -¥100.00"]
    assert sale.total.text() == "¥1099.00"
    shown = t.window.customer.savings.text().splitlines()
    assert shown[0] == "会员价优惠  -¥100.00" and "¥200.00" in shown[-1]  # you save

    qtbot.keyClick(sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    tender = t.window.tender
    tender.amount.setText("1200")
    qtbot.keyClick(tender.amount, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert tender.stack.currentIndex() == 1, tender.message.text()
    p = t.session.last_payload
    assert p["lines"][0]["list_price_fen"] == 129_900
    assert p["lines"][0]["unit_price_fen"] == 119_900

    # every rendering of the one receipt document (paper, PNG, text, HTML e-receipt)
    from pos_app.adapters import receipt_docs
    from receipts import render_escpos, render_receipt_html, render_text
    from receipts.profiles import get_profile

    till = t.session.till
    doc = on_db(
        till,
        lambda: receipt_docs.document(till.uow, till.signer(), till.reads.receipt(p["receipt_no"])),
    )
    assert doc.subtotal_fen == 129_900  # 原价合计 at the list price
    assert doc.sections[0].rows[0] == ("会员价优惠", "-100.00")  # 优惠明细, by name
    assert doc.discount_fen == 20_000
    text = render_text(doc, 80)
    assert "1 × 1299.00" in text
    for needed in ("原价合计", "1299.00", "会员价优惠", "-100.00", "优惠合计"):
        assert needed in text, needed
    html = render_receipt_html(doc, verified=True)
    assert "会员价优惠" in html and "1299.00" in html
    esc = render_escpos(doc, get_profile("generic-80-gb18030"))
    assert "会员价优惠".encode("gb18030") in esc
    assert "会员价优惠" in tender.receipt_view.toPlainText()  # the paper receipt on screen
