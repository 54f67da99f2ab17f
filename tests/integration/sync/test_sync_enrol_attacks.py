"""Enrollment attacks against the served cloud, on SQLite and PostgreSQL (issue 15 items 1, 2;
specs/sync-protocol.md 1.1 "Proof of possession").

Under a small-order key such as the identity, the signature `01 00…00 ‖ 00…00` verifies for
every message, so whoever enrolled that key signed pushes, stored-value credits and e-receipts
without a private key; and whoever enrolled another till's published key revoked that till.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import struct
import uuid
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import enroll_request

from pos_app.cli import main
from pos_app.config import Paths
from pos_app.domain.ports import ManualClock
from receipts.token import TokenError, decode_token, verify_token
from sync.client import CloudClient
from sync.errors import CloudRejected
from sync.signing import ENROLL_KEYID, RequestSigner, b64, key_id_of, public_raw

IDENTITY = bytes([1]) + bytes(31)
FORGED_SIGNATURE = bytes([1]) + bytes(63)  # R = identity, S = 0: valid under IDENTITY
BAD_KEYS = {
    "identity": IDENTITY,
    "order 8": bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    "mixed order": bytes.fromhex(
        "9158312a9a8d6e3b34c891d6d61444f8b8211c5117ebad15bdb0bd68b07e0245"
    ),
    "non-canonical y": bytes.fromhex("ee" + "ff" * 30 + "7f"),
}


def forged(method: str, url: str, body: bytes, keyid: str) -> dict[str, str]:
    """Headers an attacker without any private key makes: the signature base is public, the
    signature is the one that holds under the identity key."""
    h = RequestSigner(Ed25519PrivateKey.generate(), keyid).headers(
        method, url, body, datetime.now(UTC)
    )
    h["Signature"] = "guitai=:" + b64(FORGED_SIGNATURE) + ":"
    h["Content-Type"] = "application/json"
    return h


def enrol_body(svc: Any, public_key: bytes, device: dict[str, Any] | None = None) -> bytes:
    code = svc.admin.enrollment_code("S001")["code"]
    return json.dumps(
        {"code": code, "public_key": b64(public_key), "device": device or {}}
    ).encode()


def error_code(r: httpx.Response) -> str:
    return str(r.json()["error"]["code"])


def forged_token(public_key: bytes, total_fen: int) -> str:
    head = struct.pack(">B4sIIi", 1, key_id_of(public_key), 77, 1796000000, total_fen) + bytes(8)
    return base64.b32encode(head + FORGED_SIGNATURE).decode().rstrip("=")


def legacy_device(svc: Any, public_key: bytes, till_no: int = 9) -> str:
    """A device a cloud before protocol 1.1 enrolled with `public_key` (no key check) and
    published to every till: what an upgraded cloud finds in its database."""
    device_id = "dev_" + uuid.uuid4().hex
    kid = key_id_of(public_key).hex()
    with svc.db.tx() as tx:
        tx.execute(
            "INSERT INTO devices(device_id, store_id, till_no, key_id, public_key, enrolled_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (device_id, "S001", till_no, kid, b64(public_key), "2026-11-01T00:00:00Z"),
        )
        svc.publish(
            tx,
            "device_key",
            "upsert",
            device_id,
            {
                "device_id": device_id,
                "key_id": kid,
                "public_key": b64(public_key),
                "store_id": "S001",
                "till_no": till_no,
            },
        )
    return device_id


@pytest.mark.parametrize("name", BAD_KEYS)
def test_small_order_and_non_canonical_keys_are_refused_at_enrolment(cloud, name: str) -> None:
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    url = cloud.url + "/v1/devices/enroll"
    body = enrol_body(svc, BAD_KEYS[name])
    for headers in (forged("POST", url, body, ENROLL_KEYID), {"Content-Type": "application/json"}):
        r = httpx.post(url, content=body, headers=headers)
        assert r.status_code == 400, r.text
        assert error_code(r) == "bad_public_key"
        assert "not an acceptable Ed25519 key" in r.json()["error"]["message"]
    assert svc.admin.devices() == []
    # the code was not used up: the real till enrolls with it
    code = json.loads(body)["code"]
    with CloudClient(cloud.url, key=Ed25519PrivateKey.generate()) as client:
        assert client.enroll(code, {})["till_no"] == 1


def test_a_small_order_key_enrolled_before_the_check_signs_nothing(
    cloud, tmp_path: Path, capsys, monkeypatch
) -> None:
    """The attack end to end: push, ¥5,000 credit, a ¥999,999.00 receipt on the cloud page
    and at a real till; none of it holds any more."""
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    member = svc.admin.add_member("13800138000", "赵女士")
    device_id = legacy_device(svc, IDENTITY)

    body = json.dumps(
        {
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "device.status",
                    "schema": 1,
                    "seq": 1,
                    "occurred_at": "2026-11-25T02:00:00Z",
                    "payload": {},
                }
            ]
        }
    ).encode()
    url = cloud.url + "/v1/events"
    r = httpx.post(url, content=body, headers=forged("POST", url, body, device_id))
    assert r.status_code == 401, r.text
    assert error_code(r) == "bad_public_key"

    body = json.dumps({"member_id": member["id"], "amount_fen": 500000, "reference": "x"}).encode()
    url = cloud.url + "/v1/stored-value/credits"
    headers = forged("POST", url, body, device_id) | {"Idempotency-Key": str(uuid.uuid4())}
    r = httpx.post(url, content=body, headers=headers)
    assert r.status_code == 401, r.text
    with svc.db.tx() as tx:
        assert tx.execute("SELECT count(*) FROM stored_value_ledger").fetchone()[0] == 0

    token = forged_token(IDENTITY, 99999900)
    page = httpx.get(cloud.url + "/r/" + token)
    assert page.status_code == 200
    assert "真实小票" not in page.text and "此小票已被篡改" in page.text
    with pytest.raises(TokenError, match="not acceptable"):
        verify_token(decode_token(token), IDENTITY)

    # A real till enrolls (its CLI signs the request), pulls the published key and refuses it.
    monkeypatch.setenv("GUITAI_PIN", "7391")
    home = ["--home", str(tmp_path / "till")]

    def guitai(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        rc = main([*home, *args])
        return rc, capsys.readouterr().out

    rc, out = guitai(
        *("init", "--store-id", "S001", "--store-name", "南京西路店", "--till-no", "1"),
        *("--admin-pin", "7391", "--json"),
    )
    assert rc == 0, out
    rc, out = guitai("enroll", "--cloud", cloud.url, "--code", _code(svc), "--json")
    assert rc == 0, out
    rc, out = guitai("sync", "run", "--json")
    assert rc == 0, out
    with closing(sqlite3.connect(Paths(tmp_path / "till").database)) as db:
        keys = dict(db.execute("SELECT device_id, public_key FROM device_keys").fetchall())
    assert device_id not in keys and len(keys) == 1  # only the real till's own key arrived
    rc, out = guitai("receipt", "verify", token, "--json")
    assert rc == 1, out
    assert json.loads(out)["valid"] is False


def _code(svc: Any) -> str:
    return str(svc.admin.enrollment_code("S001")["code"])


def test_enrolling_another_tills_key_neither_works_nor_revokes_it(cloud) -> None:
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    victim = Ed25519PrivateKey.generate()
    with CloudClient(cloud.url, key=victim) as client:
        device_id = client.enroll(_code(svc), {})["device_id"]
    # the victim's key is public: every till pulls it as a device_key change
    url = cloud.url + "/v1/devices/enroll"
    body = enrol_body(svc, public_raw(victim))
    r = httpx.post(url, content=body, headers={"Content-Type": "application/json"})
    assert (r.status_code, error_code(r)) == (409, "key_enrolled"), r.text
    attacker = Ed25519PrivateKey.generate()
    headers = RequestSigner(attacker, ENROLL_KEYID).headers("POST", url, body, datetime.now(UTC))
    r = httpx.post(url, content=body, headers=headers | {"Content-Type": "application/json"})
    assert (r.status_code, error_code(r)) == (401, "bad_signature"), r.text
    r = httpx.post(url, content=body, headers=forged("POST", url, body, ENROLL_KEYID))
    assert (r.status_code, error_code(r)) == (401, "bad_signature"), r.text

    assert [d["revoked_at"] for d in svc.admin.devices()] == [None]
    with CloudClient(cloud.url, key=victim, device_id=device_id) as client:
        assert client.changes(None).changes  # the real till still syncs


def test_a_till_re_enrols_its_own_key_by_signing(cloud) -> None:
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    with CloudClient(cloud.url, key=key) as client:
        first = client.enroll(_code(svc), {})
        second = client.enroll(_code(svc), {})
    assert second["till_no"] == first["till_no"]
    revoked = {d["device_id"]: d["revoked_at"] for d in svc.admin.devices()}
    assert revoked[first["device_id"]] is not None and revoked[second["device_id"]] is None
    with (
        CloudClient(cloud.url, key=key, device_id=first["device_id"]) as old,
        pytest.raises(CloudRejected) as err,
    ):
        old.changes(None)
    assert (err.value.status, err.value.error_code) == (401, "revoked_key")


def test_an_enrolment_must_be_signed_by_the_key_it_enrolls(cloud) -> None:
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    url = cloud.url + "/v1/devices/enroll"
    json_ct = {"Content-Type": "application/json"}

    def post(body: bytes, headers: dict[str, str]) -> httpx.Response:
        return httpx.post(url, content=body, headers=headers | json_ct)

    body = enrol_body(svc, public_raw(key))
    r = post(body, {})
    assert (r.status_code, error_code(r)) == (401, "bad_signature"), r.text
    assert "update the till software" in r.json()["error"]["message"]
    r = post(body, RequestSigner(key, "dev_x").headers("POST", url, body, datetime.now(UTC)))
    assert (r.status_code, error_code(r)) == (401, "bad_signature"), r.text
    signed = RequestSigner(key, ENROLL_KEYID).headers("POST", url, body, datetime.now(UTC))
    r = post(body.replace(b'"device": {}', b'"device": {"till_no": 5}'), signed)
    assert (r.status_code, error_code(r)) == (401, "digest_mismatch"), r.text
    old = datetime.now(UTC) - timedelta(hours=1)
    r = post(body, RequestSigner(key, ENROLL_KEYID).headers("POST", url, body, old))
    assert (r.status_code, error_code(r)) == (401, "stale_signature"), r.text
    assert svc.admin.devices() == []
    r = post(body, signed)
    assert r.status_code == 201, r.text
    r = post(body, signed)  # the same request again
    assert (r.status_code, error_code(r)) == (401, "replayed_nonce"), r.text

    # A till whose clock is an hour off still enrolls: the refusal's `Date` corrects it.
    slow = ManualClock(datetime.now(UTC) - timedelta(hours=1))
    with CloudClient(cloud.url, key=Ed25519PrivateKey.generate(), clock=slow) as client:
        assert client.enroll(_code(svc), {})["till_no"] == 2


def test_the_service_takes_only_a_signed_enrolment(cloud) -> None:
    """Callers of the service itself (the CLI's admin path, tests) go through the same check."""
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    from cloud.common import ApiError

    key = Ed25519PrivateKey.generate()
    with pytest.raises(ApiError) as err:
        svc.enroll(enroll_request(key, _code(svc), signed=False))
    assert (err.value.status, err.value.code) == (401, "bad_signature")
    with pytest.raises(ApiError) as err:
        svc.enroll(enroll_request(key, _code(svc), public_key=IDENTITY))
    assert (err.value.status, err.value.code) == (400, "bad_public_key")
    assert svc.enroll(enroll_request(key, _code(svc)))["till_no"] == 1
