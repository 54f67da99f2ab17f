"""The e-receipt page's cheaper view (issue 18, Figures: the page at 500 requests/s) keeps
what it shows and counts: a till revoked after a receipt was seen genuine is revoked on the
next view (the worker remembers verified tokens, never the till's state), and one
receipt's opens sent to two workers at the same moment count once per visitor in the funnel
and in the console's day and month rows (one statement on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ereceipt_kit import start_rig
from sync_testkit import TillWriter, enroll_device, make_till_home, token_for

from pos_app.adapters.db.repositories.outbox import SqliteOutbox
from sync.client import encode_batch
from sync.signing import RequestSigner

GENUINE = "真实小票"  # the verified badge (cloud/ereceipt.py VERDICTS)
REVOKED = "此收银台已停用"


def test_a_till_revoked_after_a_view_is_revoked_on_the_next_view(
    tmp_path: Path, cloud_db_url: str
) -> None:
    rig = start_rig(tmp_path, cloud_db_url)
    try:
        url = f"{rig.cloud.url}/r/{rig.token(2)}"
        for _ in range(2):  # the second view is the remembered verification's
            first = httpx.get(url, headers={"user-agent": "phone-a"})
            assert first.status_code == 200 and GENUINE in first.text and REVOKED not in first.text
        with rig.cloud.db.tx() as tx:
            (device_id,) = tx.execute("SELECT device_id FROM devices").fetchone()
        rig.cloud.service.admin.revoke_device(str(device_id))
        after = httpx.get(url, headers={"user-agent": "phone-a"})
        assert after.status_code == 200
        assert REVOKED in after.text and GENUINE not in after.text
        assert 'data-state="visitor"' in after.text  # still the store's receipt, marked revoked
    finally:
        rig.stop()


def race(n: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """`send(i)` for i in 0..n-1 from n threads released together."""
    results: list[httpx.Response | None] = [None] * n
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait(timeout=30)
        results[i] = send(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(r is not None for r in results), "a racing request did not finish"
    return [r for r in results if r is not None]


def test_one_receipt_opened_at_two_workers_at_once_counts_once_per_visitor(
    tmp_path: Path, racing_cloud: Any
) -> None:
    svc = racing_cloud.service
    svc.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    device_id = enroll_device(svc, key)["device_id"]
    _, od, _ = make_till_home(tmp_path / "till")
    sale = TillWriter(od, "S001", 1).sale()
    events = SqliteOutbox(od.conn).pending(10, 1 << 20, datetime.now(UTC))
    body = encode_batch(events)
    base, host = racing_cloud.via(0)
    headers = RequestSigner(key, device_id).headers(
        "POST", racing_cloud.url + "/v1/events", body, datetime.now(UTC), None
    )
    pushed = httpx.post(
        base + "/v1/events",
        content=body,
        headers=headers | host | {"Content-Type": "application/json"},
        timeout=60,
    )
    assert pushed.status_code == 200 and len(pushed.json()["accepted"]) == len(events)
    p = sale["payload"]
    token = token_for(key, p["receipt_no"], 1795588200, p["total_fen"], sale["hash"])

    def view(i: int) -> httpx.Response:
        # visitors a and b, each on both workers at once (a reload landing elsewhere)
        where, host = racing_cloud.via(i)
        agent = {"user-agent": f"MicroMessenger/8.0 phone-{'ab'[i // 2]}"}
        return httpx.get(f"{where}/r/{token}", headers=host | agent, timeout=60)

    answers = race(4, view)
    assert all(a.status_code == 200 and GENUINE in a.text for a in answers)
    opened = sum(r["ereceipts_opened"] for r in svc.members.funnel.funnel("S001"))
    assert opened == 2
    with racing_cloud.db.tx() as tx:
        assert tx.execute("SELECT count(*) FROM funnel_opens").fetchone()[0] == 2
        for table in ("console_funnel_day", "console_funnel_month"):
            (n,) = tx.execute(f"SELECT SUM(ereceipts_opened) FROM {table}").fetchone()
            assert n == 2, table
