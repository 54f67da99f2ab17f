"""The aggregator's daily check-in while the till runs (issue 23): an APScheduler job rotates
the terminal key on the running payment service's own client (sales go on with the new key,
even after the old one stopped working) and stores the key sealed; the next check-in is due a
day after the last, so a restart does not rotate again; a failed check-in keeps the old key."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta

from aggregator_rig import AggregatorRig, agg, code  # noqa: F401 - the fixture

from pos_app.adapters.aggregator_checkin import CheckinJob, start_checkin_job
from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders
from pos_app.adapters.db.writer_thread import DbThread


def _job(agg: AggregatorRig, svc: object, **kw: object) -> CheckinJob:
    return CheckinJob(
        lambda: svc,  # type: ignore[arg-type,return-value]
        SqlitePaymentProviders(agg.opened.conn),
        DbThread(),
        **kw,  # type: ignore[arg-type]
    )


def test_each_check_in_rotates_the_key_the_running_till_pays_with(agg: AggregatorRig) -> None:
    svc = agg.service()
    store = SqlitePaymentProviders(agg.opened.conn)
    first_key = store.get("aggregator")[1]["key"]  # type: ignore[index]
    job = _job(agg, svc)
    for n in range(2):  # after two rotations the first key no longer works at the acquirer
        assert job.run_once()["checked_in"] is True
        paid = svc.charge(f"SALE-{n}", "unionpay", 1000, code("unionpay", n=n))
        assert paid.amount_fen == 1000
    (keys,) = agg.emu.terminals.values()
    settings = store.get("aggregator")[1]  # type: ignore[index]
    assert settings["key"] == keys[0] and first_key not in keys
    assert datetime.fromisoformat(settings["checked_in_at"]) <= datetime.now(UTC)
    raw = sqlite3.connect(agg.db_path)
    try:
        stored = raw.execute("SELECT settings FROM payment_providers").fetchone()[0]
    finally:
        raw.close()
    assert keys[0] not in stored  # sealed at rest


def test_the_next_check_in_is_due_a_day_after_the_last(agg: AggregatorRig) -> None:
    now = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    job = _job(agg, agg.service(), now=lambda: now)
    assert job.due() == now + timedelta(minutes=5)  # never checked in: soon after start
    job.run_once()
    later = _job(agg, agg.service(), now=lambda: now + timedelta(hours=3))
    assert later.due() == now + timedelta(days=1)  # a restart does not rotate again


def test_the_timer_runs_the_check_in_and_a_failure_keeps_the_old_key(agg: AggregatorRig) -> None:
    svc = agg.service()
    store = SqlitePaymentProviders(agg.opened.conn)
    before = store.get("aggregator")[1]["key"]  # type: ignore[index]
    agg.emu.stop()  # the acquirer cannot be reached
    job = _job(agg, svc, first_delay_s=0)
    job.start()
    try:
        for _ in range(500):
            if job.runs:
                break
            time.sleep(0.02)
    finally:
        job.shutdown()
    assert job.runs == 1 and job.last_error
    assert store.get("aggregator")[1]["key"] == before  # type: ignore[index]


def test_no_aggregator_no_job(tmp_path: object) -> None:
    from types import SimpleNamespace

    from pos_app.adapters.db.connection import open_database

    opened = open_database(tmp_path / "till.db")  # type: ignore[operator]
    try:
        app = SimpleNamespace(uow=SimpleNamespace(conn=opened.conn, thread=DbThread()))
        assert start_checkin_job(app) is None
    finally:
        opened.close()
