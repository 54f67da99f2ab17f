"""Bad input is a 400 with the error body, never a 5xx (a till retries 5xx forever), on the
served cloud over SQLite and PostgreSQL (issue 15 items 8 and 10)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client import CloudClient
from sync.signing import ENROLL_KEYID, RequestSigner, b64, public_raw

DEEP_LIST = b"[" * 200_000 + b"]" * 200_000  # json.loads: RecursionError
DEEP_OBJECT = b'{"a":' * 60 + b"1" + b"}" * 60  # parses, but nests beyond any till body


class Device:
    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self.key = Ed25519PrivateKey.generate()
        with CloudClient(cloud.url, key=self.key) as c:
            self.device_id = c.enroll(cloud.service.admin.enrollment_code("S001")["code"], {})[
                "device_id"
            ]

    def post(self, path: str, body: bytes, **extra: str) -> httpx.Response:
        url = self.cloud.url + path
        h = RequestSigner(self.key, self.device_id).headers("POST", url, body, datetime.now(UTC))
        return httpx.post(
            url, content=body, headers=h | {"Content-Type": "application/json"} | extra
        )


def event(**over: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "device.status",
        "schema": 1,
        "seq": 1,
        "occurred_at": "2026-11-25T02:00:00Z",
        "payload": {},
    } | over


def assert_400(r: httpx.Response, code: str) -> None:
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == code, r.text


@pytest.fixture
def device(cloud) -> Device:
    cloud.service.admin.add_store("S001", "南京西路店")
    return Device(cloud)


def test_deeply_nested_bodies_are_400_everywhere(cloud, device: Device) -> None:
    for body in (DEEP_LIST, DEEP_OBJECT):
        url = cloud.url + "/v1/devices/enroll"
        signer = RequestSigner(Ed25519PrivateKey.generate(), ENROLL_KEYID)
        r = httpx.post(
            url, content=body, headers=signer.headers("POST", url, body, datetime.now(UTC))
        )
        assert_400(r, "bad_json")
        assert "nests deeper" in r.json()["error"]["message"]
        assert_400(device.post("/v1/events", body), "bad_batch")
        for direction in ("credits", "debits"):
            r = device.post(f"/v1/stored-value/{direction}", body, **{"Idempotency-Key": "k1"})
            assert_400(r, "bad_request")
        assert_400(device.post("/v1/coupons/redemptions", body), "bad_request")
        assert_400(device.post("/v1/coupons/releases", body), "bad_request")
    # deep inside an otherwise good enrollment, signed by the key it enrolls
    key = Ed25519PrivateKey.generate()
    nested: Any = {}
    for _ in range(40):
        nested = {"x": nested}
    body = json.dumps(
        {
            "code": cloud.service.admin.enrollment_code("S001")["code"],
            "public_key": b64(public_raw(key)),
            "device": {"model": nested},
        }
    ).encode()
    url = cloud.url + "/v1/devices/enroll"
    h = RequestSigner(key, ENROLL_KEYID).headers("POST", url, body, datetime.now(UTC))
    assert_400(httpx.post(url, content=body, headers=h), "bad_json")


def test_a_till_number_beyond_the_column_is_400(cloud, device: Device) -> None:
    """2^40 fits SQLite but overflowed PostgreSQL's INTEGER: a 500."""
    key = Ed25519PrivateKey.generate()
    for till_no in (2**40, 0, 1000, "1", True):
        body = json.dumps(
            {
                "code": cloud.service.admin.enrollment_code("S001")["code"],
                "public_key": b64(public_raw(key)),
                "device": {"till_no": till_no},
            }
        ).encode()
        url = cloud.url + "/v1/devices/enroll"
        h = RequestSigner(key, ENROLL_KEYID).headers("POST", url, body, datetime.now(UTC))
        assert_400(httpx.post(url, content=body, headers=h), "bad_till_no")


def test_wrong_types_are_400_not_500(cloud, device: Device) -> None:
    member = cloud.service.admin.add_member("13800138000", "赵女士")
    bad_member = json.dumps({"member_id": {"id": member["id"]}, "amount_fen": 100}).encode()
    r = device.post("/v1/stored-value/credits", bad_member, **{"Idempotency-Key": "k2"})
    assert_400(r, "bad_request")
    for body in (
        {"code": "C1", "sale_id": "S1", "member_id": ["M1"]},
        {"code": ["C1"], "sale_id": "S1"},
        {"code": "C1", "sale_id": {"a": 1}},
    ):
        assert_400(device.post("/v1/coupons/redemptions", json.dumps(body).encode()), "bad_request")
    assert_400(device.post("/v1/coupons/releases", b'{"code": "C1", "sale_id": 5}'), "bad_request")
    assert_400(device.post("/v1/events", b'{"events": {"id": 1}}'), "bad_batch")
    assert_400(device.post("/v1/events", b'["events"]'), "bad_batch")


