"""The cloud's signature checks (401 with a JSON code for each case), duplicate and racing
batches, and what the cloud rejects in an event."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import TillWriter, enroll_device, make_till_home

from pos_app.adapters.db.outbox import SqliteOutbox
from pos_app.domain.journal import entry_hash
from sync.client import CloudClient, encode_batch
from sync.signing import RequestSigner


@pytest.fixture
def device(cloud):
    cloud.service.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    answer = enroll_device(cloud.service, key)
    return key, answer["device_id"]


def signed_post(
    url: str,
    body: bytes,
    key,
    device_id: str,
    *,
    created: datetime | None = None,
    nonce: str | None = None,
    send_body: bytes | None = None,
    via: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST signed for `url`; `via` another worker's base URL to connect to instead (with
    `headers` carrying the public Host the signature covers)."""
    signed = RequestSigner(key, device_id).headers(
        "POST", url, body, created or datetime.now(UTC), nonce
    )
    signed["Content-Type"] = "application/json"
    target = url
    if via is not None:
        target = via + "/" + url.split("/", 3)[3]
    return httpx.post(
        target,
        content=send_body if send_body is not None else body,
        headers=signed | (headers or {}),
        timeout=60,
    )


def err_code(resp: httpx.Response) -> str:
    assert set(resp.json()) == {"error"} and set(resp.json()["error"]) == {"code", "message"}
    assert resp.headers.get("date")
    return str(resp.json()["error"]["code"])


def test_each_signature_problem_is_a_401_with_its_code(cloud, device) -> None:
    key, device_id = device
    url = cloud.url + "/v1/events"
    body = b'{"events":[]}'
    ok = signed_post(url, body, key, device_id)
    assert ok.status_code == 200 and ok.json()["accepted"] == []

    unsigned = httpx.post(url, content=body)
    assert unsigned.status_code == 401 and err_code(unsigned) == "missing_signature"

    stranger = signed_post(url, body, Ed25519PrivateKey.generate(), "dev_nobody")
    assert stranger.status_code == 401 and err_code(stranger) == "unknown_key"

    forged = signed_post(url, body, Ed25519PrivateKey.generate(), device_id)
    assert forged.status_code == 401 and err_code(forged) == "bad_signature"

    tampered = signed_post(url, body, key, device_id, send_body=b'{"events":[ ]}')
    assert tampered.status_code == 401 and err_code(tampered) == "digest_mismatch"

    old = signed_post(url, body, key, device_id, created=datetime.now(UTC) - timedelta(seconds=301))
    assert old.status_code == 401 and err_code(old) == "stale_signature"
    future = signed_post(
        url, body, key, device_id, created=datetime.now(UTC) + timedelta(seconds=400)
    )
    assert future.status_code == 401 and err_code(future) == "stale_signature"

    headers = RequestSigner(key, device_id).headers("POST", url, body, datetime.now(UTC))
    first = httpx.post(url, content=body, headers=headers)
    replay = httpx.post(url, content=body, headers=headers)
    assert first.status_code == 200
    assert replay.status_code == 401 and err_code(replay) == "replayed_nonce"

    # an empty body is digested too: a GET signed for an empty body but sent with one fails
    get_url = cloud.url + "/v1/changes?since=0&limit=10"
    h = RequestSigner(key, device_id).headers("GET", get_url, b"", datetime.now(UTC))
    assert "content-digest" in {k.lower() for k in h}
    assert httpx.get(get_url, headers=h).status_code == 200
    h2 = RequestSigner(key, device_id).headers("GET", get_url, b"", datetime.now(UTC))
    other_uri = httpx.get(cloud.url + "/v1/changes?since=5&limit=10", headers=h2)
    assert other_uri.status_code == 401 and err_code(other_uri) == "bad_signature"

    cloud.service.admin.revoke_device(device_id)
    revoked = signed_post(url, body, key, device_id)
    assert revoked.status_code == 401 and err_code(revoked) == "revoked_key"

    missing = httpx.get(cloud.url + "/v1/nothing")
    assert missing.status_code == 404 and err_code(missing) == "not_found"
    assert httpx.get(cloud.url + "/openapi.json").json()["openapi"] == "3.1.0"


def test_till_with_a_wrong_clock_still_syncs(tmp_path: Path, cloud, device) -> None:
    from pos_app.domain.ports import ManualClock

    key, device_id = device
    wrong = ManualClock(datetime.now(UTC) - timedelta(hours=2))
    with CloudClient(cloud.url, key=key, device_id=device_id, clock=wrong) as client:
        with pytest.raises(Exception) as err:
            client.changes(None)
        assert getattr(err.value, "error_code", "") == "stale_signature"
        assert 7190 < client.clock_offset_s < 7210  # learnt from Date on the 401
        assert client.changes(None).more is False


