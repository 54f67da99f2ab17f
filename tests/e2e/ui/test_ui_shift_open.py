"""Opening the shift: the float is counted, never assumed (issue 16, item 7)."""

from __future__ import annotations

from typing import Any

from on_db import on_db
from uihelp import dialog, idle, sign_in, tap

from pos_app.ui.qt import Qt


def open_shift(t: Any) -> Any:
    """The open shift's row, read on the till's database thread."""
    till = t.session.till
    return on_db(till, till.reads.uow.shifts.find_open)


def test_enter_on_an_empty_float_opens_nothing(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    sign_in(qtbot, t, "李娜", "7391")
    sh = t.window.shift
    assert t.window.current == "shift" and sh.stack.currentIndex() == 0
    assert sh.float_edit.text() == ""  # a new till has no last float to offer
    assert "500" not in sh.float_edit.placeholderText()  # no amount that looks typed
    qtbot.keyClick(sh.float_edit, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert t.window.current == "shift"
    assert "备用金" in sh.message.text() and "0" in sh.message.text()
    assert open_shift(t) is None


def test_a_zero_float_is_confirmed_before_the_shift_opens(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    sign_in(qtbot, t, "李娜", "7391")
    sh = t.window.shift
    sh.float_edit.setText("0")
    qtbot.keyClick(sh.float_edit, Qt.Key.Key_Return)
    idle(qtbot, t)
    d = dialog(t)
    assert "¥0.00" in d.ok_btn.text()
    d.reject()
    idle(qtbot, t)
    assert t.window.current == "shift"
    assert open_shift(t) is None

    qtbot.keyClick(sh.float_edit, Qt.Key.Key_Return)
    idle(qtbot, t)
    tap(qtbot, t, dialog(t).ok_btn)
    assert t.window.current == "sale"
    assert open_shift(t)["float_fen"] == 0


def test_the_last_days_float_is_offered_as_a_real_value(qtbot: Any, app_ui: Any) -> None:
    till = app_ui.session.till

    def last_days_shift() -> None:
        admin = till.users.authenticate("admin", "9472")
        till.shifts.open(admin, 80_000)
        till.shifts.close(admin, 80_000)

    on_db(till, last_days_shift)
    t = app_ui
    sign_in(qtbot, t, "李娜", "7391")
    sh = t.window.shift
    assert sh.float_edit.text() == "800.00"  # a value, not a grey placeholder
    qtbot.keyClick(sh.float_edit, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert t.window.current == "sale"
    assert open_shift(t)["float_fen"] == 80_000
