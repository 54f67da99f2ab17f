"""The cloud's fast canonical form equals the journal's, and a float in a pushed payload is
refused for that event only."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import TillWriter, enroll_device, make_till_home

from cloud.event_checks import Reject, _fast_canonical
from pos_app.domain.journal import canonical
from sync.signing import RequestSigner


def test_fast_canonical_is_the_journal_canonical(tmp_path: Path) -> None:
    _, od, _ = make_till_home(tmp_path / "till")
    writer = TillWriter(od, "S001", 1)
    writer.day(60, refund_every=7)
    for row in writer.written:
        reparsed = json.loads(canonical(row["payload"]), parse_float=Decimal)
        assert _fast_canonical(reparsed) == canonical(row["payload"])
    with pytest.raises(Reject) as err:
        _fast_canonical({"total_fen": Decimal("1.5")})
    assert err.value.code == "float_in_payload"


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_a_float_rejects_only_its_event(tmp_path: Path, cloud) -> None:
    svc = cloud.service
    svc.admin.add_store("S001", "店")
    key = Ed25519PrivateKey.generate()
    ans = enroll_device(svc, key)
    events = [
        {
            "id": str(uuid.uuid4()),
            "type": "sale.completed",
            "schema": 1,
            "seq": 1,
            "occurred_at": "2026-11-25T06:30:00Z",
            "payload": {
                "store_id": "S001",
                "till_no": 1,
                "total_fen": 1.5,
                "receipt_no": 1,
                "lines": [],
                "payments": [],
            },
            "prev_entry_hash": "00" * 32,
            "entry_hash": "11" * 32,
        },
        {
            "id": str(uuid.uuid4()),
            "type": "cash.moved",
            "schema": 1,
            "seq": 2,
            "occurred_at": "2026-11-25T06:31:00Z",
            "payload": {"amount_fen": 100},
        },
    ]
    body = json.dumps({"events": events}).encode()
    url = cloud.url + "/v1/events"
    headers = RequestSigner(key, ans["device_id"]).headers("POST", url, body, datetime.now(UTC))
    out = httpx.post(url, content=body, headers=headers).json()
    assert out["accepted"] == [events[1]["id"]]
    assert [(r["id"], r["code"]) for r in out["rejected"]] == [
        (events[0]["id"], "float_in_payload")
    ]
