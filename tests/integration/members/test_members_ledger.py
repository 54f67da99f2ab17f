"""The cloud's member ledger on SQLite and PostgreSQL: merging by phone, points, offline
stored value and coupons reconciled, replays booked once, the funnel."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import enroll_device

from cloud.common import ApiError
from cloud.db import CloudDB
from cloud.service import CloudService

PHONE = "13800138000"


@pytest.fixture
def svc(cloud_db_url: str) -> Iterator[CloudService]:
    db = CloudDB(cloud_db_url)
    s = CloudService(db, ereceipt_base_url="HTTP://127.0.0.1/R/")
    s.admin.add_store("S001", "静安嘉里店")
    try:
        yield s
    finally:
        db.close()


def device(svc: CloudService, till_no: int) -> str:
    key = Ed25519PrivateKey.generate()
    device = {"store_id": "S001", "till_no": till_no}
    return str(enroll_device(svc, key, "S001", device)["device_id"])


class Till:
    def __init__(self, svc: CloudService, till_no: int) -> None:
        self.svc, self.till_no, self.seq = svc, till_no, 0
        self.device_id = device(svc, till_no)

    def send(self, type_: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        e = {
            "id": str(uuid.uuid4()),
            "type": type_,
            "schema": 1,
            "seq": self.seq,
            "occurred_at": "2026-11-25T02:00:00Z",
            "payload": payload,
        }
        r = self.svc.ingest(self.device_id, [e])
        assert r["accepted"] == [e["id"]], r
        assert self.svc.ingest(self.device_id, [e])["duplicates"] == [e["id"]]  # replay: once
        return e


def enrolled(mid: str, **kw: Any) -> dict[str, Any]:
    return {
        "member_id": mid,
        "phone": PHONE,
        "name": "",
        "tier": "ordinary",
        "enrolled_at": "2026-11-25T02:00:00Z",
    } | kw


def test_one_phone_one_member_with_points_from_both(svc: CloudService) -> None:
    a, b = Till(svc, 1), Till(svc, 2)
    b.send("member.enrolled", enrolled("MB", associate="小王"))
    a.send("member.enrolled", enrolled("MA", name="王女士", birthday="1990-11-03"))
    a.send("points.earned", {"member_id": "MA", "points": 300, "sale_id": "s1"})
    b.send("points.earned", {"member_id": "MB", "points": 99, "sale_id": "s2"})
    a.send("points.redeemed", {"member_id": "MA", "points": 100, "sale_id": "s3"})
    v = svc.members.views.member_view("MA")
    assert (v["id"], v["name"], v["birthday"], v["points"]) == ("MB", "王女士", "1990-11-03", 299)
    assert v["aliases"] == ["MA"]
    changes = svc.changes(a.device_id, 0, 1000)["changes"]
    assert {"kind": "member", "op": "delete", "key": "MA", "data": {"merged_into": "MB"}} in [
        {k: c[k] for k in ("kind", "op", "key", "data")} for c in changes
    ]
    a.send("points.redeemed", {"member_id": "MA", "points": 500, "sale_id": "s4"})
    flags = svc.members.views.reconciliation()
    assert [(f["kind"], f["member_id"], f["amount"]) for f in flags] == [
        ("points_overdraft", "MB", 201)
    ]
    assert {r["associate"]: r["joins"] for r in svc.members.funnel.funnel()} == {"小王": 1, None: 1}


def test_offline_debits_booked_once_and_overdraft_flagged(svc: CloudService) -> None:
    a, b = Till(svc, 1), Till(svc, 2)
    m = svc.admin.add_member(PHONE)
    status, _ = svc.stored_value(
        a.device_id,
        "credits",
        "k1",
        json.dumps({"member_id": m["id"], "amount_fen": 5000}).encode(),
    )
    assert status == 200
    for till, key in ((a, "x1"), (b, "x2")):
        till.send(
            "stored_value.debited",
            {"member_id": m["id"], "amount_fen": 4000, "idempotency_key": key, "offline": True},
        )
    # an online debit's event is not booked twice
    a.send(
        "stored_value.debited",
        {"member_id": m["id"], "amount_fen": 999, "idempotency_key": "online", "offline": False},
    )
    assert svc.members.views.member_view(m["id"])["stored_value_fen"] == -3000
    assert [(f["kind"], f["amount"]) for f in svc.members.views.reconciliation()] == [
        ("stored_value_overdraft", 3000)
    ]


def test_coupons_online_once_offline_overuse_flagged(svc: CloudService) -> None:
    a, b = Till(svc, 1), Till(svc, 2)
    svc.admin.add_coupon("C1", {"kind": "cash", "amount_fen": 1000})
    svc.admin.add_coupon("CARE", {"kind": "count", "uses": 2})
    body = lambda code, sale: json.dumps({"code": code, "sale_id": sale}).encode()  # noqa: E731
    assert svc.members.coupons.redeem_coupon(a.device_id, body("C1", "s1"))["redeemed"]
    assert svc.members.coupons.redeem_coupon(a.device_id, body("C1", "s1"))[
        "redeemed"
    ]  # same sale: replay
    with pytest.raises(ApiError) as err:
        svc.members.coupons.redeem_coupon(b.device_id, body("C1", "s2"))
    assert err.value.code == "coupon_used"
    with pytest.raises(ApiError) as err:
        svc.members.coupons.redeem_coupon(b.device_id, body("NOPE", "s2"))
    assert err.value.code == "unknown_coupon"
    svc.members.coupons.redeem_coupon(a.device_id, body("CARE", "s3"))
    svc.members.coupons.redeem_coupon(b.device_id, body("CARE", "s4"))  # a count coupon: two uses
    # an offline redemption of a used coupon is flagged, not silently accepted
    b.send(
        "coupon.redeemed",
        {"code": "C1", "sale_id": "s9", "amount_fen": 1000, "offline": True, "member_id": None},
    )
    a.send(
        "coupon.redeemed",
        {"code": "C1", "sale_id": "s1", "amount_fen": 1000, "offline": False, "member_id": None},
    )
    assert [(f["kind"], f["amount"]) for f in svc.members.views.reconciliation()] == [
        ("coupon_overused", 1000)
    ]
