"""A refund to the card on the ZVT emulator (real APDUs on 127.0.0.1), from the returns screen:
the terminal's own texts show while it works, Cancel refund aborts it on the terminal, and the
outcome says plainly whether money went back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from on_db import sql
from uihelp import TIMEOUT, idle, sign_in, tap

from drivers.common.scenarios import Behaviour
from drivers.zvt.emulator import ZvtEmulator, ZvtEmulatorConfig
from pos_app.domain.tenders import Tender
from pos_app.ui.qt import Qt

TSHIRT = "6901234567908"  # ¥199.00


class RefundTerminal(ZvtEmulator):
    """The emulator, with a refund dialogue the test chooses (the stock emulator always
    approves refunds at once): USER_PAYING_FOREVER is a customer who never confirms."""

    refund_behaviour = Behaviour.APPROVE
    _in_refund = False

    def _do_refund(self, s: Any, cmd: Any, fault: Any) -> None:
        self._in_refund = True
        try:
            super()._do_refund(s, cmd, fault)
        finally:
            self._in_refund = False

    def _card_dialogue(self, s: Any, behaviour: Behaviour) -> bool:
        return super()._card_dialogue(s, self.refund_behaviour if self._in_refund else behaviour)


@pytest.fixture
def card_sale(qtbot: Any, till_home: Path) -> Iterator[Any]:
    """A till with the ZVT terminal, a T-shirt sold by card, and the window signed in."""
    from pos_app.cli.context import AppContext
    from pos_app.demo.live import cli
    from pos_app.domain.users import Role
    from pos_app.ui.app import build_app, teardown

    emu = RefundTerminal(config=ZvtEmulatorConfig(step_delay=0.02, forever_limit=8.0)).start()
    ctx = None
    t = None
    try:
        cli(till_home, "devices", "add", "T1", "--kind", "terminal", "--uri", emu.uri, "--no-test")
        ctx = AppContext(till_home)
        till = ctx.till
        till.users.add("李娜", {Role.CASHIER}, "7391")
        admin = till.users.authenticate("admin", "9472")
        till.shifts.open(admin, 50_000)
        sale = till.sales.new_sale(admin)
        till.sales.scan(sale, TSHIRT)
        till.checkout.pay(sale, Tender.CARD, sale.totals().due_fen)
        sold = till.checkout.complete(sale)
        t = build_app(till, lang="zh", customer_display=False)
        t.window.resize(1280, 800)
        t.emu, t.sold = emu, sold
        sign_in(qtbot, t, "李娜", "7391")
        assert t.window.current == "sale"
        yield t
    finally:
        if t is not None:
            teardown(t)
        if ctx is not None:
            ctx.close()
        emu.stop()


def open_return(qtbot: Any, t: Any) -> Any:
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    r = t.window.returns
    r.receipt.setText(str(t.sold["receipt_no"]))
    qtbot.keyClick(r.receipt, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert r.table.rowCount() == 1 and r.mode == "original"
    r.spins[0][1].setValue(1)  # nothing is chosen until the cashier chooses
    r.reason.setText("尺码不合适")
    return r


def shown_texts(r: Any) -> list[str]:
    """What the cashier saw in the terminal panel, each time the terminal spoke."""
    seen: list[str] = []
    r._texts.text.connect(lambda _en, _zh: seen.append(r.working_text.text()))
    return seen


def refunds(t: Any) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in sql(
            t.session.till,
            "SELECT kind, tender, amount_fen, state FROM payment_attempts WHERE kind = 'refund'",
        )
    ]


def test_refund_to_the_card_shows_the_terminal_texts_and_the_outcome(
    qtbot: Any, card_sale: Any
) -> None:
    t = card_sale
    r = open_return(qtbot, t)
    seen = shown_texts(r)
    qtbot.mouseClick(r.refund_btn, Qt.MouseButton.LeftButton)  # the worker talks to the terminal
    assert r.working.isVisible() and r.abort_btn.isEnabled()
    assert "刷卡终端" in r.working_text.text() or "终端" in r.working_text.text()
    qtbot.waitUntil(lambda: r.refunding is None, timeout=TIMEOUT)
    idle(qtbot, t)
    assert "请插卡" in seen and "请输入密码" in seen  # the terminal's own words, in Chinese
    assert not r.working.isVisible() and r.back_btn.isEnabled()
    assert "退款完成" in r.outcome.text() and "银行卡 ¥199.00" in r.outcome.text()
    assert refunds(t) == [("refund", "card", 19_900, "attached")]
    assert [(x.kind, x.amount_fen, x.approved) for x in t.emu.ledger] == [
        ("sale", 19_900, True),
        ("refund", 19_900, True),
    ]
    assert [(p["tender"], p["amount_fen"]) for p in t.window.last_refund["payments"]] == [
        ("card", -19_900)
    ]


def test_cancel_refund_on_the_terminal_pays_nothing_and_can_be_tried_again(
    qtbot: Any, card_sale: Any
) -> None:
    t = card_sale
    t.emu.refund_behaviour = Behaviour.USER_PAYING_FOREVER
    r = open_return(qtbot, t)
    seen = shown_texts(r)
    qtbot.mouseClick(r.refund_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "请稍候…" in seen, timeout=TIMEOUT)  # the customer dithers
    assert r.working_text.text() in ("请插卡", "请稍候…")
    # no way out of the screen while the terminal holds the refund
    qtbot.keyClick(r.receipt, Qt.Key.Key_Escape)
    assert t.window.current == "returns" and not r.back_btn.isEnabled()
    t.window.sign_out()
    assert t.window.current == "returns" and "刷卡终端仍在处理" in t.window.flash_label.text()
    qtbot.mouseClick(r.abort_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: r.refunding is None, timeout=TIMEOUT)
    idle(qtbot, t)
    assert not r.working.isVisible()
    assert "退款未完成" in r.message.text() and "未退款" in r.message.text()
    assert refunds(t) == [("refund", "card", 19_900, "declined")]
    assert [x.kind for x in t.emu.ledger] == ["sale"]  # the terminal paid nothing back
    count = sql(t.session.till, "SELECT count(*) FROM sales WHERE kind = 'refund'")[0][0]
    assert count == 0  # and no return was recorded
    assert r.refund_btn.isEnabled() and r.table.rowCount() == 1  # ready to try again

    t.emu.refund_behaviour = Behaviour.APPROVE  # the customer is ready now
    tap(qtbot, t, r.refund_btn)
    qtbot.waitUntil(lambda: r.refunding is None, timeout=TIMEOUT)
    idle(qtbot, t)
    assert "退款完成" in r.outcome.text()
    assert ("refund", "card", 19_900, "attached") in refunds(t)
    assert [x.kind for x in t.emu.ledger] == ["sale", "refund"]
