"""Store credit on the returns screen (退至储值, issue 20, item 4), against the reference cloud
on loopback: the choice with the member's phone, a customer enrolled on the spot only with the
consent box ticked, and a gift receipt's QR that opens with store credit chosen and never pays
back cash."""

from __future__ import annotations

from typing import Any

from members_ui_fixtures import cloud  # noqa: F401
from members_ui_kit import PHONE_A, start_selling
from on_db import on_db
from uihelp import TIMEOUT, idle, tap, wedge_scan

from pos_app.adapters.receipt_docs import ereceipt_url
from pos_app.ui.qt import Qt

TEE = "6901234567908"  # ¥199.00
NEW_PHONE = "13700137000"


def sell(qtbot: Any, t: Any, code: str) -> None:
    wedge_scan(qtbot, t, code)
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    t.window.tender.pay_cash()
    idle(qtbot, t)
    t.window.new_sale()
    idle(qtbot, t)


def open_returns(qtbot: Any, t: Any) -> Any:
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    return t.window.returns


def balance(t: Any, svc: Any, phone: str) -> int:
    till = t.session.till
    mid = on_db(till, lambda: till.members().directory.find_one(phone).id)
    return int(svc.members.views.member_view(mid)["stored_value_fen"])


def test_store_credit_takes_the_phone_and_enrols_only_with_consent(
    qtbot: Any, cloud: Any, app_ui: Any
) -> None:
    svc, _db = cloud
    t = app_ui
    start_selling(qtbot, t)
    sell(qtbot, t, TEE)
    r = open_returns(qtbot, t)
    r.receipt.setText("1")
    qtbot.keyClick(r.receipt, Qt.Key.Key_Return)
    idle(qtbot, t)
    r.spins[0][1].setValue(1)
    assert r.refund_btn.isEnabled() and not r.credit.isVisible()
    tap(qtbot, t, r.credit_btn)
    assert r.credit_btn.text() == "退至储值" and r.credit.isVisible()
    assert not r.refund_btn.isEnabled()  # no member's phone yet
    r.credit.phone.setText(NEW_PHONE)
    assert r.refund_btn.isEnabled()
    tap(qtbot, t, r.refund_btn)
    idle(qtbot, t)
    assert "同意" in r.message.text() and not r.outcome.text()  # not a member: consent first
    r.credit.consent.setChecked(True)
    tap(qtbot, t, r.refund_btn)
    idle(qtbot, t)
    assert "退至储值 ¥199.00" in r.outcome.text(), (r.outcome.text(), r.message.text())
    assert balance(t, svc, NEW_PHONE) == 19900
    qtbot.waitUntil(lambda: "储值余额" in r.info.text(), timeout=TIMEOUT)


def test_a_gift_receipt_opens_with_store_credit_and_never_cash(
    qtbot: Any, cloud: Any, app_ui: Any
) -> None:
    svc, _db = cloud
    t = app_ui
    till = t.session.till
    start_selling(qtbot, t)
    sell(qtbot, t, TEE)
    before = balance(t, svc, PHONE_A)

    def gift_qr() -> str:
        payload = till.uow.sales.payload(receipt_no=1)
        return ereceipt_url(payload, till.signer(), "", gift=True)

    url = on_db(till, gift_qr)
    r = open_returns(qtbot, t)
    r.scanned(url)
    idle(qtbot, t)
    assert r.gift and r.credit_btn.isChecked() and r.credit.isVisible()
    r.spins[0][1].setValue(1)
    tap(qtbot, t, r.cash_btn)
    assert not r.refund_btn.isEnabled()  # a gift receipt: no cash back
    tap(qtbot, t, r.credit_btn)
    r.credit.phone.setText(PHONE_A)
    tap(qtbot, t, r.refund_btn)
    idle(qtbot, t)
    assert "退至储值" in r.outcome.text(), r.message.text()
    assert balance(t, svc, PHONE_A) == before + 19900
