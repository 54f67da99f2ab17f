"""The returns screen's exchange of another till's sale (issue 20): till 2 scans till 1's
e-receipt with the cloud stopped, chooses the returned line, scans the new item and completes
an even exchange, the refund side naming till 1's receipt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from members_cloud_rig import Rig, ereceipt_url_of, open_rig
from members_kit import run
from on_db import on_db
from sibling_till_ui import till_two_offline
from uihelp import idle, start_selling, tap, wedge_scan

from pos_app.ui.qt import Qt

JKT, TEE = "6901234567892", "6901234567908"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


@pytest.fixture
def till_two(qtbot: Any, rig: Rig) -> Iterator[Any]:
    """Till 2's screen, once till 1 sold and synced; then the cloud stops."""
    run(rig.a, "sale", "--user", "admin", "--scan", JKT, "--scan", TEE, "--pay", "cash:400")
    yield from till_two_offline(qtbot, rig)


def test_till_2_exchanges_a_till_1_sale_on_the_returns_screen_offline(
    qtbot: Any, rig: Rig, till_two: Any
) -> None:
    t = till_two
    till = t.session.till
    url = ereceipt_url_of(rig.a, 1)
    start_selling(qtbot, t)
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    r = t.window.returns
    wedge_scan(qtbot, t, url)
    assert "本店 1 号收银机" in r.verdict.text()
    r.spins[1][1].setValue(1)  # the T-shirt, for another of the same price
    r.reason.setText("换颜色")
    tap(qtbot, t, r.exchange_btn)
    x = r.exchange
    assert x.isVisible()
    wedge_scan(qtbot, t, TEE)
    assert x.difference.text() == "等价换货，无需付款"
    tap(qtbot, t, x.even_btn)
    assert not x.isVisible()
    assert "换货完成" in r.outcome.text(), r.outcome.text()
    refund = on_db(till, lambda: till.reads.receipt(1))
    assert refund["original_receipt_no"] == 1 and refund["till_no"] == 2
    assert [(ln["line_no"], ln["qty"]) for ln in refund["lines"]] == [(2, 1)]
