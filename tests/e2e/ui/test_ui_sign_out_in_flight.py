"""Signing out while a call is still on the worker (issue 17, item 6): the result of a call
made for the cashier who left must not move the till on their behalf (no sale screen with
nobody signed in), must not raise in the event loop, and the next cashier starts clean."""

from __future__ import annotations

import threading
from typing import Any

from uihelp import dialog, fill, idle, sign_in, start_selling, tap

from pos_app.ui.qt import QApplication


def _hold_worker(t: Any) -> threading.Event:
    """Occupy the worker until the event is set, so the next call stays in flight."""
    release = threading.Event()
    t.session.call(lambda: release.wait(10), lambda _v: None, lambda _e: None)
    return release


def _signed_out_cleanly(qtbot: Any, t: Any) -> None:
    idle(qtbot, t)
    assert t.session.worker.pending == 0
    assert t.window.current == "signin"
    assert t.session.user is None and t.session.sale is None
    assert list(t.session.view.lines) == []
    assert not t.window.signout_btn.isVisible()


def test_a_scan_in_flight_at_sign_out_is_dropped(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    start_selling(qtbot, t)
    release = _hold_worker(t)
    try:
        t.window.sale.scanned("6901234567892")  # behind the held call: the sale is still empty
        assert t.session.worker.pending == 2
        tap_now(t.window.signout_btn)  # allowed: no line is on the sale yet
        assert t.window.current == "signin"
    finally:
        release.set()
    _signed_out_cleanly(qtbot, t)
    assert t.window.sale.table.rowCount() == 0  # the scan did not land on the next sale

    start_selling(qtbot, t)  # the next cashier (the same one here) starts a fresh sale
    assert list(t.session.view.lines) == []
    assert t.window.sale.table.rowCount() == 0
    t.window.sale.scanned("6901234567908")
    idle(qtbot, t)
    assert [ln.sku for ln in t.session.view.lines] == ["TS2002-WH-M"]


def test_a_new_sale_in_flight_at_sign_out_does_not_open_the_sale_screen(
    qtbot: Any, app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    release = _hold_worker(t)
    try:
        t.window.new_sale()  # "Next customer": the new sale is made on the worker
        tap_now(t.window.signout_btn)
        assert t.window.current == "signin"
    finally:
        release.set()
    _signed_out_cleanly(qtbot, t)  # not the sale screen with nobody signed in

    sign_in(qtbot, t, "李娜", "7391")
    assert t.window.current == "sale" and t.session.sale is not None
    assert t.session.sale.cashier == "李娜"


def test_sign_out_from_the_shift_screen_while_its_report_loads(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    start_selling(qtbot, t)
    tap(qtbot, t, t.window.sale.fn_buttons["shift"])
    assert t.window.current == "shift"
    release = _hold_worker(t)
    try:
        t.window.shift.load()  # the X report is read on the worker
        tap_now(t.window.signout_btn)
    finally:
        release.set()
    _signed_out_cleanly(qtbot, t)


def _parked(qtbot: Any, t: Any) -> list[Any]:
    got: list[Any] = []
    t.session.parked(got.extend, lambda e: got.append(e))
    idle(qtbot, t)
    return got


def test_a_resume_in_flight_at_sign_out_puts_the_basket_back(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    start_selling(qtbot, t)
    t.window.sale.scanned("6901234567892")
    t.window.sale.scanned("6901234567908")
    idle(qtbot, t)
    t.window.sale.suspend()
    idle(qtbot, t)
    fill(qtbot, t, label="红衣女士")
    [before] = _parked(qtbot, t)
    t.window.sale.resume()
    idle(qtbot, t)
    pick = dialog(t)
    release = _hold_worker(t)
    try:
        pick.ok_btn.click()  # the resume waits behind the held call
        QApplication.processEvents()
        tap_now(t.window.signout_btn)  # allowed: the sale screen is still empty
        assert t.window.current == "signin"
    finally:
        release.set()
    _signed_out_cleanly(qtbot, t)
    # the basket was taken off the list for the cashier who left: it is parked again, whole
    [after] = _parked(qtbot, t)
    assert (after.label, after.lines, after.qty, after.total_fen, after.cashier) == (
        before.label,
        before.lines,
        before.qty,
        before.total_fen,
        before.cashier,
    )
    assert t.window.sale.table.rowCount() == 0


def tap_now(button: Any) -> None:
    """A tap while the worker is busy (uihelp.tap waits for the worker to be idle)."""
    assert button.isVisible() and button.isEnabled()
    button.click()
    QApplication.processEvents()
