"""Store credit (退至储值, issue 20, item 4): `guitai return --refund store-credit --member
PHONE` against the served cloud on loopback.  A gift receipt's recipient who is not a member
is enrolled on the spot (with consent) and the refund goes onto their stored value in the
cloud's ledger; offline it is refused before anything moves; an ordinary receipt takes it too;
the X/Z report counts store credit as its own tender, and the journal and the cloud agree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from members_kit import dead_url, init_till, run, run_text, set_setting, setting
from sync_fixtures import Cloud

JKT, TEE = "6901234567892", "6901234567908"
PHONE = "13900139000"


@pytest.fixture
def till(cloud: Cloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    cloud.service.admin.add_store("S001", "静安嘉里店")
    home = init_till(tmp_path / "till", 1, "S001")
    code = cloud.service.admin.enrollment_code("S001")["code"]
    run(home, "enroll", "--cloud", cloud.url, "--code", code)
    run(home, "shift", "open", "--user", "admin", "--float", "500")
    yield home


def gift_url(home: Path, receipt_no: int) -> str:
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.receipt_docs import ereceipt_url
    from pos_app.bootstrap import build
    from pos_app.config import Paths

    db = open_database(home / "till.db")
    try:
        app = build(Paths(home), db)
        payload = app.uow.sales.payload(receipt_no=receipt_no)
        return ereceipt_url(payload, app.signer(), setting(home, "ereceipt_base_url"), gift=True)
    finally:
        db.close()


def cloud_balance(cloud: Cloud, member_id: str) -> int:
    with cloud.db.tx() as tx:
        row = tx.execute(
            "SELECT COALESCE(SUM(delta_fen), 0) FROM stored_value_ledger WHERE member_id = ?",
            (member_id,),
        ).fetchone()
    return int(row[0])


def refunds_of(home: Path) -> list[dict[str, Any]]:
    return [s for s in run(home, "sales", "list") if s["kind"] == "refund"]


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_a_gift_receipt_becomes_store_credit_of_a_member_enrolled_on_the_spot(
    till: Path, cloud: Cloud
) -> None:
    sale = run(till, "sale", "--user", "admin", "--scan", JKT, "--pay", "cash:300")
    url = gift_url(till, sale["receipt_no"])

    cash = run(till, "return", "--user", "admin", "--ereceipt", url, ok=False)
    assert "gift receipt" in cash["error"]["message"] and "store-credit" in cash["error"]["message"]
    assert "礼品小票" in cash["error"]["message_zh"]
    args = ["return", "--user", "admin", "--ereceipt", url, "--refund", "store-credit"]
    nobody = run(till, *args, ok=False)
    assert "--member PHONE" in nobody["error"]["message"]
    no_consent = run(till, *args, "--member", PHONE, ok=False)
    assert "--consent" in no_consent["error"]["message"]
    assert "同意" in no_consent["error"]["message_zh"]
    assert refunds_of(till) == []

    back = run(till, *args, "--member", PHONE, "--consent")
    credit = back["store_credit"]
    assert back["total_fen"] == -29900
    assert back["payments"][0]["tender"] == "store_credit"
    assert back["payments"][0]["amount_fen"] == -29900
    assert credit["enrolled"] is True and credit["amount_fen"] == 29900
    assert credit["balance_fen"] == 29900 and credit["phone_masked"].endswith("9000")
    member_id = credit["member_id"]
    assert cloud_balance(cloud, member_id) == 29900  # the cloud's ledger took it
    assert run(till, "member", "show", member_id)["stored_value_fen"] == 29900

    text = run_text(till, "sales", "show", str(back["receipt_no"]))
    assert "退至储值" in text and "储值余额" in text and "299.00" in text

    x = run(till, "report", "x")
    assert x["by_tender"]["store_credit"]["refunds_fen"] == -29900
    assert x["cash"]["expected_fen"] == 50000 + 29900  # the drawer gave nothing back

    run(till, "sync", "run")
    assert run(till, "sync", "status")["pending"] == 0
    assert run(till, "journal", "verify")["ok"] is True
    totals = run_cloud_totals(cloud, setting(till, "device_id"))
    assert cloud_balance(cloud, member_id) == 29900  # the refund event did not credit twice
    counted = str(x["cash"]["expected_fen"] / 100)
    z = run(till, "shift", "close", "--user", "admin", "--counted", counted)
    assert z["by_tender"]["store_credit"]["refunds_fen"] == -29900
    assert z["by_tender"]["cash"]["net_fen"] == 29900
    assert z["net_fen"] == totals == 0  # the sale and its refund, as the cloud counts them


def run_cloud_totals(cloud: Cloud, device_id: str) -> int:
    with cloud.db.tx() as tx:
        row = tx.execute(
            "SELECT COALESCE(SUM(total_fen), 0) FROM events WHERE device_id = ? "
            "AND type IN ('sale.completed', 'refund.completed')",
            (device_id,),
        ).fetchone()
    return int(row[0])


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_store_credit_offline_is_refused_and_nothing_moves(till: Path, cloud: Cloud) -> None:
    member = run(till, "member", "enroll", "--phone", PHONE, "--consent")
    run(till, "sync", "run")
    sale = run(till, "sale", "--user", "admin", "--scan", TEE, "--pay", "cash:100")
    set_setting(till, "cloud_url", dead_url())
    err = run(
        till,
        "return",
        "--user",
        "admin",
        "--receipt",
        str(sale["receipt_no"]),
        "--refund",
        "store-credit",
        "--member",
        PHONE,
        ok=False,
    )
    assert "needs the cloud" in err["error"]["message"] and "exchange" in err["error"]["message"]
    assert "联网后重试" in err["error"]["message_zh"] and "换货" in err["error"]["message_zh"]
    assert refunds_of(till) == []
    assert cloud_balance(cloud, member["member_id"]) == 0


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_an_ordinary_receipt_takes_store_credit_onto_a_known_member(
    till: Path, cloud: Cloud
) -> None:
    member = run(till, "member", "enroll", "--phone", PHONE, "--consent")
    run(till, "sync", "run")
    sale = run(till, "sale", "--user", "admin", "--scan", TEE, "--scan", TEE, "--pay", "cash:200")
    back = run(
        till,
        "return",
        "--user",
        "admin",
        "--receipt",
        str(sale["receipt_no"]),
        "--line",
        "1=1",
        "--refund",
        "store-credit",
        "--member",
        PHONE,
    )
    assert back["store_credit"]["member_id"] == member["member_id"]
    assert back["store_credit"]["enrolled"] is False
    assert back["store_credit"]["balance_fen"] == 9900
    assert cloud_balance(cloud, member["member_id"]) == 9900
    wrong = run(till, "return", "--user", "admin", "--receipt", "1", "--member", PHONE, ok=False)
    assert "--refund store-credit" in wrong["error"]["message"]


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_a_refund_that_does_not_commit_takes_its_store_credit_back(
    till: Path, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_app.services.handlers import refunds

    member = run(till, "member", "enroll", "--phone", PHONE, "--consent")
    run(till, "sync", "run")
    sale = run(till, "sale", "--user", "admin", "--scan", TEE, "--pay", "cash:100")

    def disk_full(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(refunds.stock, "book_sale", disk_full)
    args = ["--receipt", str(sale["receipt_no"]), "--refund", "store-credit", "--member", PHONE]
    run(till, "return", "--user", "admin", *args, ok=False)  # the internal error's exit
    assert refunds_of(till) == []
    with cloud.db.tx() as tx:
        deltas = [
            int(r[0])
            for r in tx.execute(
                "SELECT delta_fen FROM stored_value_ledger WHERE member_id = ? ORDER BY 1",
                (member["member_id"],),
            ).fetchall()
        ]
    assert deltas == [-9900, 9900]  # credited before the commit, taken back when it failed
