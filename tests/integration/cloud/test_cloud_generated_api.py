"""The cloud's API is described by its code (issue 18, item 2): the served OpenAPI document is
generated from the routes and their pydantic models, FastAPI's own validation answers are the
protocol's 400s with their codes (after the signature, as before), and what schemathesis found
(tests/proof/test_proof_schemathesis_checks.py) is fixed in the app."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import enroll_device

from sync.signing import RequestSigner

SQLITE = pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)


class Till:
    def __init__(self, cloud: Any) -> None:
        cloud.service.admin.add_store("S001", "南京西路店")
        self.key = Ed25519PrivateKey.generate()
        self.device_id = enroll_device(cloud.service, self.key)["device_id"]
        self.base = cloud.url

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        url = self.base + path
        h = RequestSigner(self.key, self.device_id).headers(method, url, body, datetime.now(UTC))
        h.update(headers or {})
        return httpx.request(method, url, content=body, headers=h)


def code_of(resp: httpx.Response) -> str:
    assert set(resp.json()) == {"error"}, resp.text
    return str(resp.json()["error"]["code"])


@SQLITE
def test_the_document_is_generated_from_the_routes_and_their_models(cloud: Any) -> None:
    doc = httpx.get(cloud.url + "/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    schemas = doc["components"]["schemas"]
    error = {"$ref": "#/components/schemas/Error"}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, answer in op["responses"].items():
                if int(status) >= 400:
                    assert answer["content"]["application/json"]["schema"] in (
                        error,
                        {"$ref": "#/components/schemas/FollowRefused"},
                    ), (method, path, status)
            # FastAPI's own 422 is the protocol's 400 here: never declared as its shape
            assert "Validation Error" not in json.dumps(op["responses"]), (method, path)
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                assert body["schema"]["$ref"].rsplit("/", 1)[1] in schemas, (method, path)
            if path.startswith("/v1/") and path != "/v1/devices/enroll":
                assert op["security"] == [{"httpSignature": []}], (method, path)
    assert schemas["StoredValueRequest"]["required"] == ["member_id", "amount_fen"]
    assert schemas["PushRequest"]["properties"]["events"]["maxItems"] == 500
    assert "HTTPValidationError" not in schemas
    members = doc["paths"]["/v1/members"]["get"]["parameters"]
    assert [(p["name"], p["required"]) for p in members] == [("phone", True)]
    debit = doc["paths"]["/v1/stored-value/debits"]["post"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in debit] == [
        ("Idempotency-Key", "header", True)
    ]


@SQLITE
def test_a_parameter_fastapi_refuses_is_the_protocols_400_after_the_signature(
    cloud: Any,
) -> None:
    till = Till(cloud)
    assert code_of(httpx.get(cloud.url + "/v1/members")) == "missing_signature"
    for path in ("/v1/members", "/v1/members?phone="):
        resp = till.request("GET", path)
        assert resp.status_code == 400 and code_of(resp) == "phone_required", resp.text
    unsigned = httpx.post(cloud.url + "/v1/stored-value/debits", content=b"{}")
    assert unsigned.status_code == 401
    for headers in ({}, {"Idempotency-Key": "k" * 256}):
        resp = till.request("POST", "/v1/stored-value/debits", b"{}", headers)
        assert resp.status_code == 400 and code_of(resp) == "idempotency_key_required"


@SQLITE
def test_a_cursor_is_digits_only(cloud: Any) -> None:
    """Found by schemathesis: int() took "-1", " 7", "+7" and "1_0" although the document
    says digits (and "1_0" was the cursor 10)."""
    till = Till(cloud)
    for bad in ("-1", "%207", "%2B7", "1_0", "abc", "1" * 19):
        resp = till.request("GET", f"/v1/changes?since={bad}")
        assert resp.status_code == 400 and code_of(resp) == "bad_cursor", bad
    assert till.request("GET", "/v1/changes?since=&limit=").status_code == 200
    assert till.request("GET", "/v1/changes?since=0&limit=10").status_code == 200


@SQLITE
def test_an_amount_written_as_an_integral_number_is_that_integer(cloud: Any) -> None:
    """Found by schemathesis: 1078.0 is an integer to JSON Schema (and to JavaScript, which
    may write it so), but was answered 400 bad_amount."""
    till = Till(cloud)
    member = cloud.service.admin.add_member("13800000000", "林")["id"]
    credit = json.dumps({"member_id": member, "amount_fen": 1078.0}).encode()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    resp = till.request("POST", "/v1/stored-value/credits", credit, key)
    assert resp.status_code == 200, resp.text
    assert resp.json()["amount_fen"] == 1078 and resp.json()["balance_fen"] == 1078
    half = json.dumps({"member_id": member, "amount_fen": 10.5}).encode()
    resp = till.request("POST", "/v1/stored-value/debits", half, {"Idempotency-Key": "k2"})
    assert resp.status_code == 400 and code_of(resp) == "bad_amount"


@SQLITE
def test_a_credit_beyond_the_largest_sale_is_refused_not_a_500(cloud: Any) -> None:
    """Found by schemathesis: two credits near 2**63 overflowed the balance's SUM in the
    database, and the cloud answered 500 (which a till retries for ever)."""
    till = Till(cloud)
    member = cloud.service.admin.add_member("13800000000", "林")["id"]
    for n in range(2):
        body = json.dumps({"member_id": member, "amount_fen": 2**63 - 2}).encode()
        resp = till.request("POST", "/v1/stored-value/credits", body, {"Idempotency-Key": f"{n}"})
        assert resp.status_code == 400 and code_of(resp) == "bad_amount", resp.text
    most = json.dumps({"member_id": member, "amount_fen": 2**31 - 1}).encode()
    resp = till.request("POST", "/v1/stored-value/credits", most, {"Idempotency-Key": "m"})
    assert resp.status_code == 200 and resp.json()["balance_fen"] == 2**31 - 1


@SQLITE
def test_a_number_beyond_64_bits_is_refused_however_it_is_written(cloud: Any) -> None:
    """Found by schemathesis: 10**30 was refused (400) but 1e30, the same JSON number, was
    taken; the rule is on the value, as the document states it."""
    till = Till(cloud)
    for number in ("1000000000000000000000000000000", "1e30", "-3.4e38"):
        event = f'{{"id": "{uuid.uuid4()}", "type": "cash.moved", "payload": {{"x": {number}}}}}'
        resp = till.request("POST", "/v1/events", f'{{"events": [{event}]}}'.encode())
        assert resp.status_code == 400 and code_of(resp) == "bad_batch", (number, resp.text)
    small = f'{{"id": "{uuid.uuid4()}", "type": "t", "payload": {{"x": 1.5e3}}}}'
    resp = till.request("POST", "/v1/events", f'{{"events": [{small}]}}'.encode())
    assert resp.status_code == 200  # that event rejected in-band, the batch taken, as before
    assert len(resp.json()["rejected"]) == 1


@SQLITE
def test_head_is_answered_as_get_without_a_body(cloud: Any) -> None:
    resp = httpx.head(cloud.url + "/healthz")
    assert resp.status_code == 200 and resp.content == b"" and resp.headers["date"]
