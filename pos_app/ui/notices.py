"""What other threads report to the window: problems after a commit (the printing thread)
and follow-ups falling due (the follow-up scheduler).  Each arrives through a Qt signal, which
Qt queues to the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import GuitaiError

from .qt import QObject, Signal
from .session import Session

if TYPE_CHECKING:
    from pos_app.bootstrap import App


class Notices(QObject):
    """Problems reported after a commit (paper out, drawer…) from the worker thread; Qt queues
    them to the GUI thread.  `till.side_effects.wire(notices.arrived.emit)`."""

    arrived = Signal(object)


class FollowupNotices(QObject):
    """Follow-ups falling due, from the scheduler's thread (`till.followups.start`); Qt
    queues them to the GUI thread."""

    due = Signal(object)


def start_followups(
    till: App,
    session: Session,
    due: FollowupNotices,
    started: Callable[[Any], None],
    failed: Callable[[GuitaiError], None],
) -> None:
    """The associates' follow-ups (`till.followups.start`): its scheduler thread reports
    those falling due through `due` (banner and badge).  Started on the worker (it builds the
    member service)."""

    def on_due(rows: Any) -> None:
        due.due.emit(rows)  # `due` is kept alive by this closure for the scheduler thread

    session.call(lambda: till.followups.start(on_due), started, failed)


def stop_followups(till: App) -> None:
    """Stop the follow-up scheduler (`till.followups.start`); shutting the App down does it
    too."""
    till.followups.close()
