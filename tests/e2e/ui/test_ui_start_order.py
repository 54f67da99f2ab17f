"""The till's start, in the order the cashier waits for it (issue 17, start → ready sale
screen): the follow-ups' scheduler and the printing wiring start once the first working screen
has painted, not queued on the database thread ahead of the PIN check; a wrong PIN still shows
nothing of the till and starts nothing."""

from __future__ import annotations

import threading
from typing import Any

from uihelp import TIMEOUT, idle, sign_in, start_selling


def _background_started(till: Any) -> bool:
    return till.followups.job is not None and till.sales.deps.receipt_jobs is not None


def test_a_wrong_pin_shows_nothing_and_counts(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    till = t.session.till
    sign_in(qtbot, t, "李娜", "7390")
    qtbot.waitUntil(lambda: t.window.signin.message.text() != "", timeout=TIMEOUT)
    assert t.window.current == "signin"
    assert t.session.user is None and t.session.sale is None
    assert "7390" not in t.window.signin.message.text()
    assert t.window.signin.pin.text() == ""
    failed = till.database.thread.call(lambda: till.uow.users.get("李娜").failed_attempts)
    assert failed == 1
    assert not _background_started(till)  # no working screen was shown
    start_selling(qtbot, t)
    assert t.window.current == "sale"
    assert till.database.thread.call(lambda: till.uow.users.get("李娜").failed_attempts) == 0


def test_follow_ups_and_printing_start_after_the_first_working_screen(
    qtbot: Any, app_ui: Any
) -> None:
    t = app_ui
    till = t.session.till
    idle(qtbot, t)
    qtbot.waitUntil(lambda: bool(t.window.signin.tiles), timeout=TIMEOUT)
    assert not _background_started(till)  # nothing queued ahead of the PIN check
    start_selling(qtbot, t)
    qtbot.waitUntil(lambda: _background_started(till), timeout=TIMEOUT)
    assert any(th.name.startswith("APScheduler") for th in threading.enumerate())


def test_a_language_switch_before_signing_in_still_starts_them(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    till = t.session.till
    idle(qtbot, t)
    t.window.set_language("en")  # rebuilds every screen: the new ones are watched
    idle(qtbot, t)
    assert not _background_started(till)
    start_selling(qtbot, t)
    qtbot.waitUntil(lambda: _background_started(till), timeout=TIMEOUT)


def test_a_window_never_shown_starts_them_at_once(qtbot: Any, till: Any) -> None:
    from pos_app.ui.app import build_app, teardown

    t = build_app(till, lang="zh", customer_display=False, show=False)
    qtbot.addWidget(t.window)
    try:
        qtbot.waitUntil(lambda: _background_started(till), timeout=TIMEOUT)
    finally:
        teardown(t)


def test_a_window_closed_before_its_turn_after_the_paint_starts_nothing(qtbot: Any) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPaintEvent

    from pos_app.ui.first_paint import AfterFirstPaint
    from pos_app.ui.qt import QApplication, QWidget

    window = QWidget()
    qtbot.addWidget(window)
    screen = QWidget(window)
    window.show()
    ran: list[str] = []
    later = AfterFirstPaint(window, lambda: ran.append("started"))
    later.shown("sale", screen)
    QApplication.sendEvent(screen, QPaintEvent(QRect(0, 0, 10, 10)))
    window.close()  # teardown, or the till's window shut, before the event loop's next turn
    for _ in range(3):
        QApplication.processEvents()  # the zero timer's turn comes, and finds it closed
    assert ran == []
