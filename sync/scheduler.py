"""Background sync jobs on APScheduler 3.x: push soon after a sale, pull on an interval.

Both jobs run on the scheduler's thread pool with max_instances=1 and coalesce=True, so a
slow cloud never stacks up pushes and a till waking from sleep runs a missed job once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from .relay import Relay

log = logging.getLogger(__name__)


class SyncScheduler:
    """Start with `start()`, call `nudge()` after every committed sale, `shutdown()` on exit."""

    def __init__(
        self,
        relay: Relay,
        *,
        push_interval_s: float = 60.0,
        pull_interval_s: float = 300.0,
        nudge_delay_s: float = 2.0,
        first_run_s: float = 1.0,
    ) -> None:
        self.relay = relay
        self.nudge_delay_s = nudge_delay_s
        self.first_run_s = first_run_s
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 30},
        )
        self._push_interval_s = push_interval_s
        self._pull_interval_s = pull_interval_s
        self.runs = {"push": 0, "pull": 0}
        self._pushing = False
        self._nudged_during_run = False

    def _push(self) -> None:
        self._nudged_during_run = False
        self._pushing = True
        try:
            self.relay.push()
        except Exception:  # one failed run must never kill the scheduler thread
            log.exception("sync push job failed")
        finally:
            self._pushing = False
            self.runs["push"] += 1
        if self._nudged_during_run:
            # A sale committed while this run was finishing: its nudge found the job busy
            # (max_instances=1), so run again soon instead of at the next interval.
            self.nudge()

    def _pull(self) -> None:
        try:
            self.relay.pull()
        except Exception:
            log.exception("sync pull job failed")
        finally:
            self.runs["pull"] += 1

    def start(self) -> None:
        now = datetime.now(UTC)
        self._scheduler.add_job(
            self._push,
            "interval",
            seconds=self._push_interval_s,
            id="push",
            next_run_time=now + timedelta(seconds=1),
        )
        self._scheduler.add_job(
            self._pull,
            "interval",
            seconds=self._pull_interval_s,
            id="pull",
            next_run_time=now + timedelta(seconds=2),
        )
        self._scheduler.start()

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def nudge(self) -> None:
        """Push soon (after nudge_delay_s, so a burst of sales travels in one batch)."""
        if not self._scheduler.running:
            return
        if self._pushing:
            self._nudged_during_run = True
            return
        when = datetime.now(UTC) + timedelta(seconds=self.nudge_delay_s)
        job = self._scheduler.get_job("push")
        if job is not None and (job.next_run_time is None or job.next_run_time > when):
            job.modify(next_run_time=when)

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
