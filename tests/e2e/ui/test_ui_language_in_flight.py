"""Switching the language while a call is still on the worker (issue 17, item 6): the switch
rebuilds every screen, so the screen that asked is gone when the result comes back.  The
result must not land on the deleted widget ('Internal C++ object … already deleted'), and the
sale it changed must not be lost: the new screen shows it."""

from __future__ import annotations

import threading
from typing import Any

from uihelp import idle, start_selling

from pos_app.ui.qt import QApplication, QEvent, isValid


def _hold_worker(t: Any) -> threading.Event:
    """Occupy the worker until the event is set, so the next call stays in flight."""
    release = threading.Event()
    t.session.call(lambda: release.wait(10), lambda _v: None, lambda _e: None)
    return release


def _switch_and_delete_old(t: Any, lang: str) -> None:
    t.window.set_language(lang)
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_scan_in_flight_during_a_language_switch_reaches_the_new_sale_screen(
    qtbot: Any, app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    old = t.window.sale
    release = _hold_worker(t)
    try:
        old.scanned("6901234567892")  # on the worker behind the held call
        assert t.session.worker.pending == 2
        _switch_and_delete_old(t, "en")
        assert not isValid(old.table)  # the screen that asked is gone
    finally:
        release.set()
    idle(qtbot, t)
    new = t.window.sale
    assert new is not old and new.pay_btn.text() == "Pay  F2"
    assert [ln.sku for ln in t.session.view.lines] == ["JK1001-BK-L"]
    assert new.table.rowCount() == 1  # the scan is on the screen, not only in the sale
    assert "男士羊毛夹克" in new.table.item(0, 1).text()


def test_a_call_for_a_gone_screen_is_dropped_and_the_new_one_works(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    start_selling(qtbot, t)
    old = t.window.sale
    release = _hold_worker(t)
    try:
        t.session.call(lambda: t.session.view, old.show_view, old.show_error)
        _switch_and_delete_old(t, "en")
    finally:
        release.set()
    idle(qtbot, t)
    assert t.session.worker.pending == 0
    t.window.sale.scanned("6901234567908")
    idle(qtbot, t)
    assert t.window.sale.table.rowCount() == 1
    assert t.window.sale.pay_btn.text() == "Pay  F2"
