"""Sale rules as the cashier meets them through `guitai`, on a real till folder: sale limits,
cash tendered, gifts, the combined discount limit, whole numbers and cash-move reasons."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pos_app.cli import main

J = "6901234567892"  # 男士羊毛夹克 ¥299.00
T = "6901234567908"  # 纯棉T恤 ¥99.00


def run(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def count(home: Path, table: str) -> int:
    c = sqlite3.connect(home / "till.db")
    try:
        return int(c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        c.close()


@pytest.fixture
def opened(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    monkeypatch.setenv("GUITAI_PIN", "1234")
    rc, _, err = run(
        till_home, "shift", "open", "--user", "admin", "--float", "500.00", capsys=capsys
    )
    assert rc == 0, err
    return till_home


def sold(home: Path, capsys: pytest.CaptureFixture[str]) -> int:
    rc, out, err = run(
        home, "sale", "--user", "admin", "--scan", T, "--pay", "cash:99", "--json", capsys=capsys
    )
    assert rc == 0, err
    return int(json.loads(out)["receipt_no"])


# ---- whole numbers (15.15) -------------------------------------------------------------------


@pytest.mark.parametrize("qty", ["²", "٣", "1²"])
def test_qty_in_another_script_is_the_whole_number_error(
    opened: Path, capsys: pytest.CaptureFixture[str], qty: str
) -> None:
    rc, out, err = run(
        opened,
        "sale",
        "--user",
        "admin",
        "--scan",
        T,
        "--qty",
        f"{T}={qty}",
        "--pay",
        "cash:500",
        capsys=capsys,
    )
    assert rc == 2, err
    assert "数量必须是整数" in err and "whole number" in err
    assert count(opened, "sales") == 0


def test_return_line_in_another_script_is_the_whole_number_error(
    opened: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    receipt = sold(opened, capsys)
    for item in ("1=²", "²=1"):
        rc, out, err = run(
            opened,
            "return",
            "--user",
            "admin",
            "--receipt",
            str(receipt),
            "--line",
            item,
            "--json",
            capsys=capsys,
        )
        assert rc == 2, err
        body = json.loads(out)["error"]
        assert body["code"] == "invalid_input" and "行号=数量" in body["message_zh"]
    assert count(opened, "sales") == 1


def test_payment_code_with_a_superscript_is_not_a_payment_code() -> None:
    from pos_app.domain.errors import InvalidInput
    from pos_app.domain.payments import check_payment_code

    with pytest.raises(InvalidInput):
        check_payment_code("wechat", "1²" + "3" * 16)
    with pytest.raises(InvalidInput):
        check_payment_code("alipay", "2²" + "3" * 16)


# ---- cash-move reasons (15.16) ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pay-in", "pay-out"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_pay_in_and_out_need_a_reason(
    opened: Path, capsys: pytest.CaptureFixture[str], kind: str, reason: str
) -> None:
    before = count(opened, "cash_moves")
    rc, out, err = run(
        opened, "shift", kind, "10.00", "--user", "admin", "--reason", reason, capsys=capsys
    )
    assert rc == 2, out
    assert "请填写原因" in err and "Give a reason" in err
    assert count(opened, "cash_moves") == before


def test_pay_in_confirmation_is_bilingual(
    opened: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(
        opened, "shift", "pay-in", "100", "--user", "admin", "--reason", "换零钱", capsys=capsys
    )
    assert rc == 0, err
    assert "已记录存入 ¥100.00（换零钱）" in out and "Pay-in ¥100.00 recorded (换零钱)" in out
    assert "pay_in" not in out
