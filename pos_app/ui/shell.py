"""What a screen sees of the till's window, and nothing more.

A screen is built with two things: this `Shell` (the window's banner, its dialogs and the
manager's approval) and the `Session` (the signed-in user, the open sale, and the calls that
run on the worker and deliver their results to the widget that asked).  A screen never moves
the window to another screen itself: it raises a Qt signal (`wants_tender`, `completed`,
`signed_in` …) and the window, which owns every screen, connects it.  So no screen imports
`main_window` or reaches a sibling screen, and a screen can be built alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from pos_app.domain.errors import GuitaiError
from pos_app.domain.sale import Approval

from .common.dialogs import Dialog
from .qt import QWidget


class Shell(Protocol):
    """Implemented by the main window, which is also the parent widget of every dialog a
    screen opens (dialogs are window-modal to it, and outlive a screen rebuilt by a
    language switch)."""

    def window(self) -> QWidget:
        """The window itself (QWidget.window()): the parent a screen gives its dialogs."""
        ...

    def flash(self, text: str, error: bool = False, ms: int = 6000) -> None:
        """The banner under the header (green, or red when `error`), for `ms` milliseconds."""

    def open_dialog(self, dialog: Dialog) -> None:
        """Open window-modal without blocking; a scan while it is open goes to the dialog."""

    def ask_approval(
        self,
        action: str,
        err: GuitaiError,
        reason: str,
        then: Callable[[Approval], None],
        problem: str = "",
    ) -> None:
        """The manager override (name, PIN, reason) for the refused `err`; on success
        `then(approval)` retries the action."""
