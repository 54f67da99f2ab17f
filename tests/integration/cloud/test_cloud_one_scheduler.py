"""One APScheduler per cloud worker process (cloud/jobs.py): `guitai cloud serve` and each of
its workers start one scheduler, on which the tiers room (the nightly recompute) and the
triggers room (the event stream, the daily pass) register their jobs; and both rooms' jobs
still fire on it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from cloud.db import CloudDB
from cloud.ereceipt import CloudConfig
from cloud.jobs import start_worker_jobs
from cloud.service import CloudService
from pos_app.cli import main

ALL_JOBS = {"tiers-nightly", "triggers-stream", "triggers-daily"}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[BackgroundScheduler]:
    """Every BackgroundScheduler started in this test."""
    seen: list[BackgroundScheduler] = []
    start = BackgroundScheduler.start

    def record(self: BackgroundScheduler, *args: Any, **kw: Any) -> None:
        seen.append(self)
        start(self, *args, **kw)

    monkeypatch.setattr(BackgroundScheduler, "start", record)
    return seen


def job_ids(scheduler: BackgroundScheduler) -> set[str]:
    return {job.id for job in scheduler.get_jobs()}


def test_serve_starts_one_scheduler_with_both_rooms_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[BackgroundScheduler]
) -> None:
    import uvicorn

    while_serving: list[tuple[int, set[str], bool]] = []

    def serve_once(self: Any, *args: Any, **kw: Any) -> None:  # the server, stopped at once
        while_serving.append((len(started), job_ids(started[0]), started[0].running))

    monkeypatch.setattr(uvicorn.Server, "run", serve_once)
    rc = main(
        ["cloud", "serve", "--db", str(tmp_path / "c.db"), "--port", "1", "--tiers-at", "03:15"]
    )
    assert rc == 0
    assert while_serving == [(1, ALL_JOBS, True)]
    assert not started[0].running  # stopped with the server


def test_serve_with_the_nightly_off_keeps_the_triggers_on_the_one_scheduler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[BackgroundScheduler]
) -> None:
    import uvicorn

    seen: list[set[str]] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: seen.append(job_ids(started[0])))
    assert (
        main(["cloud", "serve", "--db", str(tmp_path / "c.db"), "--port", "1", "--tiers-at", "off"])
        == 0
    )
    assert len(started) == 1 and seen == [{"triggers-stream", "triggers-daily"}]


def test_each_worker_process_starts_one_scheduler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[BackgroundScheduler]
) -> None:
    from cloud import server

    monkeypatch.setenv(
        server.SERVE_ENV,
        json.dumps(server.serve_settings(f"sqlite:///{tmp_path / 'c.db'}", CloudConfig(), 2, 0)),
    )
    monkeypatch.setenv(server.TIERS_AT_ENV, "04:00")
    at_exit: list[Callable[[], Any]] = []
    monkeypatch.setattr(server.atexit, "register", at_exit.append)
    try:
        server.app_from_env()
        assert len(started) == 1 and job_ids(started[0]) == ALL_JOBS
        assert str(started[0].get_job("tiers-nightly").trigger) == "cron[hour='4', minute='0']"
    finally:
        for fn in reversed(at_exit):  # what the worker's exit runs: jobs, then the pool
            fn()
    assert not started[0].running


def test_both_rooms_jobs_fire_on_the_one_scheduler(tmp_path: Path) -> None:
    night = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)  # 02:30 in Shanghai, 2 December
    db = CloudDB(str(tmp_path / "c.db"))
    svc = CloudService(db, ereceipt_base_url="", now=lambda: night)
    jobs = start_worker_jobs(svc, CloudConfig(), "03:15")
    try:
        # tonight's run now, not at 03:15
        jobs.scheduler.get_job("tiers-nightly").modify(next_run_time=datetime.now(UTC))

        def tier_runs() -> int:
            with db.tx() as tx:
                return int(tx.execute("SELECT count(*) FROM tier_runs").fetchone()[0])

        deadline = datetime.now(UTC).timestamp() + 60  # bounds a hang, never paces
        while datetime.now(UTC).timestamp() < deadline and not (
            tier_runs() == 1 and jobs.triggers.runs["stream"] and jobs.triggers.runs["daily"]
        ):
            threading.Event().wait(0.05)
        assert tier_runs() == 1
        assert jobs.triggers.runs["stream"] >= 1 and jobs.triggers.runs["daily"] >= 1
    finally:
        jobs.stop()
        db.close()
