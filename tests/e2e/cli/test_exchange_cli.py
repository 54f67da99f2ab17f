"""`guitai exchange` (issue 20, item 3) through the real command line against the payment
emulators: an even swap, a difference paid by card on the ZVT emulator, a balance refunded to
WeChat Pay on its emulator; after each the journal verifies, the X/Z figures agree with the
journal and the cash, and stock moved both ways.  A gift receipt never gives money back."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from payments_rig import Rig, wechat_code

from pos_app.cli import main

JACKET = "6901234567892"  # QP-2026-001-BLK-L ¥299.00
JACKET_M = "QP-2026-001-BLK-M"  # the same jacket in M, ¥299.00 (added below)
TEE = "6901234567908"  # QP-2026-002-WHT-M ¥99.00


@pytest.fixture
def shop(till_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Rig]]:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    c = sqlite3.connect(till_home / "till.db")
    c.execute(
        "INSERT INTO skus(sku, style, name, price_fen, member_price_fen, category, vat_rate_bp) "
        "VALUES ('QP-2026-001-BLK-M', 'QP-2026-001', '男士羊毛夹克 黑 M', 29900, 26900, '男装', "
        "1300)"
    )
    c.commit()
    c.close()
    rig = Rig(till_home)
    try:
        home = str(till_home)
        assert main(["--home", home, "devices", "add", "T1", "--kind", "terminal", "--uri",
                     rig.zvt.uri]) == 0  # fmt: skip
        assert main(["--home", home, "shift", "open", "--user", "admin", "--float", "500"]) == 0
        yield till_home, rig
    finally:
        rig.close()


def run(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    o = capsys.readouterr()
    return rc, o.out, o.err


def ok(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    rc, out, err = run(home, capsys, *args, "--json")
    assert rc == 0, out + err
    data: dict[str, Any] = json.loads(out)
    return data


def on_hand(home: Path) -> dict[str, int]:
    c = sqlite3.connect(home / "till.db")
    try:
        return dict(c.execute("SELECT sku, on_hand FROM stock_levels").fetchall())
    finally:
        c.close()


def attempts(home: Path) -> list[tuple[str, str, str, int]]:
    c = sqlite3.connect(home / "till.db")
    try:
        return c.execute(
            "SELECT kind, tender, state, amount_fen FROM payment_attempts ORDER BY started_at"
        ).fetchall()
    finally:
        c.close()


def books_agree(home: Path, capsys: pytest.CaptureFixture[str], cash_fen: int) -> None:
    """The journal verifies; the X report's figures are the journal's; the exchange credit
    nets to zero; the drawer should hold the float plus the cash taken."""
    v = ok(home, capsys, "journal", "verify")
    assert v["ok"], v
    x = ok(home, capsys, "report", "x")
    c = sqlite3.connect(home / "till.db")
    try:
        journal = [json.loads(p) for (p,) in c.execute("SELECT payload FROM journal")]
    finally:
        c.close()
    assert x["net_fen"] == sum(int(p["total_fen"]) for p in journal)
    assert x["by_tender"].get("exchange", {"net_fen": 0})["net_fen"] == 0
    assert x["cash"]["expected_fen"] == 50000 + cash_fen


def test_an_even_swap_takes_no_payment_and_moves_stock_both_ways(
    shop: tuple[Path, Rig], capsys: pytest.CaptureFixture[str]
) -> None:
    home, _ = shop
    sale = ok(home, capsys, "sale", "--user", "admin", "--scan", JACKET, "--pay", "cash:299")
    before = on_hand(home)
    ex = ok(
        home, capsys, "exchange", "--user", "admin", "--receipt", str(sale["receipt_no"]),
        "--return-line", "1=1", "--scan", JACKET_M,
    )  # fmt: skip
    assert ex["difference_fen"] == 0 and ex["returned_fen"] == ex["new_fen"] == 29900
    assert ex["refund_tenders"] == [{"tender": "exchange", "amount_fen": -29900, "change_fen": 0}]
    assert ex["sale_tenders"] == [{"tender": "exchange", "amount_fen": 29900, "change_fen": 0}]
    assert ex["original_receipt_no"] == sale["receipt_no"]
    assert ex["sale_receipt_no"] == ex["refund_receipt_no"] + 1
    after = on_hand(home)
    assert after["QP-2026-001-BLK-L"] == before["QP-2026-001-BLK-L"] + 1
    assert after.get("QP-2026-001-BLK-M", 0) == before.get("QP-2026-001-BLK-M", 0) - 1
    books_agree(home, capsys, 29900)
    # one receipt: the new line positive, the returned one negative, the refund named
    rc, text, _ = run(home, capsys, "receipt", "show", str(ex["sale_receipt_no"]))
    assert rc == 0 and "换货退回" in text and "-299.00" in text
    assert f"{ex['refund_receipt_no']:06d}" in text
    # the returned line is spent: it cannot be returned again
    rc, out, _ = run(
        home, capsys, "return", "--user", "admin", "--receipt", str(sale["receipt_no"]), "--json"
    )
    assert rc == 2 and json.loads(out)["error"]["code"] == "rule_violation"
    # and the Z closes with the drawer as counted
    z = ok(home, capsys, "shift", "close", "--user", "admin", "--counted", "799.00")
    assert z["cash"]["difference_fen"] == 0


def test_the_difference_is_paid_by_card_on_the_zvt_emulator(
    shop: tuple[Path, Rig], capsys: pytest.CaptureFixture[str]
) -> None:
    home, _ = shop
    sale = ok(home, capsys, "sale", "--user", "admin", "--scan", TEE, "--pay", "cash:99")
    rc, out, _ = run(
        home, capsys, "exchange", "--user", "admin", "--receipt", str(sale["receipt_no"]),
        "--return-line", "1=1", "--scan", JACKET, "--json",
    )  # fmt: skip
    assert rc == 2 and "--pay" in json.loads(out)["error"]["message"]
    ex = ok(
        home, capsys, "exchange", "--user", "admin", "--receipt", str(sale["receipt_no"]),
        "--return-line", "1=1", "--scan", JACKET, "--pay", "card:200.00",
    )  # fmt: skip
    assert ex["difference_fen"] == 20000
    tenders = {p["tender"]: p["amount_fen"] for p in ex["sale_tenders"]}
    assert tenders == {"exchange": 9900, "card": 20000}
    assert [a[1:] for a in attempts(home)] == [("card", "attached", 20000)]
    books_agree(home, capsys, 9900)


def test_the_balance_goes_back_to_wechat_on_its_emulator(
    shop: tuple[Path, Rig], capsys: pytest.CaptureFixture[str]
) -> None:
    home, _ = shop
    sale = ok(
        home, capsys, "sale", "--user", "admin", "--scan", JACKET,
        "--pay", f"wechat:299.00:{wechat_code()}",
    )  # fmt: skip
    ex = ok(
        home, capsys, "exchange", "--user", "admin", "--receipt", str(sale["receipt_no"]),
        "--return-line", "1=1", "--scan", TEE, "--refund", "original",
    )  # fmt: skip
    assert ex["difference_fen"] == -20000
    back = {p["tender"]: p["amount_fen"] for p in ex["refund_tenders"]}
    assert back == {"exchange": -9900, "wechat": -20000}
    refunds = [a for a in attempts(home) if a[0] == "refund"]
    assert refunds == [("refund", "wechat", "attached", 20000)]
    books_agree(home, capsys, 0)
    rc, text, _ = run(home, capsys, "receipt", "show", str(ex["sale_receipt_no"]))
    assert rc == 0 and "差额退款" in text and "200.00" in text


def gift_token(home: Path, receipt_no: int) -> str:
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.receipt_docs import ereceipt_url
    from pos_app.bootstrap import build
    from pos_app.config import Paths

    db = open_database(home / "till.db")
    try:
        app = build(Paths(home), db)
        payload = app.uow.sales.payload(receipt_no=receipt_no)
        assert payload is not None
        return ereceipt_url(payload, app.signer(), "", gift=True)
    finally:
        db.close()


def test_a_gift_receipt_exchanges_but_never_gives_cash_back(
    shop: tuple[Path, Rig], capsys: pytest.CaptureFixture[str]
) -> None:
    home, _ = shop
    sale = ok(home, capsys, "sale", "--user", "admin", "--scan", JACKET, "--pay", "cash:299")
    token = gift_token(home, sale["receipt_no"])
    rc, out, _ = run(
        home, capsys, "exchange", "--user", "admin", "--ereceipt", token,
        "--return-line", "1=1", "--scan", TEE, "--refund", "cash", "--json",
    )  # fmt: skip
    err = json.loads(out)["error"]
    assert rc == 2 and err["code"] == "rule_violation"
    assert "gift receipt" in err["message"] and "礼品小票" in err["message_zh"]
    assert ok(home, capsys, "journal", "verify")["sales"] == 1  # nothing was written
    ex = ok(
        home, capsys, "exchange", "--user", "admin", "--ereceipt", token,
        "--return-line", "1=1", "--scan", JACKET_M,
    )  # fmt: skip
    assert ex["difference_fen"] == 0
    books_agree(home, capsys, 29900)


def test_guitai_return_of_a_gift_receipts_qr_gives_no_money_back(
    shop: tuple[Path, Rig], capsys: pytest.CaptureFixture[str]
) -> None:
    home, _ = shop
    sale = ok(home, capsys, "sale", "--user", "admin", "--scan", JACKET, "--pay", "cash:299")
    token = gift_token(home, sale["receipt_no"])
    rc, out, _ = run(home, capsys, "return", "--user", "admin", "--ereceipt", token, "--json")
    err = json.loads(out)["error"]
    assert rc == 2 and err["code"] == "rule_violation"
    assert "gift receipt" in err["message"] and "礼品小票" in err["message_zh"]
    assert ok(home, capsys, "journal", "verify")["sales"] == 1  # nothing was written
    # the buyer's own receipt (by its number) is returned for money as always
    back = ok(home, capsys, "return", "--user", "admin", "--receipt", str(sale["receipt_no"]))
    assert back["total_fen"] == -29900


def test_goods_from_an_exchange_return_in_money_never_in_exchange_credit(
    shop: tuple[Path, Rig], capsys: pytest.CaptureFixture[str]
) -> None:
    home, _ = shop
    sale = ok(
        home, capsys, "sale", "--user", "admin", "--scan", TEE,
        "--pay", f"wechat:99.00:{wechat_code()}",
    )  # fmt: skip
    ex = ok(
        home, capsys, "exchange", "--user", "admin", "--receipt", str(sale["receipt_no"]),
        "--return-line", "1=1", "--scan", JACKET, "--pay", "cash:200",
    )  # fmt: skip
    back = ok(
        home, capsys, "return", "--user", "admin", "--receipt", str(ex["sale_receipt_no"]),
        "--refund", "original",
    )  # fmt: skip
    assert {p["tender"]: p["amount_fen"] for p in back["payments"]} == {"cash": -29900}
    books_agree(home, capsys, 20000 - 29900)
