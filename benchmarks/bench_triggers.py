"""Trigger evaluation keeps up with ingest (issue 21: ≥ 3,000 events/s through the engine).

    PYTHONPATH=. python -m benchmarks.bench_triggers [--events 20000]

Two figures, CPU time of this process (time.process_time: the box is shared, wall time
would measure the neighbours):

- `engine_events_per_cpu_s`: occurrences through `cloud.triggers.engine.evaluate` with ten
  triggers and the in-memory history (the pure decision alone);
- `stream_events_per_cpu_s`: stored sale events read by the cursor from a SQLite cloud,
  turned into occurrences, decided against the firings table and acted on (tasks, tags,
  coupons issued), one transaction per 500 events: what `cloud serve` does per till.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cloud.db import CloudDB
from cloud.service import CloudService
from cloud.triggers.engine import MemoryHistory, Occurrence, evaluate
from cloud.triggers.store import load_triggers

TARGET = 3000.0
T0 = datetime(2026, 11, 1, tzinfo=UTC)

RULES = [
    ("first", "first_purchase", ["task:欢迎", "tag:新客"], "", ""),
    ("big", "purchase_above:100000", ["coupon:BIG"], "", "1/30d"),
    ("big_core", "purchase_above:50000", ["task"], "tier=core", ""),
    ("coats", "purchase_above:0", ["tag:外套客"], "category=外套", ""),
    ("ret", "return", ["task"], "", ""),
    ("vip_ret", "return", ["tag:退货"], "tag=VIP", ""),
    ("f3", "followup:3", ["task"], "", ""),
    ("bday", "birthday:7", ["coupon:BIG"], "", ""),
    ("lapsed", "lapsed:180", ["tag:沉睡"], "", ""),
    ("s2", "purchase_above:20000", ["task"], "store=S002", "2/7d"),
]


def _service(path: str, now: datetime) -> CloudService:
    return CloudService(CloudDB(path), ereceipt_base_url="", now=lambda: now)


def _seed(svc: CloudService, events: int, members: int, rnd: random.Random) -> None:
    svc.admin.add_store("S001", "一店")
    with svc.db.tx() as tx:
        tx.execute(
            "INSERT INTO coupons(code, data, updated_at) VALUES ('BIG', ?, ?)",
            (json.dumps({"kind": "cash", "amount_fen": 5000}), T0.isoformat()),
        )
        tx.execute(
            "INSERT INTO devices(device_id, store_id, till_no, key_id, public_key, enrolled_at, "
            "contiguous_seq, max_seq) VALUES ('D1', 'S001', 1, 'k', 'p', ?, ?, ?)",
            (T0.isoformat(), events, events),
        )
        tx.executemany(
            "INSERT INTO members(id, phone, tier, data, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    f"M{i:06d}",
                    f"138{i:08d}",
                    rnd.choice(["core", "potential", "ordinary", "ordinary"]),
                    json.dumps(
                        {"consent_at": "2026-01-01", "associate": "小李", "tags": ["VIP"]}
                        if i % 3
                        else {}
                    ),
                    T0.isoformat(),
                    T0.isoformat(),
                )
                for i in range(members)
            ],
        )
        rows, purchases = [], []
        for seq in range(1, events + 1):
            mid = f"M{rnd.randrange(members):06d}"
            at = (T0 + timedelta(minutes=seq)).strftime("%Y-%m-%dT%H:%M:%SZ")
            eid = str(uuid.UUID(int=rnd.getrandbits(128)))
            total = rnd.randint(1, 200) * 1000
            payload = {
                "sale_id": eid,
                "store_id": rnd.choice(["S001", "S002"]),
                "completed_at": at,
                "total_fen": total,
                "member": {"id": mid},
                "associate": "小李",
                "lines": [{"sku": "A", "category": rnd.choice(["外套", "配饰", "鞋"])}],
            }
            rows.append((eid, "D1", seq, "sale.completed", at, at, json.dumps(payload), "accepted"))
            purchases.append((eid, mid, eid, "S001", "sale.completed", total, at))
        tx.executemany(
            "INSERT INTO events(id, device_id, seq, type, occurred_at, received_at, payload, "
            "status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        tx.executemany(
            "INSERT INTO member_purchases(event_id, member_id, sale_id, store_id, kind, "
            "total_fen, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            purchases,
        )


def main(events: int | None = None) -> dict[str, Any]:
    quick = os.environ.get("GUITAI_BENCH_QUICK") == "1"
    n = events or (3000 if quick else 20000)
    rnd = random.Random(21)
    with tempfile.TemporaryDirectory() as tmp:
        svc = _service(str(Path(tmp) / "cloud.db"), T0 - timedelta(days=1))
        try:
            _seed(svc, n, max(100, n // 4), rnd)
            for name, when, then, cond, cap in RULES:
                svc.triggers.add(name, when, then, cond, cap)
            with svc.db.tx() as tx:
                rules = load_triggers(tx)

            occs = [
                Occurrence(
                    event=rnd.choice(["purchase", "first_purchase", "return", "followup"]),
                    member_id=f"M{rnd.randrange(n // 4 or 1):06d}",
                    key=str(i),
                    at=T0 + timedelta(minutes=i),
                    amount_fen=rnd.randint(1, 200) * 1000,
                    days=rnd.choice([0, 3, 30]),
                    tier=rnd.choice(["core", "ordinary"]),
                    tags=frozenset({"VIP"}) if i % 2 else frozenset(),
                    store=rnd.choice(["S001", "S002"]),
                    categories=frozenset({rnd.choice(["外套", "配饰"])}),
                    consent=bool(i % 3),
                )
                for i in range(n)
            ]
            c0 = time.process_time()
            decided = evaluate(rules, occs + occs[: n // 10], MemoryHistory())  # 10 % again
            engine_s = time.process_time() - c0

            c0 = time.process_time()
            stream = svc.triggers.run_stream()
            stream_s = time.process_time() - c0
        finally:
            svc.db.close()
    engine_rate = (n + n // 10) / engine_s if engine_s else float("inf")
    stream_rate = stream["events"] / stream_s if stream_s else float("inf")
    figures: dict[str, Any] = {
        "events": n,
        "triggers": len(RULES),
        "engine_decisions": len(decided),
        "engine_events_per_cpu_s": round(engine_rate),
        "stream_events": stream["events"],
        "stream_fired": stream["fired"],
        "stream_events_per_cpu_s": round(stream_rate),
        "targets": {
            "stream_events_per_cpu_s": {
                "target": f">= {TARGET:.0f}",
                "met": stream_rate >= TARGET,
            },
        },
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return figures


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=None)
    main(ap.parse_args().events)
