"""The change feed's contract under two workers (docs/specs/sync-protocol.md: a till never
misses a change, its cursor only moves forward).  A push's changes are written as the last
statements of its transaction, under its store's lock (issue 18, Figures): a transaction that
took a cursor a till can see commits before another can take a later one the till can see,
so a pull between the two never returns the later cursor and skips the earlier one when it
commits; a push of another store does not wait for it.  PostgreSQL: on SQLite one write lock
serializes whole transactions."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import TillWriter, enroll_device

from cloud.db import CloudDB
from cloud.service import CloudService


class _NoOutbox:
    def execute(self, *args: Any) -> None:
        return None


class _Od:
    conn = _NoOutbox()


@pytest.fixture
def workers(cloud_db_url: str) -> Iterator[tuple[CloudService, CloudService]]:
    """Two services on one database, as two worker processes are."""
    one, two = CloudDB(cloud_db_url), CloudDB(cloud_db_url)
    try:
        yield CloudService(one, ereceipt_base_url=""), CloudService(two, ereceipt_base_url="")
    finally:
        one.close()
        two.close()


def _sales(writer: TillWriter, n: int) -> list[dict[str, Any]]:
    out = []
    for seq in range(1, n + 1):
        row = writer.sale()
        out.append(
            {
                "id": row["id"],
                "type": row["type"],
                "schema": 1,
                "seq": seq,
                "occurred_at": row["payload"]["completed_at"],
                "payload": row["payload"],
                "prev_entry_hash": row["prev"],
                "entry_hash": row["hash"],
            }
        )
    return out


def _waiting_on_the_feed(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as c:
        row = c.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
    return bool(row and row[0])


def _pull(svc: CloudService, device_id: str, since: int) -> tuple[list[str], int]:
    page = svc.changes(device_id, since, 1000)
    return [c["key"] for c in page["changes"]], int(page["next_cursor"])


@pytest.mark.parametrize("cloud_db_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("published_for", ["every store", "the till's store"])
def test_a_pull_between_two_workers_pushes_skips_no_change(
    cloud_db_url: str, workers: tuple[CloudService, CloudService], published_for: str
) -> None:
    first, second = workers
    first.admin.add_store("S001", "南京西路店")
    till = enroll_device(first, Ed25519PrivateKey.generate())
    pusher = enroll_device(first, Ed25519PrivateKey.generate())
    sales = _sales(TillWriter(_Od(), "S001", pusher["till_no"]), 3)  # type: ignore[arg-type]
    _, cursor = _pull(first, till["device_id"], 0)
    store = None if published_for == "every store" else "S001"

    # worker one publishes a change and takes its cursor, and has not committed yet;
    # worker two pushes a batch of sales (their store_sale changes) meanwhile
    answer: dict[str, Any] = {}
    push = threading.Thread(target=lambda: answer.update(second.ingest(pusher["device_id"], sales)))
    seen: list[str] = []
    try:
        with first.db.tx() as tx:
            first.publish(tx, "config", "upsert", "first", {"v": 1}, store_id=store)
            tx.write_changes()
            push.start()
            deadline = time.monotonic() + 60
            while not _waiting_on_the_feed(cloud_db_url) and push.is_alive():
                assert time.monotonic() < deadline, "the push neither waited nor finished"
                time.sleep(0.05)
            # a pull in between: the push's cursors come after worker one's, which is not
            # visible yet, so none of the push's may be either
            keys, cursor = _pull(second, till["device_id"], cursor)
            seen += keys
            assert keys == [], keys
    finally:
        if push.ident is not None:
            push.join(timeout=120)
    assert not push.is_alive()
    assert len(answer["accepted"]) == 3

    keys, after = _pull(second, till["device_id"], cursor)
    seen += keys
    assert after > cursor
    assert seen == ["first"] + [e["payload"]["sale_id"] for e in sales]


@pytest.mark.parametrize("cloud_db_url", ["postgres"], indirect=True)
def test_a_push_does_not_wait_for_another_stores_commit(
    cloud_db_url: str, workers: tuple[CloudService, CloudService]
) -> None:
    first, second = workers
    first.admin.add_store("S001", "南京西路店")
    first.admin.add_store("S002", "淮海中路店")
    till_one = enroll_device(first, Ed25519PrivateKey.generate())
    till_two = enroll_device(first, Ed25519PrivateKey.generate(), "S002")
    pusher = enroll_device(first, Ed25519PrivateKey.generate(), "S002")
    sales = _sales(TillWriter(_Od(), "S002", pusher["till_no"]), 3)  # type: ignore[arg-type]
    _, one_at = _pull(first, till_one["device_id"], 0)
    _, two_at = _pull(first, till_two["device_id"], 0)

    with first.db.tx() as tx:
        first.publish(tx, "config", "upsert", "first", {"v": 1}, store_id="S001")
        tx.write_changes()
        # S002's push takes cursors after S001's open one and commits before it
        answer = second.ingest(pusher["device_id"], sales)
        assert len(answer["accepted"]) == 3
        keys, two_at = _pull(second, till_two["device_id"], two_at)
        assert keys == [e["payload"]["sale_id"] for e in sales]
        assert _pull(second, till_one["device_id"], one_at) == ([], one_at)
    keys, _ = _pull(second, till_one["device_id"], one_at)
    assert keys == ["first"]
    assert _pull(second, till_two["device_id"], two_at) == ([], two_at)
