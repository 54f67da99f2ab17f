"""What a push and a page view cost the database (issue 18, Figures): counted, not timed.

A batch of sales is a fixed number of statements whatever its size (no statement per event),
a signed push is one transaction (its signature's nonce goes in with its batch), and an e-receipt page
view is one transaction; on PostgreSQL its open count is committed without waiting for the
WAL flush.  Counted on the real served cloud, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import TillWriter, enroll_device, make_till_home, token_for

from pos_app.adapters.db.repositories.outbox import SqliteOutbox
from sync.client import encode_batch
from sync.signing import RequestSigner


class Counted:
    """Wraps the cloud's CloudDB.tx: the statements of each transaction it opens."""

    def __init__(self, db: Any) -> None:
        self.transactions: list[list[str]] = []
        real = db.tx

        @contextmanager
        def tx() -> Iterator[Any]:
            statements: list[str] = []
            self.transactions.append(statements)
            with real() as t:
                yield _CountingTx(t, statements)

        db.tx = tx

    def take(self) -> list[list[str]]:
        out, self.transactions = self.transactions, []
        return out


class _CountingTx:
    def __init__(self, tx: Any, statements: list[str]) -> None:
        self._tx = tx
        self._statements = statements
        self.dialect = tx.dialect

    def execute(self, sql: str, params: Sequence[Any] = (), **kw: Any) -> Any:
        self._statements.append(sql)
        return self._tx.execute(sql, params, **kw)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._statements.append(sql)
        self._tx.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        # the Tx's other statements (lock_changes …): one each
        method = getattr(self._tx, name)

        def counted(*args: Any, **kw: Any) -> Any:
            self._statements.append(name)
            return method(*args, **kw)

        return counted


def _push(url: str, key: Ed25519PrivateKey, device_id: str, body: bytes) -> httpx.Response:
    headers = RequestSigner(key, device_id).headers("POST", url, body, datetime.now(UTC))
    headers["Content-Type"] = "application/json"
    return httpx.post(url, content=body, headers=headers, timeout=30)


def test_a_batch_costs_statements_per_batch_not_per_event(tmp_path: Path, cloud: Any) -> None:
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    device_id = enroll_device(svc, key)["device_id"]
    _, od, _ = make_till_home(tmp_path / "till")
    writer = TillWriter(od, "S001", 1)
    outbox = SqliteOutbox(od.conn)
    counted = Counted(cloud.db)
    costs = []
    for n in (5, 60):
        for _ in range(n):
            writer.sale()
        events = outbox.pending(500, 1 << 20, datetime.now(UTC))[-n:]
        resp = _push(cloud.url + "/v1/events", key, device_id, encode_batch(events))
        assert resp.status_code == 200 and len(resp.json()["accepted"]) == n, resp.text
        transactions = counted.take()
        # one: the signature's key read and nonce in the batch's own transaction
        assert len(transactions) == 1, transactions
        costs.append(sum(len(t) for t in transactions))
    assert costs[0] == costs[1], costs  # 12 times the events, the same statements


def test_a_page_view_is_one_transaction(tmp_path: Path, cloud: Any) -> None:
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    device_id = enroll_device(svc, key)["device_id"]
    _, od, _ = make_till_home(tmp_path / "till")
    writer = TillWriter(od, "S001", 1)
    row = writer.sale()
    events = SqliteOutbox(od.conn).pending(500, 1 << 20, datetime.now(UTC))
    assert _push(cloud.url + "/v1/events", key, device_id, encode_batch(events)).status_code == 200
    p = row["payload"]
    token = token_for(key, p["receipt_no"], 1795588200, p["total_fen"], row["hash"])
    counted = Counted(cloud.db)
    for visitor in ("phone-a", "phone-a", "phone-b"):
        page = httpx.get(f"{cloud.url}/r/{token}", headers={"user-agent": visitor})
        assert page.status_code == 200 and p["lines"][0]["name"] in page.text
        (statements,) = counted.take()  # lookup, verdict, sale and open count together
        if cloud.db.dialect == "postgres":
            # a counted open does not wait for the WAL flush (SET LOCAL, as set_config(…,
            # true) in the open's own statement: no round trip of its own); nothing else is
            # written
            assert any("set_config('synchronous_commit', 'off', true)" in s for s in statements), (
                statements
            )
    opened = sum(r["ereceipts_opened"] for r in svc.members.funnel.funnel("S001"))
    assert opened == 2  # phone-a's reload is not a new open


def test_a_page_view_reads_the_till_and_its_sale_together(tmp_path: Path, cloud: Any) -> None:
    """The page's lookup is one statement (the till by the token's key id, joined with its
    synced sale and the receipt's follow code), and on PostgreSQL a new visitor's open is
    counted, with the console's rows, by one more (was: the till, the sale, then the open and
    its count, each a round trip; then SET LOCAL, the follow code and the console's day and
    month rows a statement each)."""
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    device_id = enroll_device(svc, key)["device_id"]
    _, od, _ = make_till_home(tmp_path / "till")
    row = TillWriter(od, "S001", 1).sale()
    events = SqliteOutbox(od.conn).pending(500, 1 << 20, datetime.now(UTC))
    assert _push(cloud.url + "/v1/events", key, device_id, encode_batch(events)).status_code == 200
    p = row["payload"]
    token = token_for(key, p["receipt_no"], 1795588200, p["total_fen"], row["hash"])
    counted = Counted(cloud.db)
    assert httpx.get(f"{cloud.url}/r/{token}", headers={"user-agent": "a"}).status_code == 200
    counted.take()  # the first page of a worker also reads the session key
    page = httpx.get(f"{cloud.url}/r/{token}", headers={"user-agent": "phone-b"})
    assert page.status_code == 200 and p["lines"][0]["name"] in page.text
    (sent,) = counted.take()
    lookups = [s for s in sent if "devices" in s or "events" in s]
    assert len(lookups) == 1 and "JOIN events" in lookups[0], sent
    # the lookup, with the receipt's follow code; the open and its count, and the console's
    # funnel rows of the day and the month (cloud/console/funnel_facts.py), from the sale the
    # lookup read: PostgreSQL one statement with its SET LOCAL; SQLite a statement each, and
    # whether another visitor opened it first
    assert not [s for s in sent if "lock" in s.lower() or "FOR UPDATE" in s], sent
    assert "receipt_follow_qrs" in lookups[0], sent
    assert len(sent) == (2 if cloud.db.dialect == "postgres" else 6), sent
    opened = sum(r["ereceipts_opened"] for r in svc.members.funnel.funnel("S001"))
    assert opened == 2
