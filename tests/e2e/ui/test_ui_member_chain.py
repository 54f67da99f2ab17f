"""The member column shows the member across the chain (issue 21): attaching a member at the
till fetches the cloud's chain view (every store's purchases, sizes, last visit, the next
tier) under the till's own history."""

from __future__ import annotations

import json
from typing import Any

from members_ui_fixtures import cloud, shop  # noqa: F401
from members_ui_kit import PHONE_A, start_selling
from uihelp import TIMEOUT, fill, idle

from pos_app.domain.timeutil import iso_utc
from pos_app.ui.qt import Qt


def test_attaching_a_member_shows_their_purchases_at_every_store(
    qtbot: Any, cloud: Any, app_ui: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    svc, db = cloud
    mid = svc.admin.member_by_phone(PHONE_A)["id"]
    svc.admin.add_store("S002", "徐汇店")
    items = [{"name": "真丝围巾", "qty": 2, "amount_fen": 89_900, "category": "配饰", "size": "M"}]
    with db.tx() as tx:
        tx.execute(
            "INSERT INTO member_purchases(event_id, member_id, sale_id, store_id, till_no, kind, "
            "receipt_no, total_fen, items, at) VALUES ('x1', ?, 's-x1', 'S002', 3, "
            "'sale.completed', 12, 89900, ?, ?)",
            (
                mid,
                json.dumps(items, ensure_ascii=False),
                iso_utc(datetime.now(UTC) - timedelta(days=3)),
            ),
        )
    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    col = sale.member_col
    assert col.chain.text() == ""
    qtbot.keyClick(sale.scan, Qt.Key.Key_F6)
    fill(qtbot, t, query=PHONE_A)
    qtbot.waitUntil(lambda: "¥899.00" in col.chain.text(), timeout=TIMEOUT)
    idle(qtbot, t)
    text = col.chain.text()
    assert "徐汇店" in text  # the last visit, at another store
    assert "M 2" in text  # the sizes bought across the chain
    # removing the member clears it
    col.remove()
    idle(qtbot, t)
    assert col.chain.text() == ""
