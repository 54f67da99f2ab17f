"""The till's clock jumping backwards and forwards while it sells, then syncing.

A ManualClock drives the real till: sales, a jump back 3 hours (an NTP step), more sales, a
jump forward 2 days (a dead CMOS battery "fixed" mid-shift), a refund, the Z close, the next
day's shift, a jump back past midnight.  Checks: receipt numbers follow commit order with no
gap whatever the clock said; every sale carries its shift's business day (the day the shift
opened, never the wall clock's); the journal chain verifies; the outbox sequence has no gap;
and the relay (on real time, as the cloud checks signature times against its own clock)
delivers every event exactly once in till order.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .common import PIN, make_till


def run(work: Path, sales_per_step: int = 10) -> dict[str, Any]:
    from benchmarks.crash_check import check_database
    from cloud.app import create_app
    from cloud.db import CloudDB
    from cloud.ereceipt import CloudConfig
    from cloud.server import ThreadedServer
    from cloud.service import CloudService
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.sync_link import build_relay
    from pos_app.bootstrap import build
    from pos_app.config import Paths
    from pos_app.domain.money import CashRounding
    from pos_app.domain.ports import ManualClock
    from pos_app.domain.tenders import Tender
    from sync.client import CloudClient
    from sync.signing import load_private_key

    home = make_till(work / "clock")
    paths = Paths(home)
    clock = ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai
    db = open_database(paths.database)
    till = build(paths, db, clock)
    user = till.users.authenticate("admin", PIN)
    codes = [r[0] for r in db.conn.execute("SELECT code FROM barcodes LIMIT 30")]

    def sell(n: int) -> None:
        for i in range(n):
            clock.advance(seconds=45)
            s = till.sales.new_sale(user)
            till.sales.scan(s, codes[i % len(codes)])
            s.add_tender(Tender.CASH, s.totals().due_fen, CashRounding.NONE)
            till.sales.complete(s)

    steps = []
    till.shifts.open(user, 10000)
    sell(sales_per_step)
    clock.set(clock.now() - timedelta(hours=3))
    steps.append("back 3 h")
    sell(sales_per_step)
    clock.set(clock.now() + timedelta(days=2))
    steps.append("forward 2 days")
    sell(sales_per_step)
    last = till.uow.sales.recent(limit=1)[0]
    till.sales.refund(user, last["receipt_no"], None, "cash", "clock soak")
    till.shifts.close(user, 0)
    first_day = "2026-11-25"
    clock.set(clock.now() + timedelta(hours=1))
    till.shifts.open(user, 10000)
    second_day = till.uow.shifts.find_open()["business_day"]
    sell(sales_per_step)
    clock.set(clock.now() - timedelta(days=1, hours=2))
    steps.append("back 1 day 2 h (past midnight)")
    sell(sales_per_step)

    c = db.conn
    rows = c.execute(
        "SELECT s.receipt_no, s.business_day, sh.business_day FROM sales s "
        "JOIN shifts sh ON sh.id = s.shift_id ORDER BY s.rowid"
    ).fetchall()
    receipts_in_commit_order = [r[0] for r in rows] == list(range(1, len(rows) + 1))
    days_follow_shift = all(r[1] == r[2] for r in rows)
    days = sorted({r[1] for r in rows})
    db.close()
    problems = check_database(home, len(rows))

    cdb = CloudDB(str(work / "clock-cloud.db"))
    svc = CloudService(cdb, ereceipt_base_url="")
    server = ThreadedServer(
        create_app(svc, config=CloudConfig(brand_name="青衫", account_name="青衫", join_url=""))
    )
    server.start()
    try:
        svc.admin.add_store("S001", "耐久店")
        key = load_private_key(paths.private_key)
        with CloudClient(server.url, key=key) as enroller:
            answer = enroller.enroll(svc.admin.enrollment_code("S001")["code"], {})
        db = open_database(paths.database)
        settings = {
            "device_id": answer["device_id"],
            "cloud_url": server.url,
            "ereceipt_base_url": answer["ereceipt_base_url"],
            "key_id": answer["key_id"],
            "store_id": answer["store_id"],
            "till_no": str(answer["till_no"]),
        }
        db.conn.executemany(
            "INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", settings.items()
        )
        parts = build_relay(paths, db.conn, timeout_s=5)
        end = time.monotonic() + 60
        try:
            while parts.outbox.stats(parts.relay.clock.now())["pending"] and time.monotonic() < end:
                parts.relay.push()
        finally:
            parts.close()
        till_ids = [r[0] for r in db.conn.execute("SELECT id FROM outbox ORDER BY seq")]
        stats = parts.outbox.stats(parts.relay.clock.now())
        db.close()
        with svc.db.tx() as tx:
            cloud = tx.execute("SELECT id FROM events WHERE status='accepted'").fetchall()
        dev = svc.admin.devices()[0]
    finally:
        server.stop()
        cdb.close()
    cloud_ids = [r[0] for r in cloud]
    synced = (
        sorted(cloud_ids) == sorted(till_ids)
        and stats["pending"] == 0
        and stats["dead_letters"] == 0
        and dev["contiguous_seq"] == dev["max_seq"] == len(till_ids)
    )
    return {
        "jumps": steps,
        "sales_and_refunds": len(rows),
        "business_days": days,
        "first_day": first_day,
        "second_day": second_day,
        "receipts_in_commit_order": receipts_in_commit_order,
        "days_follow_shift": days_follow_shift,
        "problems": problems,
        "events": len(till_ids),
        "synced_exactly_once": synced,
        "ok": receipts_in_commit_order and days_follow_shift and not problems and synced,
    }
