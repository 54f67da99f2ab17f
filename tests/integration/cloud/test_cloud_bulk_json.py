"""A bulk insert's rows on PostgreSQL as ONE JSON parameter (cloud/storage/bulk.py, issue 18):
psycopg dumped the column arrays element by element in Python.  What JSON carries is stored
as the arrays stored it; what it cannot carry as they did goes as arrays, with the arrays'
outcome."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
import pytest
from sync_fixtures import fresh_pg_database

from cloud import db as cloud_db
from cloud.db import CloudDB
from cloud.storage.bulk import insert_rows

pytestmark = pytest.mark.postgres

CHANGES = "INSERT INTO changes(kind, op, key, data, store_id, at) VALUES (?, ?, ?, ?, ?, ?)"
SUMS = (
    "INSERT INTO console_shift_sums(device_id, shift_id, dim, key, n, net_fen) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


@pytest.fixture
def db(pg_server: str) -> Iterator[CloudDB]:
    db = CloudDB(fresh_pg_database(pg_server))
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """The statements sent and their parameters."""
    seen: list[tuple[str, tuple[Any, ...]]] = []
    execute = cloud_db.Tx.execute

    def spied(self: Any, sql: str, params: Sequence[Any] = (), **kw: Any) -> Any:
        seen.append((sql, tuple(params)))
        return execute(self, sql, params, **kw)

    monkeypatch.setattr(cloud_db.Tx, "execute", spied)
    return seen


def _changes(db: CloudDB) -> list[tuple[Any, ...]]:
    with db.tx() as tx:
        return [
            tuple(r)
            for r in tx.execute(
                "SELECT kind, op, key, data, store_id, at FROM changes ORDER BY cursor"
            ).fetchall()
        ]


def test_a_bulk_insert_sends_its_rows_as_one_json_parameter(
    db: CloudDB, sent: list[tuple[str, tuple[Any, ...]]]
) -> None:
    rows = [("k", "upsert", f"key{i}", json.dumps({"i": i}), "S1", "t") for i in range(5)]
    with db.tx() as tx:
        insert_rows(tx, CHANGES, rows)
    inserts = [(sql, params) for sql, params in sent if sql.startswith("INSERT INTO changes")]
    assert len(inserts) == 1
    sql, params = inserts[0]
    assert "jsonb_array_elements" in sql
    assert len(params) == 1 and isinstance(params[0], str)
    assert json.loads(params[0]) == [list(r) for r in rows]
    assert _changes(db) == rows


def test_what_json_carries_is_stored_as_given_in_order(db: CloudDB) -> None:
    odd = [
        'quote " and backslash \\ and \\u0041',
        "南京西路店 ☕ 🧾",
        "tab\tnewline\n\x01\x1f",
        "",
        "\u2028\u2029",
        "'; DROP TABLE changes; --",
    ]
    rows = [
        ("k", "op", f"key{i:02d}", text, None if i % 2 else "S1", "t") for i, text in enumerate(odd)
    ]
    with db.tx() as tx:
        insert_rows(tx, CHANGES, rows)
        # ints as big as bigint holds, negative ones, a mixed column (7 beside "8") read as
        # the column's type, as the arrays' text cast read it
        insert_rows(
            tx,
            SUMS,
            [
                ("D1", 2**63 - 1, "kind", 7, -(2**63), 0),
                ("D1", 2, "kind", "8", 1, -5),
                ("D1", 3, "tender", "cash", 1, 100),
            ],
        )
        sums = tx.execute(
            "SELECT shift_id, key, n, net_fen FROM console_shift_sums ORDER BY shift_id"
        ).fetchall()
    assert _changes(db) == rows
    assert [tuple(r) for r in sums] == [
        (2, "8", 1, -5),
        (3, "cash", 1, 100),
        (2**63 - 1, "7", -(2**63), 0),
    ]


def test_what_json_cannot_carry_goes_as_arrays(
    db: CloudDB, sent: list[tuple[str, tuple[Any, ...]]]
) -> None:
    with db.tx() as tx:
        # a bool and a float are written by str() into a text column, as before
        insert_rows(
            tx, CHANGES, [("k", "op", "a", True, None, "t"), ("k", "op", "b", 1.5, None, "t")]
        )
    assert "unnest" in sent[-1][0]
    assert [(r[2], r[3]) for r in _changes(db)] == [("a", "True"), ("b", "1.5")]
    # an int beyond 64 bits: bigint's range error, from the server, as before
    with pytest.raises(psycopg.errors.NumericValueOutOfRange), db.tx() as tx:
        insert_rows(tx, SUMS, [("D1", 2**64, "kind", "k", 1, 1), ("D1", 2, "kind", "k", 1, 1)])
    assert "unnest" in sent[-1][0]


def test_a_nul_character_is_refused_as_before(
    db: CloudDB, sent: list[tuple[str, tuple[Any, ...]]]
) -> None:
    """PostgreSQL's text holds no NUL: the arrays' binary text was refused, and jsonb would
    refuse `\\u0000` with another error; the rows go as arrays, refused as they were."""
    rows = [("k", "op", "a", "x\x00y", None, "t"), ("k", "op", "b", "z", None, "t")]
    with pytest.raises(psycopg.DataError) as refused, db.tx() as tx:
        insert_rows(tx, CHANGES, rows)
    assert "unnest" in sent[-1][0]
    assert "0x00" in str(refused.value)
    assert _changes(db) == []
