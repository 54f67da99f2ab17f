"""Only a cloud out of reach opens the offline path for another store's receipt (issue 20).

Where the brand takes other stores' receipts back offline, a till that cannot reach the cloud
refunds the whole receipt as its token proves it.  An answer from the cloud is never "out of
reach": a refusal (a revoked till's 401) is shown in the cloud's words, a server error (500)
as "try again", and a sale the cloud does not have is refused; in none of them does money
move, by return or by exchange."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fault_proxy import FaultProxy
from members_cloud_rig import ereceipt_url_of, run_cloud
from members_kit import dead_url, run, set_setting, setting
from returns_stores import JKT, open_stores, refunds_of
from sync_fixtures import Cloud

APPROVED = ("--approve", "admin", "--reason", "顾客急需，总部允许")


def rules(cloud_db_url: str, *args: str) -> Any:
    db = ["--database-url", cloud_db_url] if "://" in cloud_db_url else ["--db", cloud_db_url]
    return run_cloud(SimpleNamespace(db_args=db), "return-rules", "set", *args)  # type: ignore[arg-type]


def refused(home: Path, url: str) -> dict[str, Any]:
    """A return and an exchange of the receipt, both refused with nothing moved."""
    before = run(home, "report", "x")["cash"]["expected_fen"]
    err = run(home, "return", "--user", "admin", "--ereceipt", url, *APPROVED, ok=False)
    swap = run(
        home, "exchange", "--user", "admin", "--ereceipt", url, "--return-line", "1=1",
        "--scan", JKT, *APPROVED, ok=False,
    )  # fmt: skip
    assert swap["error"]["code"] == err["error"]["code"], (err, swap)
    assert refunds_of(home) == []
    assert [s for s in run(home, "sales", "list") if s["kind"] == "sale"] == []
    assert run(home, "report", "x")["cash"]["expected_fen"] == before
    assert err["error"]["message_zh"] and err["error"]["message_zh"] != err["error"]["message"]
    return dict(err["error"])


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_refused_and_failed_answers_never_open_the_offline_path(
    cloud: Cloud, cloud_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_APPROVER_PIN", "7391")
    rules(cloud_db_url, "--offline-other-store", "on", "--offline-other-store-limit", "1000")
    stores = open_stores(cloud, tmp_path, ("S001", "S002", "S003"))
    seller, other, third = stores["S001"], stores["S002"], stores["S003"]
    synced = run(seller, "sale", "--user", "admin", "--scan", JKT, "--pay", "cash:300")
    run(seller, "sync", "run")
    unsynced = run(seller, "sale", "--user", "admin", "--scan", JKT, "--pay", "cash:300")
    for home in (other, third):
        run(home, "sync", "run")  # the seller's key and the brand's rules
    url = ereceipt_url_of(seller, synced["receipt_no"])
    url_unsynced = ereceipt_url_of(seller, unsynced["receipt_no"])

    # a genuine token whose sale the cloud never received: the cloud says so; the till's
    # offline rule would have refunded it
    err = refused(other, url_unsynced)
    assert err["code"] == "rule_violation" and "not a synced sale" in err["message"], err

    # the cloud answers 500: an error of its own, not an absence
    with FaultProxy(("127.0.0.1", int(cloud.url.rsplit(":", 1)[1])), faults={"error_500": 1}) as p:
        set_setting(other, "cloud_url", p.url)
        err = refused(other, url)
    assert err["code"] == "cloud_error", err
    assert "try again" in err["message"] and "重试" in err["message_zh"], err
    assert "Nothing was refunded" in err["message"] and "未退款" in err["message_zh"]

    # a revoked till is refused by the cloud: its answer, in its words
    set_setting(other, "cloud_url", cloud.url)
    cloud.service.admin.revoke_device(setting(other, "device_id"))
    err = refused(other, url)
    assert err["code"] == "cloud_refused", err
    assert "401 revoked_key" in err["message"] and "was revoked" in err["message"], err
    assert "云端拒绝" in err["message_zh"] and "未退款" in err["message_zh"], err

    # the cloud out of reach: the offline path, as the brand allows it
    set_setting(third, "cloud_url", dead_url())
    back = run(third, "return", "--user", "admin", "--ereceipt", url, *APPROVED)
    assert back["total_fen"] == -29900 and back["offline_other_store"]["store_id"] == "S001"
