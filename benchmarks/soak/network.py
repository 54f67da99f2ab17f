"""A hostile network between till and cloud: N events through the sync fault proxy.

Reuses tests/support/fault_proxy.py (drop before / after the cloud, late delivery, 500s, cut
responses, duplicated requests) and tests/support/sync_testkit.py (chained sale and refund
events in a real till database).  Exactly once: afterwards the cloud holds every event id
once, its totals equal the till's, the queue is empty and nothing was dead-lettered.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

from .common import ROOT


def run(work: Path, events: int, seed: int = 20261125, deadline_s: float = 600) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "tests" / "support"))
    from fault_proxy import FaultProxy
    from sync_testkit import TillWriter, enroll_device, enroll_settings, make_till_home

    from cloud.app import create_app
    from cloud.db import CloudDB
    from cloud.ereceipt import CloudConfig
    from cloud.server import ThreadedServer
    from cloud.service import CloudService
    from pos_app.adapters.sync_link import build_relay
    from sync.relay import Backoff

    work.mkdir(parents=True, exist_ok=True)
    cdb = CloudDB(str(work / "cloud.db"))
    svc = CloudService(cdb, ereceipt_base_url="")
    cfg = CloudConfig(brand_name="青衫", account_name="青衫服饰", join_url="")
    server = ThreadedServer(create_app(svc, config=cfg))
    server.start()
    t0 = time.monotonic()
    try:
        svc.admin.add_store("S001", "南京西路店")
        paths, od, key = make_till_home(work / "till")
        answer = enroll_device(svc, key)
        host, port = server.url.removeprefix("http://").split(":")
        with FaultProxy((host, int(port)), seed=seed, delay_s=0.9) as proxy:
            enroll_settings(od.conn, answer, proxy.url)
            parts = build_relay(
                paths,
                od.conn,
                timeout_s=0.6,
                batch_events=100,
                backoff=Backoff(base_s=0.005, cap_s=0.05, rng=random.Random(3)),
            )
            writer = TillWriter(od, "S001", answer["till_no"])
            relay = parts.relay
            end = time.monotonic() + deadline_s
            try:
                while od.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] < events:
                    writer.day(200, refund_every=10)  # the day goes on while the link misbehaves
                    for _ in range(4):
                        if relay.push().blocked:
                            time.sleep(0.02)
                while parts.outbox.stats(relay.clock.now())["pending"] and time.monotonic() < end:
                    if relay.push().blocked:
                        time.sleep(0.02)
            finally:
                parts.close()
        queued, max_seq = od.conn.execute("SELECT count(*), max(seq) FROM outbox").fetchone()
        stats = parts.outbox.stats(relay.clock.now())
        totals = svc.admin.totals()
        till_ids = {r[0] for r in od.conn.execute("SELECT id FROM outbox")}
        with svc.db.tx() as tx:
            rows = tx.execute("SELECT id FROM events WHERE status='accepted'").fetchall()
        cloud_ids = [r[0] for r in rows]
        dev = svc.admin.devices()[0]
        od.close()
    finally:
        server.stop()
        cdb.close()
        sys.path.remove(str(ROOT / "tests" / "support"))
    exactly_once = (
        set(cloud_ids) == till_ids
        and len(cloud_ids) == len(set(cloud_ids))
        and totals["events"] == queued
        and totals["total_fen"] == writer.total_fen
        and stats["pending"] == 0
        and stats["dead_letters"] == 0
        and dev["contiguous_seq"] == dev["max_seq"] == max_seq
    )
    return {
        "events": queued,
        "sales_and_refunds": totals["sales_and_refunds"],
        "cloud_events": totals["events"],
        "missing_in_cloud": len(till_ids - set(cloud_ids)),
        "duplicates_in_cloud": len(cloud_ids) - len(set(cloud_ids)),
        "till_total_fen": writer.total_fen,
        "cloud_total_fen": totals["total_fen"],
        "pending": stats["pending"],
        "dead_letters": stats["dead_letters"],
        "faults": dict(proxy.counts),
        "seconds": round(time.monotonic() - t0, 1),
        "exactly_once": exactly_once,
    }
