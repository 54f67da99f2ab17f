"""The timed jobs of one `guitai cloud serve` worker process: one APScheduler 3.x scheduler
(one thread), on which each room registers its jobs: the nightly tier recompute
(cloud/tiers/nightly.py, claimed by one worker a night) and the triggers' event stream and
daily pass (cloud/triggers/schedule.py, the daily pass under a lease)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from .tiers.nightly import DEFAULT_AT, add_nightly
from .triggers.schedule import TriggerJobs, trigger_jobs


def worker_scheduler() -> BackgroundScheduler:
    """The worker's scheduler, not started; each job carries its own time zone."""
    return BackgroundScheduler(timezone=UTC)


@dataclass(frozen=True)
class WorkerJobs:
    scheduler: BackgroundScheduler
    triggers: TriggerJobs

    def stop(self) -> None:
        """Waits for a running job (the server stops it before its database pool closes)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)


def start_worker_jobs(service: Any, config: Any, tiers_at: str = DEFAULT_AT) -> WorkerJobs:
    """`service` is the worker's CloudService, `config` its CloudConfig, `tiers_at` the
    `--tiers-at` time (HH:MM, or off: no nightly job)."""
    scheduler = worker_scheduler()
    add_nightly(scheduler, service, tiers_at)
    triggers = trigger_jobs(service, config).register(scheduler)
    scheduler.start()
    return WorkerJobs(scheduler, triggers)
