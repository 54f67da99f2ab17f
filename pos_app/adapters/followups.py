"""The running till's follow-up job, started once (by the UI) and stopped on close.  The
scheduler (APScheduler) loads when the job starts, not when the till is built."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pos_app.adapters.db.writer_thread import DbThread
    from pos_app.adapters.followup_jobs import FollowupJob
    from pos_app.services.members.associates import MemberAssociates


class Followups:
    """The running till's follow-up job: started once (by the UI), stopped on close."""

    def __init__(self, service: Callable[[], MemberAssociates], thread: DbThread) -> None:
        self.service = service
        self.thread = thread
        self.job: FollowupJob | None = None

    def start(
        self, on_due: Callable[[list[dict[str, Any]]], None], *, interval_s: float = 60.0
    ) -> None:
        """Surface the associates' follow-ups as they fall due (APScheduler, in the
        background); `on_due(rows)` runs on the scheduler's thread."""
        from pos_app.adapters.followup_jobs import FollowupJob

        if self.job is not None:
            return
        # The member parts are built on the database thread, like every first use of them.
        service = self.thread.call(self.service)
        self.job = FollowupJob(service, on_due, interval_s=interval_s, thread=self.thread)
        self.job.start()

    def close(self) -> None:
        if self.job is not None:
            self.job.shutdown()
            self.job = None
