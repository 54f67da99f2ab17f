"""Members at the till's screen against the reference cloud on loopback: payments cancelled
give the coupon and the stored value back; a cash top-up credits the card and the drawer."""

from __future__ import annotations

from typing import Any

# The member cloud stub and a till with a shop, as fixtures of this module.
from members_ui_fixtures import cloud, shop  # noqa: F401
from members_ui_kit import JACKET, PHONE_A, start_selling
from on_db import on_db
from uihelp import dialog, fill, idle, tap, wedge_scan

from pos_app.ui.qt import Qt


def test_cancelled_payments_release_the_coupon_and_give_stored_value_back(
    qtbot: Any, cloud: Any, app_ui: Any
) -> None:
    svc, db = cloud

    def redemptions() -> list[str]:
        with db.tx() as tx:
            return [r[0] for r in tx.execute("SELECT sale_id FROM coupon_redemptions")]

    def balance() -> int:
        till = t.session.till
        mid = on_db(till, lambda: till.members().directory.find_one(PHONE_A).id)
        return int(svc.members.views.member_view(mid)["stored_value_fen"])

    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    wedge_scan(qtbot, t, JACKET)
    qtbot.keyClick(sale.scan, Qt.Key.Key_F6)
    fill(qtbot, t, query=PHONE_A)
    assert "王女士" in sale.member_col.name.text()
    tap(qtbot, t, sale.member_col.coupon_btn)
    fill(qtbot, t, query="VIP50")
    assert "50元券" in sale.savings.text()
    qtbot.keyClick(sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    tender = t.window.tender
    assert "¥300.00" in tender.sv_btn.text()
    tender.amount.setText("100")
    tap(qtbot, t, tender.sv_btn)  # online: the cloud debits the card
    assert tender.tenders.count() == 1, tender.message.text()
    sale_id = t.session.sale.id
    assert redemptions() == [sale_id]  # reserved before the first payment
    assert balance() == 20000
    # the customer changes their mind: cancel the payments (F3)
    qtbot.keyClick(tender.amount, Qt.Key.Key_F3)
    idle(qtbot, t)
    assert tender.tenders.count() == 0
    assert redemptions() == [] and balance() == 30000  # coupon released, card credited back
    # and now pays cash: the coupon is redeemed again for this sale
    qtbot.keyClick(tender.amount, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert tender.stack.currentIndex() == 1, tender.message.text()
    p = t.session.last_payload
    assert [x["tender"] for x in p["payments"]] == ["cash"]
    assert [s["ref"] for s in p["savings"] if s["kind"] == "coupon"] == ["VIP50"]
    assert redemptions() == [sale_id] and balance() == 30000


def test_top_up_in_cash_at_the_till_credits_the_card_and_the_drawer(
    qtbot: Any, cloud: Any, app_ui: Any
) -> None:
    svc, _db = cloud
    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    col = sale.member_col
    assert not col.topup_btn.isVisible()  # no member, nothing to top up
    qtbot.keyClick(sale.scan, Qt.Key.Key_F6)
    fill(qtbot, t, query=PHONE_A)
    assert col.topup_btn.isVisible()
    till = t.session.till
    drawer_before = on_db(till, till.shifts.x_report)["cash"]["expected_fen"]
    tap(qtbot, t, col.topup_btn)
    d = dialog(t)
    assert d.objectName() == "top_up"
    fill(qtbot, t, amount="0")  # refused in the dialog: nothing credited
    assert dialog(t) is d and d.isVisible()
    fill(qtbot, t, amount="200")
    mid = on_db(till, lambda: till.members().directory.find_one(PHONE_A).id)
    assert (
        int(svc.members.views.member_view(mid)["stored_value_fen"]) == 50000
    )  # 300 + 200 in the cloud
    assert "¥500.00" in col.balances.text()
    assert "¥500.00" in t.window.flash_label.text()
    cash = on_db(till, till.shifts.x_report)["cash"]
    assert cash["pay_in_fen"] == 20000 and cash["expected_fen"] == drawer_before + 20000