def test_seq_true_is_not_seq_1(cloud, device: Device) -> None:
    """`true` passed `isinstance(seq, int)`: stored as seq 1 on SQLite, a 500 on PostgreSQL."""
    bad = event(seq=True)
    r = device.post("/v1/events", json.dumps({"events": [bad]}).encode())
    assert r.status_code == 200, r.text
    assert [(x["id"], x["code"]) for x in r.json()["rejected"]] == [(bad["id"], "bad_event")]
    for seq, schema in ((2, True), (3, "1")):
        odd = event(seq=seq, schema=schema)
        r = device.post("/v1/events", json.dumps({"events": [odd]}).encode())
        assert r.json()["rejected"][0]["code"] == "unsupported_schema", r.text
    good = event(seq=1)
    r = device.post("/v1/events", json.dumps({"events": [good]}).encode())
    assert r.json()["accepted"] == [good["id"]], r.text


@pytest.mark.parametrize(
    "bad_id",
    [
        "e1",
        "x" * 100_000,
        "",
        7,
        None,
        "{" + str(uuid.uuid4()) + "}",
        str(uuid.uuid4()).replace("-", ""),
    ],
    ids=["short", "100KB", "empty", "int", "null", "braced", "unhyphenated"],
)
def test_event_ids_are_uuids(cloud, device: Device, bad_id: Any) -> None:
    batch = {"events": [event(), event(id=bad_id, seq=2)]}
    r = device.post("/v1/events", json.dumps(batch).encode())
    assert_400(r, "bad_batch")
    assert "UUID" in r.json()["error"]["message"]
    with cloud.service.db.tx() as tx:
        assert tx.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    upper = event(id=str(uuid.uuid4()).upper())
    r = device.post("/v1/events", json.dumps({"events": [upper]}).encode())
    assert r.json()["accepted"] == [upper["id"]], r.text


def test_payload_fields_of_the_wrong_type_reject_the_event_not_the_batch(
    cloud, device: Device
) -> None:
    """Each of these was a 500 for the whole batch (int() of a list, a dict as an SQL
    parameter, a list where the member ledger expects an object)."""
    member = cloud.service.admin.add_member("13800138000", "赵女士")["id"]
    bad = [
        ("points.earned", {"member_id": member, "points": "x"}),
        ("points.redeemed", {"member_id": member, "points": None}),
        ("coupon.redeemed", {"member_id": {"id": member}, "code": "C", "sale_id": "S"}),
        ("coupon.redeemed", {"member_id": member, "code": "C", "amount_fen": [1]}),
        ("stored_value.debited", {"member_id": member, "amount_fen": {}, "offline": True}),
        ("member.updated", {"member_id": member, "tags": [1, 2]}),
        ("member.updated", {"member_id": member, "tags": 5}),
        ("member.updated", {"member_id": member, "followups": ["x"]}),
        ("stock.moved", {"reason": "sale", "lines": 5}),
        ("stock.moved", {"reason": "sale", "lines": [{"sku": "A", "qty": True}]}),
        ("stock.moved", {"reason": "transfer_out", "doc": "D1", "to_store": "S002",
                         "send_lines": [{"qty": 1}]}),
        ("sale.completed", {"member": ["M1"], "store_id": "S001", "till_no": 1}),
    ]  # fmt: skip
    events = [
        event(id=str(uuid.uuid4()), seq=i, type=t, payload=p) for i, (t, p) in enumerate(bad, 1)
    ]
    r = device.post("/v1/events", json.dumps({"events": events}).encode())
    assert r.status_code == 200, r.text
    rejected = {x["id"]: x for x in r.json()["rejected"]}
    assert [rejected[e["id"]]["code"] for e in events] == ["bad_payload"] * len(bad), rejected
    assert "payload.points must be an integer" in rejected[events[0]["id"]]["reason"]
    good = event(seq=len(bad) + 1, type="points.earned", payload={"member_id": member, "points": 5})
    assert device.post("/v1/events", json.dumps({"events": [good]}).encode()).json()[
        "accepted"
    ] == [good["id"]]
