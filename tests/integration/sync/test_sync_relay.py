"""The relay's behaviour: dead letters with their reason, no blind retries of 4xx, backoff
on transport errors, requeue, batch limits, and the scheduler's push-soon-after-a-sale."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sync_testkit import TillWriter, enroll_device, enroll_settings, make_till_home

from pos_app.adapters.db.relay_ports import RelayOutbox
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.sync_link import build_relay, build_scheduler
from pos_app.cli import main
from sync.relay import Backoff


def enrolled(tmp_path: Path, cloud, url: str | None = None):
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    paths, od, key = make_till_home(tmp_path / "till")
    answer = enroll_device(svc, key)
    enroll_settings(od.conn, answer, url or cloud.url)
    return paths, od, answer


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_dead_letters_are_listed_with_their_reason_and_can_be_requeued(
    tmp_path: Path, cloud, capsys
) -> None:
    paths, od, _ = enrolled(tmp_path, cloud)
    writer = TillWriter(od, "S001", 1)
    writer.day(5, refund_every=100)
    # a sale whose stored payload was edited after it was hashed
    row = od.conn.execute("SELECT seq, payload FROM outbox WHERE seq = 3").fetchone()
    edited = json.loads(row[1])
    edited["cashier"] = "mallory"
    od.conn.execute(
        "UPDATE outbox SET payload = ? WHERE seq = 3", (json.dumps(edited, ensure_ascii=False),)
    )
    capsys.readouterr()
    assert main(["--home", str(paths.home), "sync", "run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["push"]["accepted"] == 4 and out["push"]["rejected"] == 1, out
    assert main(["--home", str(paths.home), "sync", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["pending"] == 0
    [dead] = status["dead_letters"]
    assert dead["type"] == "sale.completed" and dead["code"] == "hash_mismatch"
    assert "altered" in dead["reason"] and dead["id"]
    assert main(["--home", str(paths.home), "sync", "status"]) == 0
    assert "hash_mismatch" in capsys.readouterr().out
    # requeue: the cloud answers the same again (stored rejection), nothing is double-counted
    assert main(["--home", str(paths.home), "sync", "requeue", "--all"]) == 0
    assert "requeued 1 events" in capsys.readouterr().out
    assert main(["--home", str(paths.home), "sync", "run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["push"]["rejected"] == 1 and out["status"]["pending"] == 0
    assert cloud.service.admin.totals()["sales_and_refunds"] == 4


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_a_refusal_is_not_retried_blindly_but_a_person_may_retry(tmp_path: Path, cloud) -> None:
    paths, od, answer = enrolled(tmp_path, cloud)
    TillWriter(od, "S001", 1).day(3)
    cloud.service.admin.revoke_device(answer["device_id"])
    parts = build_relay(paths, od.conn)
    try:
        first = parts.relay.push()
        assert first.blocked and "revoked_key" in (first.error or "")
        again = parts.relay.push()  # the scheduler's next run: nothing is sent
        assert again.blocked and again.error is None and again.batches == 0
        status = parts.relay.status()
        assert status["pending"] == 3 and "revoked_key" in status["last_error"]
        assert status["blocked"] == "401 revoked_key"
        forced = parts.relay.push(force=True)  # `guitai sync run`: tried once more
        assert forced.blocked and "revoked_key" in (forced.error or "")
        assert parts.relay.pull().blocked  # the pull job waits too
        pulled = parts.relay.pull(force=True)
        assert pulled.blocked and "revoked_key" in (pulled.error or "")
    finally:
        parts.close()


def test_transport_errors_back_off_and_keep_events(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{s.getsockname()[1]}"
    paths, od, _ = make_till_home(tmp_path / "till")
    enroll_settings(
        od.conn,
        {
            "device_id": "dev_x",
            "ereceipt_base_url": "HTTP://X/R/",
            "key_id": "00",
            "store_id": "S001",
            "till_no": 1,
        },
        dead_url,
    )
    TillWriter(od, "S001", 1).day(3)
    import random

    parts = build_relay(
        paths, od.conn, timeout_s=0.5, backoff=Backoff(base_s=60, cap_s=300, rng=random.Random(1))
    )
    try:
        report = parts.relay.push()
        assert report.error and "Cannot reach" in report.error and not report.blocked
        assert parts.relay.in_backoff()
        assert parts.relay.push().blocked  # still inside the backoff window: not even tried
        rows = od.conn.execute(
            "SELECT state, attempts, next_attempt_at, last_error FROM outbox"
        ).fetchall()
        assert all(r[0] == "pending" and r[1] == 1 and r[2] and r[3] for r in rows)
        assert RelayOutbox(SqliteUnitOfWork(od.conn)).pending(500, 1 << 20, datetime.now(UTC)) == []
        assert parts.relay.status()["pending"] == 3
    finally:
        parts.close()
    # `guitai sync run` says so and exits 1 (the events stay queued)
    with pytest.raises(SystemExit) as exit_:
        main(["--home", str(paths.home), "sync", "run", "--json"])
    assert exit_.value.code == 1
    assert od.conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone() == (3,)


def test_backoff_is_capped_exponential_with_jitter() -> None:
    import random

    b = Backoff(base_s=2, cap_s=60, rng=random.Random(5))
    for failures, ceiling in [(1, 2), (2, 4), (3, 8), (6, 60), (40, 60)]:
        for _ in range(50):
            assert ceiling / 2 <= b.delay(failures) <= ceiling


def test_batches_respect_the_event_and_byte_limits(tmp_path: Path) -> None:
    _, od, _ = make_till_home(tmp_path / "till")
    TillWriter(od, "S001", 1).day(700, refund_every=1000)
    box = RelayOutbox(SqliteUnitOfWork(od.conn))
    now = datetime.now(UTC)
    assert len(box.pending(500, 1 << 20, now)) == 500
    small = box.pending(500, 20_000, now)
    assert 1 <= len(small) < 500
    from sync.client import encode_batch

    assert len(encode_batch(small)) <= 20_000


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_scheduler_pushes_soon_after_a_nudge(tmp_path: Path, cloud) -> None:
    paths, od, _ = enrolled(tmp_path, cloud)
    cloud.service.admin.set_price("QP-1", 100)
    db = od.thread  # the relay's units of work run on the connection's database thread
    db.start()
    parts = build_relay(paths, od.conn)
    sched = build_scheduler(
        parts, push_interval_s=3600, pull_interval_s=3600, nudge_delay_s=0.05, first_run_s=0.05
    )
    writer = TillWriter(od, "S001", 1)
    try:
        sched.start()
        deadline = time.monotonic() + 10
        while sched.runs["pull"] < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert parts.state.get("changes_cursor")
        db.call(lambda: writer.day(10))
        sched.nudge()
        while time.monotonic() < deadline:
            if parts.outbox.stats(datetime.now(UTC))["pending"] == 0:
                break
            time.sleep(0.02)
        assert cloud.service.admin.totals()["sales_and_refunds"] == 11
        job = sched._scheduler.get_job("push")
        assert job.max_instances == 1 and job.coalesce is True
    finally:
        sched.shutdown()
        parts.close()
        db.close()
    assert not sched.running


def test_adapters_refuse_to_join_a_transaction_they_do_not_own(tmp_path: Path) -> None:
    _, od, _ = make_till_home(tmp_path / "till")
    TillWriter(od, "S001", 1).day(2)
    box = RelayOutbox(SqliteUnitOfWork(od.conn))
    ids = [e.id for e in box.pending(10, 1 << 20, datetime.now(UTC))]
    od.conn.execute("BEGIN IMMEDIATE")  # e.g. a sale being completed without the shared lock
    try:
        with pytest.raises(RuntimeError, match="through the unit of work"):
            box.mark_sent(ids, datetime.now(UTC))
    finally:
        od.conn.execute("ROLLBACK")
    box.mark_sent(ids, datetime.now(UTC))
    assert box.stats(datetime.now(UTC))["pending"] == 0
