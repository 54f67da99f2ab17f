"""The returns screen, scanning the e-receipt of another till of the store (issue 20): it says
where the receipt was sold and what is still returnable, summed across the store's tills, and
the refund is taken here with the cloud stopped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from members_cloud_rig import Rig, ereceipt_url_of, open_rig
from members_kit import run
from sibling_till_ui import till_two_offline
from uihelp import TIMEOUT, idle, start_selling, tap, wedge_scan

from pos_app.ui.qt import Qt

JKT, TEE = "6901234567892", "6901234567908"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


@pytest.fixture
def till_two(qtbot: Any, rig: Rig) -> Iterator[Any]:
    """Till 2's screen, once till 1 sold, refunded a T-shirt and synced; then the cloud
    stops."""
    run(rig.a, "sale", "--user", "admin", "--scan", JKT, "--scan", TEE, "--scan", TEE,
        "--pay", "cash:600")  # fmt: skip
    run(rig.a, "return", "--user", "admin", "--receipt", "1", "--line", "2=1")
    yield from till_two_offline(qtbot, rig)


def test_a_sibling_tills_receipt_shows_where_it_was_sold_and_what_is_left(
    qtbot: Any, rig: Rig, till_two: Any
) -> None:
    t = till_two
    url = ereceipt_url_of(rig.a, 1)
    start_selling(qtbot, t)
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    r = t.window.returns
    wedge_scan(qtbot, t, url)
    assert "本店 1 号收银机" in r.verdict.text()
    assert "售出门店 S001，收银机 1" in r.info.text()
    assert r.table.rowCount() == 2
    # what is left: the jacket, and one of two T-shirts (till 1 took one back)
    assert [r.table.item(i, 3).text() for i in range(2)] == ["1", "1"]
    assert [spin.maximum() for _ln, spin in r.spins] == [1, 1]
    r.spins[1][1].setValue(1)
    r.reason.setText("尺码不合适")
    tap(qtbot, t, r.refund_btn)
    qtbot.waitUntil(lambda: "退款完成" in t.window.flash_label.text(), timeout=TIMEOUT)
    refund = t.window.last_refund
    assert refund["original_receipt_no"] == 1 and refund["till_no"] == 2
    assert [(x["tender"], x["amount_fen"]) for x in refund["payments"]] == [("cash", -9_900)]
