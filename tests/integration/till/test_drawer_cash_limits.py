"""No cash out of the drawer beyond what it should hold: a cash refund or a pay-out that would
take the shift's expected cash below zero is refused, in English and Chinese, with what to do,
and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pos_app.cli import main
from pos_app.domain.tenders import Tender
from pos_app.services.drawer import DrawerCashShort, expected_drawer_fen
from pos_app.services.handlers import refunds

TEE = "6901234567908"  # ¥99.00


def _sell(till: Any, user: Any) -> dict[str, Any]:
    s = till.sales.new_sale(user)
    till.sales.scan(s, TEE)
    till.checkout.pay(s, Tender.CASH, 9900)
    return dict(till.checkout.complete(s))


def _counts(till: Any) -> tuple[int, ...]:
    c = till.database.conn
    return tuple(
        c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("sales", "journal", "outbox", "cash_moves", "stock_moves")
    )


def test_a_cash_refund_beyond_the_drawer_is_refused_until_cash_is_paid_in(till: Any) -> None:
    user = till.users.authenticate("admin", "7391")
    till.shifts.open(user, 0)
    sale = _sell(till, user)
    till.shifts.cash_move(user, "pay_out", 9000, "bank deposit")
    assert till.shifts.x_report()["cash"]["expected_fen"] == 900
    before = _counts(till)
    with pytest.raises(DrawerCashShort) as info:
        till.checkout.refund(user, sale["receipt_no"], None, "cash", "too small")
    err = info.value
    assert err.code == "drawer_cash_short"
    assert "¥9.00" in err.message and "¥99.00" in err.message and "¥90.00 short" in err.message
    assert "pay cash into the drawer first" in err.message.lower()
    assert "钱箱现金不足" in err.message_zh and "先向钱箱存入现金" in err.message_zh
    assert "original" not in err.message  # it was a cash sale: only paying in helps
    assert _counts(till) == before  # nothing written
    till.shifts.cash_move(user, "pay_in", 9000, "change from the safe")
    refund = till.checkout.refund(user, sale["receipt_no"], None, "cash", "too small")
    assert refund["total_fen"] == -9900
    assert till.shifts.x_report()["cash"]["expected_fen"] == 0  # exactly empty is allowed


def test_a_pay_out_beyond_the_drawer_is_refused(till: Any) -> None:
    user = till.users.authenticate("admin", "7391")
    till.shifts.open(user, 10000)
    before = _counts(till)
    with pytest.raises(DrawerCashShort) as info:
        till.shifts.cash_move(user, "pay_out", 10001, "float to the bank")
    assert "¥100.00" in info.value.message and "at most ¥100.00" in info.value.message
    assert "先存入现金" in info.value.message_zh and "不超过 ¥100.00" in info.value.message_zh
    assert _counts(till) == before
    till.shifts.cash_move(user, "pay_out", 10000, "float to the bank")
    assert expected_drawer_fen(till.uow, till.shifts.current()) == 0
    with pytest.raises(DrawerCashShort):
        till.shifts.cash_move(user, "pay_out", 1, "one fen")
    till.shifts.cash_move(user, "no_sale", 0, "check the drawer")  # no cash out: allowed


def test_the_check_inside_the_commit_catches_a_pay_out_that_got_in_first(
    till: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refund's drawer check before its transaction passes; a pay-out commits in between
    (another cashier); the check inside the commit refuses, and the refund is rolled back."""
    user = till.users.authenticate("admin", "7391")
    till.shifts.open(user, 0)
    sale = _sell(till, user)
    real_check = refunds.check_drawer
    checks: list[int] = []

    def check_then_pay_out(*args: Any, **kw: Any) -> None:
        real_check(*args, **kw)
        if not checks:  # after the check before the transaction, before the refund's transaction
            checks.append(1)
            till.shifts.cash_move(user, "pay_out", 5000, "supplier")

    monkeypatch.setattr(refunds, "check_drawer", check_then_pay_out)
    before = _counts(till)
    with pytest.raises(DrawerCashShort):
        till.checkout.refund(user, sale["receipt_no"], None, "cash", "")
    after = _counts(till)
    assert after[0:2] == before[0:2] and after[3] == before[3] + 1  # only the pay-out
    assert till.shifts.x_report()["cash"]["expected_fen"] == 4900


def test_the_command_line_says_what_to_do(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    h = ["--home", str(till_home)]

    def run(*args: str) -> tuple[int, Any]:
        capsys.readouterr()
        rc = main([*h, *args])
        o = capsys.readouterr()
        text = o.out.strip()
        return rc, json.loads(text) if text.startswith(("{", "[")) else text + o.err

    assert run("shift", "open", "--user", "admin", "--float", "0")[0] == 0
    rc, sale = run("sale", "--user", "admin", "--scan", TEE, "--pay", "cash:99.00", "--json")
    assert rc == 0, sale
    assert run("shift", "pay-out", "50.00", "--user", "admin", "--reason", "x")[0] == 0
    rc, err = run("return", "--user", "admin", "--receipt", str(sale["receipt_no"]), "--json")
    assert rc == 2, err
    assert err["error"]["code"] == "drawer_cash_short"
    assert (
        "shift pay-in" in err["error"]["message"] and "钱箱现金不足" in err["error"]["message_zh"]
    )
    rc, text = run("return", "--user", "admin", "--receipt", str(sale["receipt_no"]))
    assert rc == 2 and "钱箱现金不足" in text and "Not enough cash in the drawer" in text
    rc, err = run("shift", "pay-out", "49.01", "--user", "admin", "--reason", "x", "--json")
    assert rc == 2 and err["error"]["code"] == "drawer_cash_short"
    assert run("shift", "pay-in", "50.00", "--user", "admin", "--reason", "safe")[0] == 0
    rc, refund = run("return", "--user", "admin", "--receipt", str(sale["receipt_no"]), "--json")
    assert rc == 0 and refund["total_fen"] == -9900
