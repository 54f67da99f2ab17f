"""`guitai sale` and `guitai return` with card, WeChat Pay and Alipay tenders against the
emulators (ZVT over TCP, WeChat v2 XML, Alipay RSA2), through the real command line."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from payments_rig import Rig, alipay_code, wechat_code

from pos_app.cli import main

JACKET = "6901234567892"  # ¥299.00
TEE = "6901234567908"  # ¥99.00


@pytest.fixture
def shop(till_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Rig]]:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    rig = Rig(till_home)
    try:
        assert (
            main(
                [
                    "--home",
                    str(till_home),
                    "devices",
                    "add",
                    "T1",
                    "--kind",
                    "terminal",
                    "--uri",
                    rig.zvt.uri,
                ]
            )
            == 0
        )
        assert (
            main(["--home", str(till_home), "shift", "open", "--user", "admin", "--float", "0"])
            == 0
        )
        yield till_home, rig
    finally:
        rig.close()


def run(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    o = capsys.readouterr()
    return rc, o.out, o.err


def attempts(home: Path) -> list[tuple[str, str, str, int]]:
    c = sqlite3.connect(home / "till.db")
    try:
        return c.execute(
            "SELECT kind, tender, state, amount_fen FROM payment_attempts ORDER BY started_at"
        ).fetchall()
    finally:
        c.close()


def test_split_card_wechat_alipay_cash_sale_and_refund_to_the_original_tenders(
    shop: tuple[Path, Rig], capsys: pytest.CaptureFixture[str]
) -> None:
    home, _rig = shop
    rc, out, err = run(
        home,
        capsys,
        "sale",
        "--user",
        "admin",
        "--scan",
        JACKET,
        "--scan",
        TEE,
        "--pay",
        "card:150.00",
        "--pay",
        f"wechat:100.00:{wechat_code()}",
        "--pay",
        f"alipay:100.00:{alipay_code()}",
        "--pay",
        "cash:48.00",
        "--json",
    )
    assert rc == 0, err
    sale = json.loads(out)
    assert sale["total_fen"] == 39800
    tenders = {p["tender"]: p for p in sale["payments"]}
    assert set(tenders) == {"card", "wechat", "alipay", "cash"}
    card = tenders["card"]["card"]
    assert card["masked_pan"][:6].isdigit() and "*" in card["masked_pan"]
    assert sorted(a[2] for a in attempts(home)) == ["attached"] * 3
    # refund the tee to the original tenders: non-cash first
    rc, out, err = run(
        home,
        capsys,
        "return",
        "--user",
        "admin",
        "--receipt",
        str(sale["receipt_no"]),
        "--line",
        "2=1",
        "--refund",
        "original",
        "--json",
    )
    assert rc == 0, out + err
    refund = json.loads(out)
    assert refund["total_fen"] == -9900
    assert sum(p["amount_fen"] for p in refund["payments"]) == -9900
    assert all(p["tender"] != "cash" for p in refund["payments"])
    kinds = [a for a in attempts(home) if a[0] == "refund"]
    assert kinds and all(a[2] == "attached" for a in kinds)
    assert run(home, capsys, "journal", "verify")[0] == 0


def test_a_declined_card_leaves_no_sale_and_gives_back_what_was_taken(
    shop: tuple[Path, Rig], capsys: pytest.CaptureFixture[str]
) -> None:
    home, _rig = shop
    rc, _, err = run(
        home,
        capsys,
        "sale",
        "--user",
        "admin",
        "--scan",
        JACKET,
        "--pay",
        f"wechat:100.09:{wechat_code()}",
        "--pay",
        "card:198.91",
    )
    assert rc == 2 and ("拒" in err or "declin" in err.lower()), err
    c = sqlite3.connect(home / "till.db")
    assert c.execute("SELECT count(*) FROM sales").fetchone()[0] == 0
    c.close()
    states = {a[1]: a[2] for a in attempts(home)}
    assert states["wechat"] == "reversed"  # the wallet money already taken went back
    assert states["card"] == "declined"


def test_an_unconfigured_or_unreachable_tender_is_refused_at_once(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    assert main(["--home", str(till_home), "shift", "open", "--user", "admin", "--float", "0"]) == 0
    rc, _, err = run(
        till_home,
        capsys,
        "sale",
        "--user",
        "admin",
        "--scan",
        JACKET,
        "--pay",
        f"wechat:299.00:{wechat_code()}",
    )
    assert rc == 2 and "configure" in err
    rc, _, err = run(
        till_home, capsys, "sale", "--user", "admin", "--scan", JACKET, "--pay", "cash:299.00"
    )
    assert rc == 0, err  # cash always works
