"""The nightly tier recompute: an APScheduler 3.x job that `guitai cloud serve` registers on
every worker process's one scheduler (cloud/jobs.py).  Every worker's job fires; the run is claimed by its row in tier_runs
(`nightly:<day>`, inserted in the run's own transaction), so exactly one worker recomputes a
given night and the others find it taken.  A run that fails rolls its claim back: another
worker (or the next night) runs it."""

from __future__ import annotations

import logging
import re
from typing import Any

from apscheduler.job import Job
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from pos_app.domain.errors import InvalidInput

log = logging.getLogger(__name__)

DEFAULT_AT = "02:30"  # after the stores close and the tills' last batches arrived
TZ = "Asia/Shanghai"


def parse_at(text: str) -> tuple[int, int] | None:
    """`HH:MM` (the brand's local time) or `off`."""
    if text.strip().lower() == "off":
        return None
    m = re.fullmatch(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*", text)
    if not m:
        raise InvalidInput(
            f"--tiers-at {text!r}: give a time of day as HH:MM (e.g. 02:30) or off",
            f"--tiers-at {text!r}：请给出 HH:MM 格式的时间（如 02:30），或 off",
        )
    return int(m.group(1)), int(m.group(2))


def run_nightly(service: Any) -> dict[str, Any] | None:
    """The job: tonight's recompute, or nothing when another worker has it."""
    try:
        r: dict[str, Any] = service.tiers.recompute(nightly=True)
    except Exception:
        log.exception("the nightly tier recompute failed; it runs again next night")
        return None
    if r.get("skipped"):
        log.info("tiers: %s ran in another worker", r["run_id"])
    else:
        log.info(
            "tiers: %s core %s potential %s ordinary %s, up %s down %s",
            r["run_id"],
            r["core"],
            r["potential"],
            r["ordinary"],
            r["moved_up"],
            r["moved_down"],
        )
    return r


def add_nightly(scheduler: BaseScheduler, service: Any, at: str = DEFAULT_AT) -> Job | None:
    """The nightly job on the worker's scheduler (None when `at` is off)."""
    when = parse_at(at)
    if when is None:
        return None
    return scheduler.add_job(
        run_nightly,
        CronTrigger(hour=when[0], minute=when[1], timezone=TZ),
        args=[service],
        id="tiers-nightly",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,  # a worker busy at 02:30 still runs it within the hour
    )
