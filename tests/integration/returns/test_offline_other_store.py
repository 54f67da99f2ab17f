"""Another store's receipt taken back offline where the brand allows it (issue 20): the
brand's switch and limit published with the return rules, the whole receipt refunded for at
most the token's total with a manager's approval, the refund synced marked
`offline_other_store` and reconciled on ingest against the sale's return ledger: a line
already refunded elsewhere is flagged in `guitai cloud returns conflicts` and never counted
twice; a sale that reaches the cloud after the refund is booked when it arrives."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from members_cloud_rig import ereceipt_url_of, run_cloud
from members_kit import dead_url, run, set_setting
from returns_stores import JKT, open_stores, refunds_of
from sync_fixtures import Cloud

from cloud.returns.ledger import left_to_return


def rules(cloud_db_url: str, *args: str) -> Any:
    db = ["--database-url", cloud_db_url] if "://" in cloud_db_url else ["--db", cloud_db_url]
    return run_cloud(SimpleNamespace(db_args=db), "return-rules", "set", *args)  # type: ignore[arg-type]


def conflicts(cloud_db_url: str) -> Any:
    db = ["--database-url", cloud_db_url] if "://" in cloud_db_url else ["--db", cloud_db_url]
    return run_cloud(SimpleNamespace(db_args=db), "returns", "conflicts")  # type: ignore[arg-type]


def offline_return(home: Path, url: str, *extra: str, ok: bool = True) -> Any:
    return run(home, "return", "--user", "admin", "--ereceipt", url, *extra, ok=ok)


APPROVED = ("--approve", "admin", "--reason", "顾客急需，总部允许")


def test_offline_other_store_within_over_limit_and_without_approval_then_reconciled(
    cloud: Cloud, cloud_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_APPROVER_PIN", "7391")
    doc = rules(cloud_db_url, "--offline-other-store", "on", "--offline-other-store-limit", "400")
    assert doc["offline_other_store"] is True and doc["offline_other_store_limit_fen"] == 40000
    stores = open_stores(cloud, tmp_path, ("S001", "S002"))
    seller, other = stores["S001"], stores["S002"]
    one = run(seller, "sale", "--user", "admin", "--scan", JKT, "--pay", "cash:300")
    two = run(seller, "sale", "--user", "admin", "--scan", JKT, "--scan", JKT, "--pay", "cash:600")
    run(seller, "sync", "run")
    run(other, "sync", "run")  # the seller's key and the brand's rules
    # the seller's store takes back the jacket of the first sale itself
    run(seller, "return", "--user", "admin", "--receipt", str(one["receipt_no"]))
    run(seller, "sync", "run")
    url_one = ereceipt_url_of(seller, one["receipt_no"])
    url_two = ereceipt_url_of(seller, two["receipt_no"])

    set_setting(other, "cloud_url", dead_url())
    before = run(other, "report", "x")["cash"]["expected_fen"]
    err = offline_return(other, url_one, ok=False)  # no manager
    assert err["error"]["code"] == "needs_approval", err
    assert "offline needs a manager" in err["error"]["message"]
    assert "店长" in err["error"]["message_zh"]
    err = offline_return(other, url_two, *APPROVED, ok=False)  # ¥598.00 over ¥400.00
    assert err["error"]["code"] == "rule_violation", err
    assert "up to ¥400.00" in err["error"]["message"] and "400.00" in err["error"]["message_zh"]
    assert refunds_of(other) == []
    assert run(other, "report", "x")["cash"]["expected_fen"] == before

    back = offline_return(other, url_one, *APPROVED)  # within the limit, approved
    assert back["total_fen"] == -29900  # the token's total, no more
    assert back["payments"] == [{"tender": "cash", "amount_fen": -29900, "change_fen": 0}]
    assert back["approvals"][0]["action"] == "return_rules"
    assert run(other, "report", "x")["cash"]["expected_fen"] == before - 29900
    # the same receipt a second time at this till: nothing is left of it
    err = offline_return(other, url_one, *APPROVED, ok=False)
    assert "already been returned" in err["error"]["message"], err

    set_setting(other, "cloud_url", cloud.url)
    run(other, "sync", "run")
    # the jacket had been returned at the seller's store: flagged, counted once
    found = conflicts(cloud_db_url)
    assert [(c["store_id"], c["receipt_no"], c["line_no"], c["excess_qty"]) for c in found] == [
        ("S001", one["receipt_no"], 1, 1)
    ]
    assert found[0]["refund_id"] == back["refund_id"]
    with cloud.db.tx() as tx:
        assert left_to_return(tx, one["sale_id"])[1] == {"sold": 1, "refunded": 1, "reserved": 0}
        assert left_to_return(tx, two["sale_id"])[1] == {"sold": 2, "refunded": 0, "reserved": 0}


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_an_offline_refund_that_reaches_the_cloud_before_its_sale_is_booked_when_it_arrives(
    cloud: Cloud, cloud_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_APPROVER_PIN", "7391")
    rules(cloud_db_url, "--offline-other-store", "on", "--offline-other-store-limit", "1000")
    stores = open_stores(cloud, tmp_path, ("S001", "S002"))
    seller, other = stores["S001"], stores["S002"]
    run(seller, "sync", "run")  # the seller's key
    run(other, "sync", "run")
    sale = run(seller, "sale", "--user", "admin", "--scan", JKT, "--pay", "cash:300")
    url = ereceipt_url_of(seller, sale["receipt_no"])  # the seller has not synced it

    set_setting(other, "cloud_url", dead_url())
    back = offline_return(other, url, *APPROVED)
    assert back["total_fen"] == -29900
    set_setting(other, "cloud_url", cloud.url)
    run(other, "sync", "run")  # the cloud has no such sale yet: the refund waits
    run(seller, "sync", "run")
    with cloud.db.tx() as tx:
        assert left_to_return(tx, sale["sale_id"])[1] == {"sold": 1, "refunded": 1, "reserved": 0}
    assert conflicts(cloud_db_url) == []
    # the seller's till hears of it: nothing is left to return there
    run(seller, "sync", "run")
    err = run(seller, "return", "--user", "admin", "--receipt", str(sale["receipt_no"]), ok=False)
    assert "already been returned" in err["error"]["message"], err
