"""The brand's cap on returns without a receipt counted at every store (issue 20).

`guitai cloud return-rules set --no-receipt-limit N` caps a member's returns without a receipt
in 30 days.  Online, the till asks the cloud (`GET /v1/returns/no-receipt-count`, by the
phone's key, never the phone), which counts them at every store from the ingested refunds;
with the cloud out of reach, the till counts its own, and the refund says which count it
checked (`no_receipt.cap_source`)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from members_cloud_rig import run_cloud
from members_kit import dead_url, run, set_setting
from returns_stores import JKT, open_stores, refunds_of
from sync_fixtures import Cloud

PHONE = "13900139000"


def no_receipt(home: Path, *, ok: bool = True) -> Any:
    return run(
        home, "return", "--user", "admin", "--no-receipt", "--scan", JKT, "--member", PHONE,
        "--approve", "admin", "--reason", "顾客无小票", ok=ok,
    )  # fmt: skip


def test_the_cap_counts_the_members_returns_at_every_store_online_and_the_till_offline(
    cloud: Cloud, cloud_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_APPROVER_PIN", "7391")
    url = ["--database-url", cloud_db_url] if "://" in cloud_db_url else ["--db", cloud_db_url]
    db = SimpleNamespace(db_args=url)
    run_cloud(db, "return-rules", "set", "--no-receipt-limit", "1")  # type: ignore[arg-type]
    stores = open_stores(cloud, tmp_path, ("S001", "S002"))
    a, b = stores["S001"], stores["S002"]
    for home in (a, b):
        run(home, "sync", "run")  # the brand's rules

    first = no_receipt(a)
    assert first["no_receipt"]["cap_source"] == "cloud"
    run(a, "sync", "run")
    key = hashlib.sha256(PHONE.encode()).hexdigest()[:16]
    with cloud.db.tx() as tx:  # the cloud holds the phone's key, never the phone
        rows = tx.execute("SELECT refund_id, phone_key, store_id FROM returns_no_receipt")
        assert [tuple(r) for r in rows.fetchall()] == [(first["refund_id"], key, "S001")]

    # store B, online: the member's return at store A counts
    before = run(b, "report", "x")["cash"]["expected_fen"]
    err = no_receipt(b, ok=False)["error"]
    assert err["code"] == "rule_violation", err
    assert "made 1 returns without a receipt" in err["message"], err
    assert "at the brand's stores" in err["message"] and "品牌所有门店" in err["message_zh"]
    assert refunds_of(b) == []
    assert run(b, "report", "x")["cash"]["expected_fen"] == before

    # store A with the cloud out of reach: its own return counts, and the refusal says where
    set_setting(a, "cloud_url", dead_url())
    err = no_receipt(a, ok=False)["error"]
    assert "at this till" in err["message"], err

    # store B with the cloud out of reach: counted on the till only, and the refund says so
    set_setting(b, "cloud_url", dead_url())
    back = no_receipt(b)
    assert back["no_receipt"]["cap_source"] == "till"
    assert back["total_fen"] < 0
    assert run(b, "report", "x")["cash"]["expected_fen"] == before + back["total_fen"]
