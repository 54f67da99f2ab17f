"""A scan handed to a busy GUI thread late is still one scan: the wedge times the keys by the
stamps the input system gave them, not by when it got round to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pos_app.ui.common.wedge import WedgeFilter
from pos_app.ui.qt import QApplication, QEvent, QKeyEvent, QLineEdit, Qt

CODE = "6901234567892"


def late_clock(step_s: float) -> Iterator[float]:
    at = 100.0
    while True:
        yield at
        at += step_s


def scan_stamped(field: QLineEdit, code: str, start_ms: int, gap_ms: int) -> None:
    """The scanner's keys, stamped gap_ms apart, each handed to the field as it comes."""
    at = start_ms
    for ch in code:
        press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key(ord(ch)), Qt.KeyboardModifier.NoModifier, ch)
        press.setTimestamp(at)
        QApplication.sendEvent(field, press)
        at += gap_ms
    enter = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
    enter.setTimestamp(at)
    QApplication.sendEvent(field, enter)


@pytest.fixture
def wedged(qtbot: Any) -> Iterator[Callable[[float], tuple[QLineEdit, list[str]]]]:
    """A focused field under the till's wedge, whose clock says each key is handled step_s
    after the last."""
    filters: list[WedgeFilter] = []

    def make(step_s: float) -> tuple[QLineEdit, list[str]]:
        field = QLineEdit()
        qtbot.addWidget(field)
        field.show()
        field.activateWindow()
        field.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=60_000)
        clock = late_clock(step_s)
        wedge = WedgeFilter(clock=lambda: next(clock))
        QApplication.instance().installEventFilter(wedge)  # type: ignore[union-attr]
        filters.append(wedge)
        got: list[str] = []
        wedge.scanned.connect(got.append)
        return field, got

    yield make
    for wedge in filters:
        QApplication.instance().removeEventFilter(wedge)  # type: ignore[union-attr]


def test_a_scan_handled_late_is_still_one_scan(wedged: Any) -> None:
    # each key reaches the GUI thread 100 ms after the last (a loaded box), typed 3 ms apart
    field, got = wedged(0.1)
    scan_stamped(field, CODE, start_ms=5_000, gap_ms=3)
    assert got == [CODE]
    assert field.text() == ""  # the burst taken out of the field it landed in


def test_keys_typed_slowly_stay_typing_however_fast_they_are_handled(wedged: Any) -> None:
    # a person's keys, 120 ms apart, handled back to back after a stall
    field, got = wedged(0.0001)
    scan_stamped(field, "TS2002", start_ms=5_000, gap_ms=120)
    assert got == []
    assert field.text() == "TS2002"
