"""The UI's parts that need no window: scanner timing, tender quick amounts, device status,
receipt text, and the PySide6 reference-count guard."""

from __future__ import annotations

import sys
from typing import Any

from pos_app.domain.tenders import quick_amounts
from pos_app.services.device_status import DeviceState, DeviceStatus, DeviceStatusBoard
from pos_app.ui.common.wedge import BurstTimer


def feed(timer: BurstTimer, text: str, start: float, gap_s: float) -> float:
    t = start
    for ch in text:
        timer.char(ch, t)
        t += gap_s
    return t


def test_fast_burst_ending_in_enter_is_a_scan() -> None:
    b = BurstTimer(gap_ms=30, min_len=4)
    end = feed(b, "6901234567892", 10.0, 0.004)
    assert b.enter(end) == "6901234567892"


def test_typing_is_not_a_scan() -> None:
    b = BurstTimer(gap_ms=30, min_len=4)
    end = feed(b, "TS2002", 10.0, 0.12)
    assert b.enter(end) is None


def test_short_burst_and_late_enter_are_not_scans() -> None:
    b = BurstTimer(gap_ms=30, min_len=4)
    end = feed(b, "12", 10.0, 0.002)
    assert b.enter(end) is None
    end = feed(b, "123456", 20.0, 0.002)
    assert b.enter(end + 0.5) is None  # a person pressed Enter after a pause


def test_burst_after_typing_only_keeps_the_burst() -> None:
    b = BurstTimer(gap_ms=30, min_len=4)
    t = feed(b, "ab", 10.0, 0.2)
    end = feed(b, "6901234567908", t + 0.5, 0.003)
    assert b.enter(end) == "6901234567908"


def test_a_key_stamped_before_the_last_is_not_part_of_the_burst() -> None:
    b = BurstTimer(gap_ms=30, min_len=4)
    end = feed(b, "69012", 10.0, 0.003)
    end = feed(b, "34567", end - 0.5, 0.003)  # another clock's stamps, half a second behind
    assert b.enter(end) == "34567"


def test_quick_amounts_offer_exact_then_likely_notes() -> None:
    assert quick_amounts(169_700) == [169_700, 170_000, 180_000, 200_000]
    assert quick_amounts(10_000) == [10_000, 20_000, 50_000]


def test_device_board_says_not_configured_and_survives_a_bad_probe() -> None:
    board = DeviceStatusBoard()
    assert [s.state for s in board.all()] == [DeviceState.NOT_CONFIGURED] * 6

    def broken() -> DeviceStatus:
        raise OSError("USB gone")

    board.register("printer", broken)
    board.register(
        "sync",
        lambda: DeviceStatus("sync", DeviceState.WARNING, "3 waiting", "3 条待发", pending=3),
    )
    printer = board.status("printer")
    assert printer.state is DeviceState.ERROR and "USB gone" in printer.reason
    assert board.status("sync").pending == 3
    assert board.status("sync").reason_for("zh") == "3 条待发"


def test_void_qt_calls_do_not_exhaust_none(qapp: Any) -> None:
    """PySide6 6.12 on Python 3.11 drops a reference to None per void call: without the guard
    this loop aborts the interpreter (none_dealloc)."""
    from pos_app.ui.qt import QLabel, guard_none_refcount

    guard_none_refcount()
    w = QLabel()
    for i in range(20_000):
        w.setText(str(i % 10))
    assert sys.getrefcount(None) > 0
