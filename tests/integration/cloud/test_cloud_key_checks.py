"""A till key's verdict kept in the database (cloud/key_checks.py, issue 18): written at
enrolment, read with the device's row by the signed routes, so a fresh worker does not redo
~2 ms of point arithmetic per till; an unrecorded key is checked once and recorded; a key with
a problem stays refused.  The served cloud on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import enroll_device, token_for

import receipts.token
from cloud import key_checks, receipt_lookup
from pos_app.domain.ed25519_keys import public_key_problem
from sync.signing import RequestSigner, b64, public_raw


def _push_body() -> bytes:
    event = {
        "id": str(uuid.uuid4()),
        "type": "device.status",
        "schema": 1,
        "seq": 1,
        "occurred_at": "2026-11-25T02:00:00Z",
        "payload": {},
    }
    return json.dumps({"events": [event]}).encode()


def _signed(
    cloud: Any, key: Ed25519PrivateKey, device_id: str, method: str, path: str, body: bytes = b""
) -> httpx.Response:
    url = cloud.url + path
    headers = RequestSigner(key, device_id).headers(method, url, body, datetime.now(UTC))
    if body:
        headers["Content-Type"] = "application/json"
    return httpx.request(method, url, content=body, headers=headers)


def _push(cloud: Any, key: Ed25519PrivateKey, device_id: str) -> httpx.Response:
    return _signed(cloud, key, device_id, "POST", "/v1/events", _push_body())


def _pull(cloud: Any, key: Ed25519PrivateKey, device_id: str) -> httpx.Response:
    return _signed(cloud, key, device_id, "GET", "/v1/changes?since=0&limit=10")


def _verdicts(cloud: Any) -> list[tuple[Any, ...]]:
    with cloud.service.db.tx() as tx:
        return [
            tuple(r)
            for r in tx.execute(
                "SELECT public_key, problem FROM device_key_checks ORDER BY public_key"
            ).fetchall()
        ]


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The keys the cloud checks from now on (the per-process memory of the check
    forgotten, as in a fresh worker)."""
    seen: list[bytes] = []

    def counted(raw: bytes) -> str | None:
        seen.append(raw)
        return public_key_problem(raw)

    for module in (key_checks, receipt_lookup, receipts.token):
        monkeypatch.setattr(module, "public_key_problem", counted)
    receipt_lookup._signed_by.cache_clear()
    return seen


@pytest.fixture
def till(cloud: Any) -> tuple[Ed25519PrivateKey, str]:
    cloud.service.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    return key, str(enroll_device(cloud.service, key)["device_id"])


def test_enrolment_records_the_keys_verdict(cloud: Any, till: tuple[Any, str]) -> None:
    key, _ = till
    assert _verdicts(cloud) == [(b64(public_raw(key)), None)]


def test_signed_routes_read_the_verdict_and_check_no_key(
    cloud: Any, till: tuple[Any, str], checks: list[bytes]
) -> None:
    key, device_id = till
    assert _push(cloud, key, device_id).status_code == 200
    assert _pull(cloud, key, device_id).status_code == 200
    assert checks == []


def test_an_unrecorded_key_is_checked_once_and_recorded(
    cloud: Any, till: tuple[Any, str], checks: list[bytes]
) -> None:
    """A till enrolled before the table: the first worker to meet its key checks it."""
    key, device_id = till
    with cloud.service.db.tx() as tx:
        tx.execute("DELETE FROM device_key_checks")
    assert _pull(cloud, key, device_id).status_code == 200
    assert checks == [public_raw(key)]
    assert _verdicts(cloud) == [(b64(public_raw(key)), None)]
    assert _push(cloud, key, device_id).status_code == 200
    assert _pull(cloud, key, device_id).status_code == 200
    assert checks == [public_raw(key)]


def test_an_unrecorded_key_is_recorded_by_a_push(
    cloud: Any, till: tuple[Any, str], checks: list[bytes]
) -> None:
    key, device_id = till
    with cloud.service.db.tx() as tx:
        tx.execute("DELETE FROM device_key_checks")
    assert _push(cloud, key, device_id).status_code == 200
    assert checks == [public_raw(key)]
    assert _verdicts(cloud) == [(b64(public_raw(key)), None)]


def test_a_key_recorded_with_a_problem_is_refused(
    cloud: Any, till: tuple[Any, str], checks: list[bytes]
) -> None:
    key, device_id = till
    with cloud.service.db.tx() as tx:
        tx.execute("UPDATE device_key_checks SET problem = 'a small-order point'")
    for answer in (_push(cloud, key, device_id), _pull(cloud, key, device_id)):
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"]["code"] == "bad_public_key"
    assert checks == []
    with cloud.service.db.tx() as tx:
        assert tx.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_the_receipt_page_reads_the_verdict(
    cloud: Any, till: tuple[Any, str], checks: list[bytes]
) -> None:
    """The e-receipt page's token check (receipt_lookup.py) reads the verdict with the till's
    row: genuine without the key's check; a recorded problem makes every token altered."""
    key, _ = till
    token = token_for(key, 41, 1796000000, 1200, "ab" * 32)
    page = httpx.get(cloud.url + "/r/" + token)
    assert page.status_code == 200 and "此小票已被篡改" not in page.text
    assert checks == []
    with cloud.service.db.tx() as tx:
        tx.execute("UPDATE device_key_checks SET problem = 'a small-order point'")
    token = token_for(key, 42, 1796000000, 1200, "ab" * 32)
    page = httpx.get(cloud.url + "/r/" + token)
    assert page.status_code == 200 and "此小票已被篡改" in page.text
    assert checks == []


def test_the_migration_goes_down_and_up(cloud_db_url: str) -> None:
    """0019_key_checks' downgrade drops the table, its upgrade makes it again."""
    import sqlalchemy as sa
    from alembic import command

    from cloud.db import CloudDB
    from cloud.storage import migrate

    CloudDB(cloud_db_url).close()  # brought to head
    postgres = cloud_db_url.startswith("postgresql")
    url = migrate.sa_url(cloud_db_url) if postgres else f"sqlite:///{cloud_db_url}"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        for step, present in ((command.downgrade, False), (command.upgrade, True)):
            with engine.begin() as conn:
                cfg = migrate._config()
                cfg.attributes["connection"] = conn
                step(cfg, "0018_no_receipt_count" if step is command.downgrade else "head")
            assert sa.inspect(engine).has_table("device_key_checks") is present
    finally:
        engine.dispose()
