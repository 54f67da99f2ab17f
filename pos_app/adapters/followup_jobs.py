"""An APScheduler job that surfaces the associates' follow-ups as they fall due.

The till (or the UI) gives `on_due`, called with the follow-ups that became due since the last
run; each is surfaced once per process.  The job's read runs on the database thread of the
till's one connection (writer_thread.DbThread), like the sync jobs'.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from pos_app.adapters.db.writer_thread import DbThread
from pos_app.services.members.associates import MemberAssociates

log = logging.getLogger(__name__)


class FollowupJob:
    def __init__(
        self,
        service: MemberAssociates,
        on_due: Callable[[list[dict[str, Any]]], None],
        *,
        interval_s: float = 60.0,
        associate: str | None = None,
        thread: DbThread | None = None,
    ) -> None:
        self.service = service
        # The till's database thread (a job without one, a test's, reads where it runs).
        self.thread = thread or DbThread()
        self.on_due = on_due
        self.associate = associate
        self._seen: set[int] = set()
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._scheduler.add_job(
            self.run_once,
            "interval",
            seconds=interval_s,
            id="followups",
            max_instances=1,
            coalesce=True,
        )

    def run_once(self) -> list[dict[str, Any]]:
        """Surface what is due and not yet surfaced; returns it."""
        try:
            rows = self.thread.call(lambda: self.service.followups(self.associate, due=True))
        except Exception:  # a busy or closing database: the next run tries again
            log.exception("could not read due follow-ups")
            return []
        fresh = [r for r in rows if r["id"] not in self._seen]
        self._seen.update(r["id"] for r in fresh)
        if fresh:
            self.on_due(fresh)
        return fresh

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
