"""Top-up refunds at the till's screen (issue 23, item 3 for top-ups): the reference cloud on
loopback with 充500送50, the aggregator acquirer's emulator and the virtual receipt printer.
A wallet top-up made in the top-up dialog is refunded from the member column's 退充值: picked by
scanning its receipt's QR, what comes back shown first (the bonus taken back before the money),
a manager approving for a cashier, the money back to the same wallet through the same acquirer,
the refund's receipt printed; and refused in both languages while the cloud is unreachable,
with nothing refunded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aggregator_rig import code
from members_kit import dead_url
from members_ui_fixtures import cloud, shop  # noqa: F401
from on_db import on_db, sql
from topups_ui_kit import cloud_balance, counter_devices, open_top_up
from uihelp import TIMEOUT, dialog, idle, tap, wedge_scan

from pos_app.ui.qt import Qt


@pytest.fixture
def counter(till_home: Path, cloud: Any) -> Iterator[Any]:
    """The acquirer and the printer set up on the enrolled till, and 充500送50 pulled."""
    svc, _db = cloud
    with counter_devices(till_home, svc) as (agg, printer):
        yield svc, agg, printer


def wallet_top_up(qtbot: Any, t: Any) -> None:
    """¥500 by a scanned WeChat Pay code in the top-up dialog (充500送50: ¥50 bonus)."""
    d = open_top_up(qtbot, t)
    d.edits["amount"].setText("500")
    idle(qtbot, t)
    wedge_scan(qtbot, t, code("wechat", n=21))
    qtbot.waitUntil(lambda: not d.isVisible(), timeout=TIMEOUT)


def open_refund(qtbot: Any, t: Any) -> Any:
    tap(qtbot, t, t.window.sale.member_col.refund_topup_btn)
    d = dialog(t)
    assert d.objectName() == "topup_refund"
    qtbot.waitUntil(lambda: d.list.count() > 0 or d.error.isVisible(), timeout=TIMEOUT)
    return d


def test_a_wallet_top_up_is_refunded_to_its_wallet_from_the_members_desk(
    qtbot: Any, counter: Any, app_ui: Any
) -> None:
    svc, agg, printer = counter
    t = app_ui
    wallet_top_up(qtbot, t)
    assert cloud_balance(t, svc) == 30_000 + 50_000 + 5_000
    till = t.session.till
    top = on_db(till, lambda: till.topups().get("2"))  # 1: the fixture's ¥300 (no tender)
    assert top is not None and top["tender"] == "wechat"
    assert any("储值充值" in ln for ln in printer.wait_for_jobs(1)[-1]["text_lines"])

    d = open_refund(qtbot, t)
    # only what was paid at this till is listed: the fixture's cloud credit is not
    assert d.list.count() == 1 and "000002" in d.list.item(0).text()
    assert "微信支付" in d.list.item(0).text() and "可退 ¥500.00" in d.list.item(0).text()
    # what comes back, before anything moves: the bonus first, then the money to the wallet
    assert "先扣回赠送 ¥50.00" in d.back.text() and "原路退回微信支付" in d.back.text()
    # the top-up receipt's QR picks the top-up (checked against the till's own record)
    url = on_db(till, lambda: _qr_url(till, top))
    d.list.setCurrentRow(-1)
    wedge_scan(qtbot, t, url)
    qtbot.waitUntil(lambda: d.list.currentRow() == 0, timeout=TIMEOUT)
    # a cashier needs a manager: without one nothing moves
    assert d.needs_manager
    qtbot.mouseClick(d.ok_btn, Qt.MouseButton.LeftButton)
    assert "店长" in d.error.text() and d.isVisible()
    d.edits["manager"].setText("admin")
    d.edits["pin"].setText("9472")  # the fixture's admin PIN
    refunds_before = sum(len(tr.refunds) for tr in agg.trades.values())
    qtbot.mouseClick(d.ok_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not d.isVisible() or not d.busy, timeout=TIMEOUT)
    assert not d.isVisible(), d.error.text()
    idle(qtbot, t)
    # back to the same wallet through the same acquirer, the bonus forfeited first
    assert sum(len(tr.refunds) for tr in agg.trades.values()) == refunds_before + 1
    assert cloud_balance(t, svc) == 30_000
    after = on_db(till, lambda: till.topups().get("2"))
    assert after is not None and after["refunded_fen"] == 50_000
    (row,) = sql(till, "SELECT amount_fen, forfeited_bonus_fen, tender FROM topup_refunds")
    assert row == (50_000, 5_000, "wechat")
    assert "¥300.00" in t.window.sale.member_col.balances.text()
    # the refund's own receipt, on the printer
    job = printer.wait_for_jobs(2)[-1]
    lines = "\n".join(job["text_lines"])
    assert "储值退款" in lines and "扣回赠送" in lines and "原路退回" in lines
    assert "充值单号：000002" in lines


def _qr_url(till: Any, top: dict[str, Any]) -> str:
    from pos_app.adapters.topup_receipts import topup_qr_text

    base = till.uow.settings.get("ereceipt_base_url") or ""
    return topup_qr_text(top, till.signer(), base)


def test_offline_a_top_up_refund_is_refused_in_both_languages_and_nothing_moves(
    qtbot: Any, counter: Any, app_ui: Any, till_home: Path
) -> None:
    svc, agg, _printer = counter
    t = app_ui
    wallet_top_up(qtbot, t)
    till = t.session.till
    sql(till, "UPDATE settings SET value = ? WHERE key = 'cloud_url'", (dead_url(),))
    d = open_refund(qtbot, t)
    d.edits["manager"].setText("admin")
    d.edits["pin"].setText("9472")  # the fixture's admin PIN
    qtbot.mouseClick(d.ok_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not d.busy and d.error.isVisible(), timeout=TIMEOUT)
    assert d.isVisible()
    assert "充值需要连接云端" in d.error.text() and "Top-ups need the cloud" in d.error.text()
    assert not any(tr.refunds for tr in agg.trades.values())
    assert cloud_balance(t, svc) == 30_000 + 50_000 + 5_000
    assert sql(till, "SELECT count(*) FROM topup_refunds") == [(0,)]
