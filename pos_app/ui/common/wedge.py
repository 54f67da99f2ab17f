"""Keyboard-wedge scanners: a scanner "types" the code fast and ends with Enter.

A burst is characters arriving less than `gap_ms` apart (scanners send one every 1–10 ms;
people type 80+ ms apart), at least `min_len` long, ending in Enter.  The filter swallows that
Enter, removes the burst from whatever line edit caught it, and emits `scanned(code)`, so a
scan lands in the sale whichever field has the focus.  The devices package's pure decoder can
replace `BurstTimer` without touching the Qt side.

The gaps are those between the times the keys were typed (the input system stamps each key
event), not the times the GUI thread got round to them: a till busy painting, or a loaded CPU,
hands a scan's keys over late and unevenly, and timing them on arrival split one scan into
typed text and a short, wrong code.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..qt import QEvent, QLineEdit, QObject, Qt, Signal

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class BurstTimer:
    """The timing rule alone (no Qt): feed characters and Enter with their times."""

    def __init__(self, gap_ms: float = 30.0, min_len: int = 4) -> None:
        self.gap_s = gap_ms / 1000
        self.min_len = min_len
        self.buffer: list[str] = []
        self.last = -1.0

    def char(self, ch: str, at: float) -> None:
        # A key stamped before the last one comes from another clock (a synthetic event
        # between device ones): never part of the same burst.
        if not self.buffer or not 0 <= at - self.last <= self.gap_s:
            self.buffer = []
        self.buffer.append(ch)
        self.last = at

    def enter(self, at: float) -> str | None:
        code = "".join(self.buffer)
        fast = bool(self.buffer) and 0 <= at - self.last <= self.gap_s
        self.buffer = []
        return code if fast and len(code) >= self.min_len else None


class WedgeFilter(QObject):
    scanned = Signal(str)

    def __init__(
        self,
        gap_ms: float = 30.0,
        min_len: int = 4,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.timer = BurstTimer(gap_ms, min_len)
        self.clock = clock
        self.enter_at: float | None = None  # when the last scan's Enter arrived (benchmarks)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        # Key events reach the app filter once per widget in the propagation chain; act on the
        # one addressed to the focused widget only.
        if not obj.isWidgetType():
            return False
        from ..qt import QApplication

        if obj is not QApplication.focusWidget() and QApplication.focusWidget() is not None:
            return False
        now = self.clock()
        stamp_ms = event.timestamp()  # type: ignore[attr-defined]
        typed_at = stamp_ms / 1000 if stamp_ms else now  # synthetic events carry no stamp (0)
        key = event.key()  # type: ignore[attr-defined]
        if key in ENTER_KEYS:
            code = self.timer.enter(typed_at)
            if code is None:
                return False
            if isinstance(obj, QLineEdit) and obj.text().endswith(code):
                obj.setText(obj.text()[: -len(code)])
            self.enter_at = now
            self.scanned.emit(code)
            return True
        text = event.text()  # type: ignore[attr-defined]
        if text and text.isprintable() and len(text) == 1:
            self.timer.char(text, typed_at)
        return False
