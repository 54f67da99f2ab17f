"""Work the till wants soon but not before the cashier's first working screen is on the glass.

The printing wiring and the follow-ups' scheduler each import and build a part of the till
(~0.1 s of CPU each).  Queued on the database thread at start, they ran ahead of the PIN check
that the cashier waits on; started merely later, they competed for the GIL with the first
paint of the sale screen.  So they start on the GUI thread's turn after that paint.
"""

from __future__ import annotations

from collections.abc import Callable

from .qt import QEvent, QObject, QTimer, QWidget


class AfterFirstPaint(QObject):
    """Runs `then` once, on the event loop's next turn after the first screen other than the
    sign-in has painted (the sale screen, or the shift screen when the shift is closed).

    Nothing can print or fall due before that screen: a sale is completed from the sale
    screen, reports are printed from the shift screen, and the database thread runs its jobs
    in order, so the wiring queued here runs before any of theirs."""

    def __init__(self, parent: QObject, then: Callable[[], None]) -> None:
        super().__init__(parent)
        self._then: Callable[[], None] | None = then
        self._painted = False

    def run_now(self) -> None:
        if self._then is not None:
            then, self._then = self._then, None
            then()

    def shown(self, name: str, screen: QWidget) -> None:
        """The window moved to `screen` (MainWindow.screen_shown)."""
        if self._then is None or self._painted or name == "signin":
            return
        # A language switch rebuilds the screens: the one shown now is watched, whichever
        # screen was watched before it.
        screen.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._after_paint)  # never once the window is gone
        if self._painted and isinstance(watched, QWidget):
            watched.removeEventFilter(self)
        return False

    def _after_paint(self) -> None:
        window = self.parent()
        if isinstance(window, QWidget) and not window.isVisible():
            return  # closed meanwhile (teardown stopped the follow-ups already)
        self.run_now()
