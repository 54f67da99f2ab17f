"""The triggers' jobs in `cloud serve`, registered on the worker process's one scheduler
(cloud/jobs.py): the event stream every few seconds (with the WeChat messages it queued), and the daily pass,
tried every quarter hour and run by the one worker that takes the day's lease."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler

from .wechat import TemplateSender, send_pending

log = logging.getLogger(__name__)


class TriggerJobs:
    def __init__(
        self,
        service: Any,  # cloud.service.CloudService (its `triggers`, `db` and `now`)
        sender: TemplateSender | None = None,
        *,
        stream_s: float = 10.0,
        daily_s: float = 900.0,
    ) -> None:
        self.service = service
        self.sender = sender
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.stream_s, self.daily_s = stream_s, daily_s
        self.runs = {"stream": 0, "daily": 0}

    def stream(self) -> None:
        try:
            self.service.triggers.run_stream()
            if self.sender is not None:
                send_pending(self.service.db, self.sender, self.service.now)
        except Exception:  # one failed run must never stop the jobs
            log.exception("trigger stream job failed")
        finally:
            self.runs["stream"] += 1

    def daily(self) -> None:
        try:
            self.service.triggers.run_daily(self.holder)
        except Exception:
            log.exception("trigger daily pass failed")
        finally:
            self.runs["daily"] += 1

    def register(self, scheduler: BaseScheduler) -> TriggerJobs:
        """Both jobs on the worker's scheduler, each run tried at once when it starts."""
        soon = datetime.now(UTC) + timedelta(seconds=1)
        for job_id, fn, every_s in (
            ("triggers-stream", self.stream, self.stream_s),
            ("triggers-daily", self.daily, self.daily_s),
        ):
            scheduler.add_job(
                fn,
                "interval",
                seconds=every_s,
                id=job_id,
                next_run_time=soon,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=60,
            )
        return self


def trigger_jobs(service: Any, config: Any) -> TriggerJobs:
    """The jobs for a served cloud; WeChat messages go out when the official account is
    configured (--wechat-mp-url, --wechat-appid, --wechat-secret), else they wait."""
    sender: TemplateSender | None = None
    if config.wechat_mp_url and config.wechat_appid and config.wechat_secret:
        from ..wechat_mp import MpClient

        sender = MpClient(
            service.db, config.wechat_mp_url, config.wechat_appid, config.wechat_secret
        )
    return TriggerJobs(service, sender)
