"""What other threads report to the window: problems after a commit (the printing thread)
and follow-ups falling due (the follow-up scheduler).  Each arrives through a Qt signal, which
Qt queues to the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pos_app.domain.errors import GuitaiError

from .qt import QObject, Signal
from .session import Session


class Notices(QObject):
    """Problems reported after a commit (paper out, drawer…) from the worker thread; Qt queues
    them to the GUI thread.  `till.wire_side_effects(notices.arrived.emit)`."""

    arrived = Signal(object)


class FollowupNotices(QObject):
    """Follow-ups falling due, from the scheduler's thread (`till.start_followups`); Qt
    queues them to the GUI thread."""

    due = Signal(object)


def start_followups(
    till: Any,
    session: Session,
    due: FollowupNotices,
    started: Callable[[Any], None],
    failed: Callable[[GuitaiError], None],
) -> None:
    """The associates' follow-ups (`till.start_followups`): its scheduler thread reports
    those falling due through `due` (banner and badge).  Started on the worker (it builds the
    member service)."""
    if not hasattr(type(till), "start_followups"):
        return

    def on_due(rows: Any) -> None:
        due.due.emit(rows)  # `due` is kept alive by this closure for the scheduler thread

    session.call(lambda: till.start_followups(on_due), started, failed)


def stop_followups(till: Any) -> None:
    """Stop the follow-up scheduler (`till.start_followups`); `till.close()` does it too."""
    job = getattr(till, "followup_job", None)
    if job is not None:
        job.shutdown()
        till.followup_job = None