def test_same_batch_twice_at_once_is_stored_once(tmp_path: Path, racing_cloud) -> None:
    # one server, or two worker processes on one PostgreSQL taking two requests each
    cloud = racing_cloud
    cloud.service.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    device_id = enroll_device(cloud.service, key)["device_id"]
    answer = {"store_id": "S001", "till_no": 1}
    _, od, _ = make_till_home(tmp_path / "till")
    writer = TillWriter(od, answer["store_id"], answer["till_no"])
    writer.day(120, refund_every=6)
    events = SqliteOutbox(od.conn).pending(500, 1 << 20, datetime.now(UTC))
    body = encode_batch(events)
    url = cloud.url + "/v1/events"
    results: list[httpx.Response] = []
    start = threading.Barrier(4)

    def send(i: int) -> None:
        start.wait(timeout=10)
        worker, host = cloud.via(i)
        results.append(signed_post(url, body, key, device_id, via=worker, headers=host))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [r.status_code for r in results] == [200] * 4
    accepted = [len(r.json()["accepted"]) for r in results]
    dups = [len(r.json()["duplicates"]) for r in results]
    assert sorted(accepted) == [0, 0, 0, len(events)]
    assert sorted(dups) == [0, len(events), len(events), len(events)]
    totals = cloud.service.admin.totals()
    assert totals["events"] == len(events)
    assert totals["total_fen"] == writer.total_fen


def _event(seq: int, etype: str, payload: dict, prev: str | None, h: str | None) -> dict:
    e = {
        "id": str(uuid.uuid4()),
        "type": etype,
        "schema": 1,
        "seq": seq,
        "occurred_at": "2026-11-25T06:30:00Z",
        "payload": payload,
    }
    if h is not None:
        e["prev_entry_hash"], e["entry_hash"] = prev, h
    return e


def test_inconsistent_events_are_rejected_with_a_code(tmp_path: Path, cloud, device) -> None:
    key, device_id = device
    _, od, _ = make_till_home(tmp_path / "till")
    writer = TillWriter(od, "S001", 1)
    good = writer.sale()["payload"]
    g = bytes(32)
    h1 = entry_hash(g, good)
    bad_total = dict(good, total_fen=good["total_fen"] + 100)
    h2 = entry_hash(h1, bad_total)
    bad_tender = dict(
        good,
        receipt_no=3,
        payments=[{"tender": "card", "amount_fen": good["total_fen"] + 100, "change_fen": 100}],
    )
    h3 = entry_hash(h2, bad_tender)
    altered = dict(good, receipt_no=4)
    h4_claimed = entry_hash(h3, dict(altered, cashier="someone else"))
    other_till = dict(good, receipt_no=5, till_no=9)
    h5 = entry_hash(h4_claimed, other_till)
    skipped = dict(good, receipt_no=7)
    h7 = entry_hash(b"\x01" * 32, skipped)
    events = [
        _event(1, "sale.completed", good, g.hex(), h1.hex()),
        _event(2, "sale.completed", bad_total, h1.hex(), h2.hex()),
        _event(3, "sale.completed", bad_tender, h2.hex(), h3.hex()),
        _event(4, "sale.completed", altered, h3.hex(), h4_claimed.hex()),
        _event(5, "sale.completed", other_till, h4_claimed.hex(), h5.hex()),
        _event(6, "sale.completed", dict(good, receipt_no=6), None, None),
        _event(7, "sale.completed", skipped, (b"\x01" * 32).hex(), h7.hex()),
        _event(8, "pizza.ordered", {}, None, None),
        _event(9, "cash.moved", {"kind": "pay_in", "amount_fen": 100}, None, None),
    ]
    body = json.dumps({"events": events}).encode()
    resp = signed_post(cloud.url + "/v1/events", body, key, device_id)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    codes = {r["id"]: r["code"] for r in out["rejected"]}
    ids = [e["id"] for e in events]
    assert out["accepted"] == [ids[0], ids[8]]
    assert [codes[i] for i in ids[1:8]] == [
        "total_mismatch",
        "tender_mismatch",
        "hash_mismatch",
        "wrong_till",
        "missing_hash",
        "chain_break",
        "unknown_type",
    ]
    # the same batch again: the same answers, nothing stored twice
    again = signed_post(cloud.url + "/v1/events", body, key, device_id).json()
    assert again["duplicates"] == [ids[0], ids[8]] and again["accepted"] == []
    assert {r["id"]: r["code"] for r in again["rejected"]} == codes
    assert cloud.service.admin.totals()["total_fen"] == good["total_fen"]
    assert cloud.service.admin.devices()[0]["contiguous_seq"] == 9
    # a batch that is not a batch is a 400 with a code
    bad = signed_post(cloud.url + "/v1/events", b'{"events": [{"seq": 1}]}', key, device_id)
    assert bad.status_code == 400 and err_code(bad) == "bad_batch"
    time.sleep(0)
