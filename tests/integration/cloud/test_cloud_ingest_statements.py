"""What a push costs PostgreSQL in statements (issue 18, Figures): counted as the server runs
them, so a row sent through executemany (one statement a row, however pipelined) counts once
per row.  A batch of sales is the same number of statements whatever its size, and its rows
go in in the batch's order (the store's tills pull the sales' changes in that order).
Counted, not timed; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import TillWriter, enroll_device

from cloud import db as cloud_db
from cloud.db import CloudDB
from cloud.service import CloudService
from cloud.storage.bulk import insert_rows


class _NoOutbox:
    def execute(self, *args: Any) -> None:
        return None


class _Od:
    conn = _NoOutbox()


@pytest.fixture
def service(cloud_db_url: str) -> Iterator[CloudService]:
    db = CloudDB(cloud_db_url)
    try:
        yield CloudService(db, ereceipt_base_url="")
    finally:
        db.close()


@pytest.fixture
def server_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements the database runs, one per executemany row."""
    ran: list[str] = []
    execute, executemany = cloud_db.Tx.execute, cloud_db.Tx.executemany

    def counted(self: Any, sql: str, params: Sequence[Any] = (), **kw: Any) -> Any:
        ran.append(sql)
        return execute(self, sql, params, **kw)

    def counted_many(self: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        ran.extend([sql] * len(rows))
        executemany(self, sql, rows)

    monkeypatch.setattr(cloud_db.Tx, "execute", counted)
    monkeypatch.setattr(cloud_db.Tx, "executemany", counted_many)
    return ran


def _events(writer: TillWriter, n: int, seq: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        row = writer.sale()
        out.append(
            {
                "id": row["id"],
                "type": row["type"],
                "schema": 1,
                "seq": seq + i,
                "occurred_at": row["payload"]["completed_at"],
                "payload": row["payload"],
                "prev_entry_hash": row["prev"],
                "entry_hash": row["hash"],
            }
        )
    return out


def test_a_batch_of_sales_costs_the_same_statements_at_any_size(
    service: CloudService, server_statements: list[str]
) -> None:
    service.admin.add_store("S001", "南京西路店")
    answer = enroll_device(service, Ed25519PrivateKey.generate())
    writer = TillWriter(_Od(), "S001", answer["till_no"])  # type: ignore[arg-type]
    small, large = _events(writer, 5, 1), _events(writer, 50, 6)

    server_statements.clear()
    assert len(service.ingest(answer["device_id"], small)["accepted"]) == 5
    for_five = len(server_statements)
    server_statements.clear()
    assert len(service.ingest(answer["device_id"], large)["accepted"]) == 50
    for_fifty = len(server_statements)

    if service.db.dialect == "postgres":
        # the return ledger's sales, lines and changes were a statement a row (~230 for 50)
        assert for_fifty == for_five, server_statements
        assert for_fifty < 30, server_statements
    # a new batch's seqs are above anything the till stored: not looked up
    assert not [s for s in server_statements if "seq = ANY" in s or "AND seq IN" in s]
    # the store's tills get the sales in the batch's order
    with service.db.tx() as tx:
        keys = [
            r[0]
            for r in tx.execute(
                "SELECT key FROM changes WHERE kind = 'store_sale' ORDER BY cursor"
            ).fetchall()
        ]
    assert keys == [e["payload"]["sale_id"] for e in small + large]


def test_rows_in_one_statement_keep_their_order_and_types(service: CloudService) -> None:
    with service.db.tx() as tx:
        insert_rows(
            tx,
            "INSERT INTO changes(kind, op, key, data, store_id, at) VALUES (?, ?, ?, ?, ?, ?)",
            [("k", "upsert", f"key{i}", json.dumps({"i": i}), None, "t") for i in range(7)],
        )
        # a summary upsert adds to the row it meets; a column of mixed types (an odd
        # payload's 7 beside "8") is read as the column's type, as row by row
        sql = (
            "INSERT INTO console_shift_sums(device_id, shift_id, dim, key, n, net_fen) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(device_id, shift_id, dim, key) DO UPDATE "
            "SET n = console_shift_sums.n + excluded.n, "
            "net_fen = console_shift_sums.net_fen + excluded.net_fen"
        )
        insert_rows(tx, sql, [("D1", 1, "tender", "cash", 1, 100), ("D1", 2, "kind", 7, 1, 5)])
        insert_rows(tx, sql, [("D1", 1, "tender", "cash", 2, 50), ("D1", 2, "kind", "8", 1, 5)])
        keys = [r[0] for r in tx.execute("SELECT key FROM changes ORDER BY cursor").fetchall()]
        sums = tx.execute(
            "SELECT shift_id, key, n, net_fen FROM console_shift_sums ORDER BY shift_id, key"
        ).fetchall()
    assert keys == [f"key{i}" for i in range(7)]
    assert [tuple(r) for r in sums] == [(1, "cash", 3, 150), (2, "7", 1, 5), (2, "8", 1, 5)]
