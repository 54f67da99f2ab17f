"""Stored-value top-ups at the till's screen by any tender (issue 23, item 5): the reference
cloud on loopback publishing a bonus rule (充500送50), the ZVT card terminal's emulator, the
aggregator acquirer's emulator for wallet codes and the virtual receipt printer.  The bonus
rule is shown before the customer pays, the card's texts and the top-up receipt follow, a
scanned code pays by its prefix, and a till without the cloud refuses in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aggregator_rig import code
from members_ui_fixtures import cloud, shop  # noqa: F401
from on_db import on_db
from topups_ui_kit import cloud_balance, counter_devices, open_top_up
from uihelp import TIMEOUT, dialog, fill, idle, tap, wedge_scan

from pos_app.ui.qt import Qt


@pytest.fixture
def counter(till_home: Path, cloud: Any) -> Iterator[Any]:
    """The card terminal, the acquirer and the printer set up on the enrolled till, and the
    brand's 充500送50 pulled from the cloud."""
    from drivers.zvt.emulator import ZvtEmulator, ZvtEmulatorConfig

    svc, _db = cloud
    zvt = ZvtEmulator(config=ZvtEmulatorConfig(step_delay=0.01, forever_limit=4.0)).start()
    try:
        with counter_devices(till_home, svc, terminal_uri=zvt.uri) as (agg, printer):
            yield svc, agg, zvt, printer
    finally:
        zvt.stop()


def test_card_top_up_shows_the_bonus_first_follows_the_terminal_and_prints_the_receipt(
    qtbot: Any, counter: Any, app_ui: Any
) -> None:
    svc, _agg, zvt, printer = counter
    t = app_ui
    d = open_top_up(qtbot, t)
    idle(qtbot, t)
    assert d.ok_btn.text() == "现金" and d.card_btn.text() == "银行卡"  # the till speaks Chinese
    # before paying: the rule that applies to the amount typed, asked of the worker
    assert "充500送50" in d.bonus.text() and "¥50.00" in d.bonus.text()
    d.edits["amount"].setText("100")
    idle(qtbot, t)
    assert "充500送50" not in d.bonus.text()
    d.edits["amount"].setText("500")
    idle(qtbot, t)
    assert "充500送50" in d.bonus.text()
    texts: list[tuple[str, str]] = []
    d._texts.text.connect(lambda en, zh: texts.append((en, zh)))
    qtbot.waitUntil(d.card_btn.isEnabled, timeout=TIMEOUT)
    tap(qtbot, t, d.card_btn)  # the terminal runs on the worker; tap waits for it
    qtbot.waitUntil(lambda: not d.isVisible(), timeout=TIMEOUT)
    assert texts, "the terminal's own texts reached the dialog"
    assert len(zvt.ledger) == 1
    assert cloud_balance(t, svc) == 30_000 + 50_000 + 5_000  # paid + the bonus
    assert "¥850.00" in t.window.sale.member_col.balances.text()
    till = t.session.till
    top = on_db(till, lambda: till.topups().get("2"))  # 1: the fixture's ¥300
    assert top is not None
    assert (top["tender"], top["paid_fen"], top["bonus_fen"]) == ("card", 50_000, 5_000)
    assert on_db(till, till.shifts.x_report)["cash"]["pay_in_fen"] == 0  # not the drawer's
    # the top-up's own receipt, on the printer
    job = printer.wait_for_jobs(1)[-1]
    lines = "\n".join(job["text_lines"])
    assert "储值充值" in lines and "充500送50" in lines and "银联卡" in lines


def test_card_top_up_cancelled_at_the_terminal_charges_nothing_and_credits_nothing(
    qtbot: Any, counter: Any, app_ui: Any
) -> None:
    svc, _agg, _zvt, printer = counter
    t = app_ui
    d = open_top_up(qtbot, t)
    texts: list[str] = []
    d._texts.text.connect(lambda en, zh: texts.append(zh))
    d.edits["amount"].setText("500.97")  # …97: the customer never confirms at the terminal
    qtbot.waitUntil(d.card_btn.isEnabled, timeout=TIMEOUT)
    qtbot.mouseClick(d.card_btn, Qt.MouseButton.LeftButton)  # no wait: it is in progress
    assert d.paying == "card" and d.working.isVisible() and d.abort_btn.isEnabled()
    assert not d.ok_btn.isEnabled() and not d.card_btn.isEnabled()
    qtbot.waitUntil(lambda: len(texts) >= 2, timeout=TIMEOUT)  # the terminal asks to wait
    d.reject()  # Esc while the money is being taken does not close the dialog
    assert d.isVisible()
    qtbot.mouseClick(d.abort_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.paying is None, timeout=TIMEOUT)
    idle(qtbot, t)
    assert d.isVisible() and d.error.text(), "the cashier is told it did not go through"
    assert d.ok_btn.isEnabled() and not d.working.isVisible()
    assert cloud_balance(t, svc) == 30_000
    till = t.session.till
    assert on_db(till, lambda: till.topups().get("2")) is None
    assert not printer.jobs


def test_a_scanned_wallet_code_tops_up_through_the_acquirer_by_its_prefix(
    qtbot: Any, counter: Any, app_ui: Any
) -> None:
    svc, agg, zvt, printer = counter
    t = app_ui
    d = open_top_up(qtbot, t)
    d.edits["amount"].setText("600")
    idle(qtbot, t)
    assert "充500送50" in d.bonus.text()
    wedge_scan(qtbot, t, "6901234567908")  # an item's barcode is no payment code
    assert d.isVisible() and "云闪付" in d.error.text() and "UnionPay QR" in d.error.text()
    wedge_scan(qtbot, t, code("unionpay", n=3))  # 62…: UnionPay QR, through the acquirer
    qtbot.waitUntil(lambda: not d.isVisible(), timeout=TIMEOUT)
    assert len(agg.trades) == 1 and not zvt.ledger
    assert cloud_balance(t, svc) == 30_000 + 60_000 + 5_000
    till = t.session.till
    top = on_db(till, lambda: till.topups().get("2"))  # 1: the fixture's ¥300
    assert top is not None
    assert (top["tender"], top["paid_fen"], top["bonus_fen"]) == ("unionpay", 60_000, 5_000)
    job = printer.wait_for_jobs(1)[-1]
    assert any("云闪付" in line for line in job["text_lines"])


def test_offline_the_top_up_is_refused_in_both_languages_before_any_money_moves(
    qtbot: Any,
    shop: Any,
    app_ui: Any,
) -> None:
    t = app_ui
    d = open_top_up(qtbot, t)  # this till was never enrolled with a cloud
    till = t.session.till
    before = on_db(till, till.shifts.x_report)["cash"]
    fill(qtbot, t, amount="200")
    assert dialog(t) is d and d.isVisible()
    assert "充值需要连接云端" in d.error.text() and "Top-ups need the cloud" in d.error.text()
    assert d.ok_btn.isEnabled() and not d.working.isVisible()
    assert on_db(till, till.shifts.x_report)["cash"] == before  # nothing in the drawer
    assert on_db(till, lambda: till.topups().get("1")) is None
