"""A push's nonce is remembered in its batch's own transaction (issue 18, Figures: one commit
per push): a replay is still refused, even a copy racing on another worker, and a push whose
ingest fails leaves no nonce behind, so the till's same signed request, sent again, is
stored once instead of refused as a replay of something that was never stored.  On the real
served cloud, SQLite and PostgreSQL (and two worker processes for the race)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import TillWriter, enroll_device, make_till_home

from cloud import db as cloud_db
from cloud.returns import ledger as return_ledger
from pos_app.adapters.db.repositories.outbox import SqliteOutbox
from sync.client import encode_batch
from sync.signing import RequestSigner


def _signed_push(
    cloud: Any, tmp_path: Path, sales: int, nonce: str
) -> tuple[bytes, dict[str, str], int]:
    """A till enrolled in S001 and one push of its `sales` sales signed with `nonce`:
    (body, headers, events)."""
    cloud.service.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    device_id = enroll_device(cloud.service, key)["device_id"]
    _, od, _ = make_till_home(tmp_path / "till")
    writer = TillWriter(od, "S001", 1)
    for _ in range(sales):
        writer.sale()
    events = SqliteOutbox(od.conn).pending(500, 1 << 20, datetime.now(UTC))
    body = encode_batch(events)
    headers = RequestSigner(key, device_id).headers(
        "POST", cloud.url + "/v1/events", body, datetime.now(UTC), nonce
    )
    headers["Content-Type"] = "application/json"
    return body, headers, len(events)


def _count(cloud: Any, sql: str, params: tuple[Any, ...] = ()) -> int:
    with cloud.db.tx() as tx:
        return int(tx.execute(sql, params).fetchone()[0])


def test_a_push_whose_ingest_fails_leaves_no_nonce(
    tmp_path: Path, cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    nonce = "n-" + uuid.uuid4().hex
    body, headers, n = _signed_push(cloud, tmp_path, 3, nonce)
    url = cloud.url + "/v1/events"

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the return ledger's insert failed")

    # the last hook of the push fails, after the events and every other hook's rows went in
    monkeypatch.setattr(return_ledger, "after_ingest", broken)
    failed = httpx.post(url, content=body, headers=headers, timeout=30)
    assert failed.status_code == 500, failed.text
    assert _count(cloud, "SELECT count(*) FROM events") == 0
    assert _count(cloud, "SELECT count(*) FROM nonces WHERE nonce = ?", (nonce,)) == 0

    monkeypatch.undo()
    # the till retries the same signed request (within the signature's window): stored once
    again = httpx.post(url, content=body, headers=headers, timeout=30)
    assert again.status_code == 200, again.text
    assert len(again.json()["accepted"]) == n
    assert _count(cloud, "SELECT count(*) FROM events") == n
    assert _count(cloud, "SELECT count(*) FROM nonces WHERE nonce = ?", (nonce,)) == 1

    # and now that it was stored, the same request is a replay
    replay = httpx.post(url, content=body, headers=headers, timeout=30)
    assert replay.status_code == 401, replay.text
    assert replay.json()["error"]["code"] == "replayed_nonce"
    assert _count(cloud, "SELECT count(*) FROM events") == n


def test_one_signed_push_sent_twice_at_once_is_stored_once_and_replay_refused(
    tmp_path: Path, racing_cloud: Any
) -> None:
    cloud = racing_cloud
    nonce = "n-" + uuid.uuid4().hex
    body, headers, n = _signed_push(cloud, tmp_path, 20, nonce)
    results: list[httpx.Response | None] = [None, None]
    start = threading.Barrier(2)

    def send(i: int) -> None:
        start.wait(timeout=30)
        worker, host = cloud.via(i)
        results[i] = httpx.post(
            worker + "/v1/events", content=body, headers=headers | host, timeout=60
        )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    answers = [r for r in results if r is not None]
    assert sorted(r.status_code for r in answers) == [200, 401], [r.text for r in answers]
    stored = next(r for r in answers if r.status_code == 200)
    refused = next(r for r in answers if r.status_code == 401)
    assert len(stored.json()["accepted"]) == n
    assert refused.json()["error"]["code"] == "replayed_nonce"
    assert _count(cloud, "SELECT count(*) FROM events") == n
    assert _count(cloud, "SELECT count(*) FROM nonces WHERE nonce = ?", (nonce,)) == 1


def test_a_push_reads_its_device_once(
    tmp_path: Path, cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signature's key and the batch's device row are one locked read (the push's first
    statement, before the nonce), not a read each."""
    body, headers, n = _signed_push(cloud, tmp_path, 5, "n-" + uuid.uuid4().hex)
    ran: list[str] = []
    execute = cloud_db.Tx.execute

    def counted(self: Any, sql: str, params: Any = (), **kw: Any) -> Any:
        ran.append(sql)
        return execute(self, sql, params, **kw)

    monkeypatch.setattr(cloud_db.Tx, "execute", counted)
    answer = httpx.post(cloud.url + "/v1/events", content=body, headers=headers, timeout=30)
    assert answer.status_code == 200 and len(answer.json()["accepted"]) == n, answer.text
    reads = [s for s in ran if s.startswith("SELECT") and "FROM devices WHERE device_id" in s]
    assert len(reads) == 1, ran
    assert ran[0] == reads[0] and "nonces" in ran[1], ran
