"""The return reservations on the cloud's own database (issue 20): held until the refund event
commits them, given back when they expire, never more than is left; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cloud.changelog import ChangeLog
from cloud.common import ApiError, _now_iso
from cloud.db import CloudDB
from cloud.returns import ledger
from cloud.returns.reservations import ReturnReservations, returnable

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def db(cloud_db_url: str) -> Iterator[CloudDB]:
    d = CloudDB(cloud_db_url)
    yield d
    d.close()


def sale_event(sale_id: str, qty: int) -> dict[str, Any]:
    line = {"line_no": 1, "sku": "A", "name": "夹克", "qty": qty, "unit_price_fen": 100,
            "discount_fen": 0, "amount_fen": 100 * qty, "vat_rate_bp": 1300}  # fmt: skip
    payload = {"sale_id": sale_id, "store_id": "S001", "till_no": 1, "receipt_no": 7,
               "lines": [line], "payments": [], "total_fen": 100 * qty}  # fmt: skip
    return {"id": str(uuid.uuid4()), "type": "sale.completed", "seq": 1, "payload": payload,
            "entry_hash": "ab" * 32}  # fmt: skip


def refund_event(sale_id: str, refund_id: str, qty: int) -> dict[str, Any]:
    payload = {"refund_id": refund_id, "original_sale_id": sale_id, "store_id": "S002",
               "till_no": 1, "receipt_no": 3, "payments": [],
               "lines": [{"line_no": 1, "qty": qty, "amount_fen": 100 * qty}]}  # fmt: skip
    return {"id": str(uuid.uuid4()), "type": "refund.completed", "seq": 2, "payload": payload}


def ingest(db: CloudDB, clock: Clock, event: dict[str, Any]) -> None:
    with db.tx() as tx:
        ledger.after_ingest(tx, ChangeLog(clock).publish, [event], [event["id"]], "dev_x", "t")


def body(refund_id: str, sale_id: str, qty: int) -> bytes:
    lines = [{"line_no": 1, "qty": qty}]
    return json.dumps({"refund_id": refund_id, "sale_id": sale_id, "lines": lines}).encode()


def left(db: CloudDB, clock: Clock, sale_id: str) -> dict[str, int]:
    with db.tx() as tx:
        rows = returnable(tx, sale_id, _now_iso(clock()))
    assert rows is not None
    return rows[0]


def test_held_expired_and_committed(db: CloudDB) -> None:
    clock = Clock()
    desk = ReturnReservations(db, clock, minutes=10)
    sale_id = str(uuid.uuid4())
    ingest(db, clock, sale_event(sale_id, 2))
    first, second, third = (str(uuid.uuid4()) for _ in range(3))

    held = desk.reserve("dev_b", body(first, sale_id, 2))
    assert held["state"] == "held"
    assert desk.reserve("dev_b", body(first, sale_id, 2)) == held  # idempotent
    with pytest.raises(ApiError) as refused:
        desk.reserve("dev_c", body(second, sale_id, 1))
    assert (refused.value.status, refused.value.code) == (409, "not_returnable")
    with pytest.raises(ApiError) as reused:
        desk.reserve("dev_b", body(first, sale_id, 1))
    assert reused.value.code == "refund_id_reused"
    assert left(db, clock, sale_id)["returnable_qty"] == 0

    clock.at = T0 + timedelta(minutes=11)  # never committed: given back
    assert left(db, clock, sale_id) == {
        "line_no": 1, "sold_qty": 2, "refunded_qty": 0, "reserved_qty": 0, "returnable_qty": 2,
    }  # fmt: skip
    assert desk.reserve("dev_c", body(second, sale_id, 1))["state"] == "held"
    ingest(db, clock, refund_event(sale_id, second, 1))  # the refund event commits it
    assert desk.reserve("dev_c", body(second, sale_id, 1))["state"] == "committed"
    with pytest.raises(ApiError) as done:
        desk.release("dev_c", json.dumps({"refund_id": second}).encode())
    assert done.value.code == "refund_completed"
    assert left(db, clock, sale_id)["refunded_qty"] == 1
    assert left(db, clock, sale_id)["returnable_qty"] == 1

    assert desk.reserve("dev_d", body(third, sale_id, 1))["state"] == "held"
    out = desk.release("dev_d", json.dumps({"refund_id": third}).encode())
    assert out == {"refund_id": third, "released": True, "state": "released"}
    assert left(db, clock, sale_id)["returnable_qty"] == 1


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_bad_requests_are_400(db: CloudDB) -> None:
    desk = ReturnReservations(db, Clock())
    for raw in (
        b"[]",
        b'{"refund_id": "x", "sale_id": "s", "lines": [{"line_no": 1, "qty": 1}]}',
        json.dumps({"refund_id": str(uuid.uuid4()), "sale_id": "s", "lines": []}).encode(),
        json.dumps(
            {"refund_id": str(uuid.uuid4()), "sale_id": "s", "lines": [{"line_no": 1, "qty": 0}]}
        ).encode(),
    ):
        with pytest.raises(ApiError) as bad:
            desk.reserve("dev", raw)
        assert (bad.value.status, bad.value.code) == (400, "bad_request")
    with pytest.raises(ApiError) as unknown:
        desk.reserve("dev", body(str(uuid.uuid4()), "no-such-sale", 1))
    assert unknown.value.code == "unknown_sale"
