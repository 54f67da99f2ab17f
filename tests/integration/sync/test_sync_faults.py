"""2,000+ sales with refunds pushed through a fault-injecting proxy: afterwards the cloud
holds every event exactly once, its totals equal the till's, the queue is empty and nothing
was dead-lettered."""

from __future__ import annotations

import time
from pathlib import Path

from fault_proxy import FaultProxy
from sync_testkit import TillWriter, enroll_device, enroll_settings, make_till_home

from pos_app.adapters.sync_link import build_relay
from sync.relay import Backoff


def test_exactly_once_through_a_faulty_network(tmp_path: Path, cloud) -> None:
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    paths, od, key = make_till_home(tmp_path / "till")
    answer = enroll_device(svc, key)
    host, port = cloud.url.removeprefix("http://").split(":")
    with FaultProxy((host, int(port)), seed=20261125, delay_s=0.9) as proxy:
        enroll_settings(od.conn, answer, proxy.url)
        import random

        parts = build_relay(
            paths,
            od.conn,
            timeout_s=0.6,
            batch_events=40,
            backoff=Backoff(base_s=0.005, cap_s=0.05, rng=random.Random(3)),
        )
        writer = TillWriter(od, "S001", answer["till_no"])
        relay = parts.relay
        deadline = time.monotonic() + 80
        try:
            for _ in range(10):  # the day goes on while the link misbehaves
                writer.day(200, refund_every=10)
                for _ in range(6):
                    report = relay.push()
                    if report.blocked:
                        time.sleep(0.05)
            while parts.outbox.stats(relay.clock.now())["pending"] and time.monotonic() < deadline:
                if relay.push().blocked:
                    time.sleep(0.05)
        finally:
            parts.close()

    queued = od.conn.execute("SELECT count(*), max(seq) FROM outbox").fetchone()
    stats = parts.outbox.stats(relay.clock.now())
    assert stats["pending"] == 0, f"queue not drained: {stats}; faults {proxy.counts}"
    assert stats["dead_letters"] == 0, stats["dead_letter_list"][:3]
    assert queued[0] >= 2200
    totals = svc.admin.totals()
    assert totals["events"] == queued[0]  # every event once (event id is the primary key)
    assert totals["sales_and_refunds"] == 2200
    assert totals["total_fen"] == writer.total_fen
    till_ids = {r[0] for r in od.conn.execute("SELECT id FROM outbox")}
    with svc.db.tx() as tx:
        cloud_ids = {
            r[0] for r in tx.execute("SELECT id FROM events WHERE status='accepted'").fetchall()
        }
    assert cloud_ids == till_ids
    dev = svc.admin.devices()[0]
    assert dev["contiguous_seq"] == dev["max_seq"] == queued[1]
    # every kind of fault really happened
    assert all(
        proxy.counts[f] > 0
        for f in ("drop_before", "drop_after", "delay", "error_500", "cut", "dup")
    ), proxy.counts
