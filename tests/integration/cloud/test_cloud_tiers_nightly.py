"""The nightly tier recompute (issue 21): an APScheduler job in every worker, run by exactly
one of them per night (two workers' jobs firing at once on one PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from tier_chain import seed_chain

from cloud.db import CloudDB
from cloud.jobs import worker_scheduler
from cloud.service import CloudService
from cloud.tiers.nightly import add_nightly, parse_at, run_nightly
from pos_app.cli import main
from pos_app.domain.errors import InvalidInput

NIGHT = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)  # 02:30 in Shanghai, 2 December


@pytest.mark.postgres
def test_two_workers_firing_at_once_recompute_the_night_once(pg_server: str) -> None:
    import sync_fixtures

    url = sync_fixtures.fresh_pg_database(pg_server)
    dbs = [CloudDB(url), CloudDB(url)]
    try:
        workers = [CloudService(db, ereceipt_base_url="", now=lambda: NIGHT) for db in dbs]
        seed_chain(dbs[0], [i * 100 for i in range(5000)], "2026-11-20T10:00:00Z")
        go = threading.Barrier(2)
        results: list[dict | None] = [None, None]

        def fire(n: int) -> None:
            go.wait()
            results[n] = run_nightly(workers[n])

        threads = [threading.Thread(target=fire, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert all(r is not None for r in results)
        ran = [r for r in results if r and not r.get("skipped")]
        skipped = [r for r in results if r and r.get("skipped")]
        assert len(ran) == 1 and len(skipped) == 1
        assert ran[0]["run_id"] == skipped[0]["run_id"] == "nightly:2026-12-02"
        with dbs[0].tx() as tx:
            assert tx.execute("SELECT count(*) FROM tier_runs").fetchone()[0] == 1
            moves = tx.execute("SELECT count(*) FROM tier_history").fetchone()[0]
        assert moves == ran[0]["moved_up"] == 2000  # 500 core + 1500 potential, once
    finally:
        for db in dbs:
            db.close()


def test_the_job_is_scheduled_at_the_time_given_and_stops_with_the_server(
    tmp_path: object,
) -> None:
    db = CloudDB(":memory:")
    try:
        svc = CloudService(db, ereceipt_base_url="")
        scheduler = worker_scheduler()
        assert add_nightly(scheduler, svc, "03:15") is not None
        scheduler.start()
        try:
            job = scheduler.get_job("tiers-nightly")
            assert job is not None
            assert str(job.trigger) == "cron[hour='3', minute='15']"
            assert (job.max_instances, job.coalesce) == (1, True)
        finally:
            scheduler.shutdown()
        assert add_nightly(worker_scheduler(), svc, "off") is None
    finally:
        db.close()
    assert parse_at("2:05") == (2, 5)
    with pytest.raises(InvalidInput, match="HH:MM"):
        parse_at("25:00")


def test_serve_refuses_a_bad_time_before_starting(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["cloud", "serve", "--db", ":memory:", "--tiers-at", "noon", "--port", "1"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "HH:MM" in err and "请给出" in err
