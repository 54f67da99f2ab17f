"""Pushes run in worker threads at most as many at once as the database pool has connections
(issue 18, Figures: a push beyond them waits on the event loop, not in a thread of its own
waiting for a connection): on the real served cloud, SQLite and PostgreSQL, more pushes sent
at once than the pool has connections are all answered 200 and stored once."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import TillWriter, enroll_device, make_till_home

from cloud import app as cloud_app
from pos_app.adapters.db.repositories.outbox import SqliteOutbox
from sync.client import encode_batch
from sync.signing import RequestSigner


def test_no_more_pushes_run_in_threads_than_the_pool_has_connections(
    tmp_path: Path, cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.service.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    device_id = enroll_device(cloud.service, key)["device_id"]
    _, od, _ = make_till_home(tmp_path / "till")
    writer = TillWriter(od, "S001", 1)
    for _ in range(3):
        writer.sale()
    body = encode_batch(SqliteOutbox(od.conn).pending(500, 1 << 20, datetime.now(UTC)))
    url = cloud.url + "/v1/events"

    running, most = [0], [0]
    lock = threading.Lock()
    real = cloud_app.push_batch

    def counted(*args: Any) -> Any:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.3)  # long enough for the others to arrive meanwhile
            return real(*args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(cloud_app, "push_batch", counted)
    pool = cloud.db.pool_size
    answers: list[int] = []

    start = threading.Barrier(pool + 4)

    def send() -> None:
        # the till's retries of one batch, each signed afresh (a nonce of its own)
        headers = RequestSigner(key, device_id).headers(
            "POST", url, body, datetime.now(UTC), "n-" + uuid.uuid4().hex
        )
        headers["Content-Type"] = "application/json"
        with httpx.Client(timeout=60) as client:
            client.get(cloud.url + "/healthz")  # connected before the pushes go
            start.wait(timeout=30)
            r = client.post(url, content=body, headers=headers)
        with lock:
            answers.append(r.status_code)

    senders = [threading.Thread(target=send) for _ in range(pool + 4)]
    for t in senders:
        t.start()
    for t in senders:
        t.join()

    assert answers == [200] * (pool + 4)
    assert 1 <= most[0] <= pool
    with cloud.db.tx() as tx:
        assert tx.execute("SELECT count(*) FROM events").fetchone()[0] == 3
