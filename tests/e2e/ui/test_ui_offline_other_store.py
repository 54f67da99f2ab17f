"""The returns screen, scanning another store's e-receipt with the cloud out of reach where
the brand takes such receipts back offline (issue 20): the verdict says what is allowed, the
sale stands as the whole receipt for the token's total, and the refund asks the manager."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from members_cloud_rig import ereceipt_url_of, run_cloud
from members_kit import dead_url, run, set_setting
from returns_stores import JKT, open_stores
from sync_fixtures import Cloud
from uihelp import TIMEOUT, fill, idle, start_selling, table_text, tap, wedge_scan

from pos_app.ui.qt import Qt


@pytest.fixture
def other_store(
    qtbot: Any,
    cloud: Cloud,
    cloud_db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Any, str]]:
    """Store S002's screen, offline, once S001 sold a jacket; and that sale's e-receipt."""
    from pos_app.cli.context import AppContext
    from pos_app.domain.users import Role
    from pos_app.ui.app import build_app, teardown

    monkeypatch.setenv("GUITAI_PIN", "7391")
    db = SimpleNamespace(db_args=["--db", cloud_db_url])
    run_cloud(db, "return-rules", "set", "--offline-other-store", "on",  # type: ignore[arg-type]
              "--offline-other-store-limit", "400")  # fmt: skip
    stores = open_stores(cloud, tmp_path, ("S001", "S002"))
    run(stores["S001"], "sale", "--user", "admin", "--scan", JKT, "--pay", "cash:300")
    run(stores["S001"], "sync", "run")
    run(stores["S002"], "sync", "run")
    url = ereceipt_url_of(stores["S001"], 1)
    set_setting(stores["S002"], "cloud_url", dead_url())
    ctx = AppContext(stores["S002"])
    ctx.till.users.add("李娜", {Role.CASHIER}, "7391")
    t = build_app(ctx.till, lang="zh", customer_display=False)
    t.window.resize(1280, 800)
    qtbot.addWidget(t.window)
    yield t, url
    teardown(t)
    ctx.close()


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_another_stores_receipt_offline_is_refunded_whole_with_the_manager(
    qtbot: Any, other_store: tuple[Any, str]
) -> None:
    t, url = other_store
    start_selling(qtbot, t)
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    r = t.window.returns
    wedge_scan(qtbot, t, url)
    assert "云端未响应" in r.verdict.text() and "整单" in r.verdict.text(), r.verdict.text()
    rows = table_text(r.table)
    assert len(rows) == 1 and any("整单退货" in cell for cell in rows[0]), rows
    r.spins[0][1].setValue(1)
    r.reason.setText("顾客急需")
    tap(qtbot, t, r.refund_btn)
    fill(qtbot, t, name="admin", pin="7391")
    qtbot.waitUntil(lambda: "退款完成" in t.window.flash_label.text(), timeout=TIMEOUT)
    refund = t.window.last_refund
    assert refund["total_fen"] == -29900
    assert refund["offline_other_store"]["reservation"] == "unreserved"
    assert refund["approvals"][0]["action"] == "return_rules"
