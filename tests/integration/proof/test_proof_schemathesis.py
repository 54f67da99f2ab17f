"""Schemathesis against the reference cloud's /openapi.json on loopback: every operation,
a bounded number of generated requests each, sent both unsigned and signed by an enrolled
till (so the handlers behind the signature check see the generated bodies too).  The cloud
must never answer 5xx, and its answers must be JSON where the schema says so."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_testkit import enroll_device

from cloud.app import create_app
from cloud.db import CloudDB
from cloud.ereceipt import CloudConfig
from cloud.server import ThreadedServer
from cloud.service import CloudService
from sync.signing import RequestSigner, b64, public_raw

EXAMPLES = 25


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[tuple[str, CloudService]]:
    db = CloudDB(str(tmp_path / "cloud.db"))
    svc = CloudService(db, ereceipt_base_url="")
    cfg = CloudConfig(brand_name="青衫", account_name="青衫服饰", join_url="")
    server = ThreadedServer(create_app(svc, config=cfg))
    server.start()
    svc.ereceipt_base_url = server.url.upper() + "/R/"
    try:
        yield server.url, svc
    finally:
        server.stop()
        db.close()


def _request(case, base: str) -> tuple[str, str, bytes, dict[str, str]]:  # type: ignore[no-untyped-def]
    path = case.formatted_path
    url = base + path
    if case.query:
        url += "?" + urllib.parse.urlencode(case.query, doseq=True)
    body = b""
    headers = {k: str(v) for k, v in (case.headers or {}).items()}
    if case.body is not None and not isinstance(case.body, schemathesis.core.NotSet):
        body = json.dumps(case.body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    return case.method.upper(), url, body, headers


def test_cloud_api_never_answers_5xx(cloud) -> None:  # type: ignore[no-untyped-def]
    base, svc = cloud
    svc.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    device_id = enroll_device(svc, key)["device_id"]
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    assert operations
    seen: dict[str, set[int]] = {}
    failures: list[str] = []
    with httpx.Client(timeout=10) as client:
        for op in operations:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            @given(case=op.as_strategy(), signed=st.booleans())
            def run(case, signed: bool) -> None:  # type: ignore[no-untyped-def]
                method, url, body, headers = _request(case, base)
                if signed:
                    headers.update(
                        RequestSigner(key, device_id).headers(method, url, body, datetime.now(UTC))
                    )
                try:
                    r = client.request(method, url, content=body, headers=headers)
                except httpx.InvalidURL:
                    return  # a URL httpx itself refuses to send never reaches the cloud
                seen.setdefault(f"{method} {op.path}", set())  # noqa: B023 (run now).add(r.status_code)
                if r.status_code >= 500:
                    failures.append(
                        f"{method} {url} {body[:200]!r} -> {r.status_code} {r.text[:200]}"
                    )
                if "json" in r.headers.get("content-type", ""):
                    r.json()

            run()
    assert not failures, failures[:5]
    assert len(seen) == len(operations)


def test_huge_integers_are_a_400_not_a_500(cloud) -> None:  # type: ignore[no-untyped-def]
    """Found by the schemathesis run: a 20-digit integer reached SQLite as OverflowError."""
    base, svc = cloud
    svc.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    device_id = enroll_device(svc, key)["device_id"]
    huge = 10**30
    body = json.dumps({"events": [{"id": str(uuid.uuid4()), "seq": huge, "type": "x"}]}).encode()
    url = base + "/v1/events"
    h = RequestSigner(key, device_id).headers("POST", url, body, datetime.now(UTC))
    h["Content-Type"] = "application/json"
    r = httpx.post(url, content=body, headers=h)
    assert r.status_code == 400, r.text
    url = f"{base}/v1/changes?since={huge}&limit=10"
    r = httpx.get(
        url, headers=RequestSigner(key, device_id).headers("GET", url, b"", datetime.now(UTC))
    )
    assert r.status_code == 400, r.text
    enroll = {
        "code": svc.admin.enrollment_code("S001")["code"],
        "public_key": b64(public_raw(key)),
        "device": {"till_no": huge},
    }
    r = httpx.post(base + "/v1/devices/enroll", json=enroll)
    assert r.status_code == 400, r.text
