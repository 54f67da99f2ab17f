"""Driving the till like a cashier: taps, the keyboard and a keyboard-wedge scanner."""

from __future__ import annotations

import time
from typing import Any

from pos_app.ui.qt import QApplication, QEvent, QObject, Qt

# Bounds a hang, never paces a test: every wait below ends on the event it waits for.
TIMEOUT = 60_000


def idle(qtbot: Any, t: Any) -> None:
    qtbot.waitUntil(lambda: t.session.worker.pending == 0, timeout=TIMEOUT)
    QApplication.processEvents()


def tap(qtbot: Any, t: Any, button: Any) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    idle(qtbot, t)


class _ScannerStamps(QObject):
    """Stamps each key event with the time a scanner typed it, 2 ms apart, as the input
    system does for a real one.  qtbot's key events carry no stamp, so the till would time
    them as it handles them, and a loaded box spreads those past the burst gap."""

    def __init__(self) -> None:
        super().__init__()
        self.next_ms = int(time.monotonic() * 1000)

    def eventFilter(self, obj: Any, event: Any) -> bool:
        if event.type() == QEvent.Type.KeyPress and not event.timestamp():
            event.setTimestamp(self.next_ms)
            self.next_ms += 2
        return False


def wedge_scan(qtbot: Any, t: Any, code: str) -> None:
    """A scanner: the code's characters back to back, then Enter, into the focused widget."""
    target = QApplication.focusWidget() or t.window.sale.scan
    stamps = _ScannerStamps()
    app = QApplication.instance()
    app.installEventFilter(stamps)  # installed last, so it runs before the till's wedge
    try:
        qtbot.keyClicks(target, code)
        qtbot.keyClick(target, Qt.Key.Key_Return)
    finally:
        app.removeEventFilter(stamps)
    idle(qtbot, t)


def sign_in(qtbot: Any, t: Any, name: str, pin: str) -> None:
    s = t.window.signin
    idle(qtbot, t)
    tap(qtbot, t, s.tiles[name])
    for d in pin:
        tap(qtbot, t, s.pad.buttons[d])
    tap(qtbot, t, s.pad.buttons["enter"])
    idle(qtbot, t)


def open_shift(qtbot: Any, t: Any, float_yuan: str = "500") -> None:
    sh = t.window.shift
    assert t.window.current == "shift"
    sh.float_edit.setText(float_yuan)
    qtbot.keyClick(sh.float_edit, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert t.window.current == "sale"


def dialog(t: Any) -> Any:
    d = t.window.dialog
    assert d is not None and d.isVisible(), "no dialog is open"
    return d


def fill(qtbot: Any, t: Any, **values: str) -> None:
    d = dialog(t)
    for k, v in values.items():
        d.edits[k].setText(v)
    tap(qtbot, t, d.ok_btn)


def table_text(table: Any) -> list[list[str]]:
    return [
        [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def start_selling(qtbot: Any, t: Any, user: str = "李娜", pin: str = "7391") -> None:
    sign_in(qtbot, t, user, pin)
    if t.window.current == "shift":
        open_shift(qtbot, t)
    assert t.window.current == "sale"
    t.window.activateWindow()
    t.window.sale.scan.setFocus()


def give_ereceipt_address(home: Any) -> None:
    """The till's e-receipt address (a cloud's /r/ page, QR alphanumeric): without one the
    customer's screen shows no QR, as there is no page for a phone to open."""
    from members_kit import set_setting

    set_setting(home, "ereceipt_base_url", "HTTPS://R.EXAMPLE.COM/R/")
