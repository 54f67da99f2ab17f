"""Sale rules as the cashier meets them through `guitai`, on a real till folder: sale limits,
cash tendered, gifts, the combined discount limit, whole numbers and cash-move reasons."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cli_capture import opened, run  # noqa: F401 (opened: a fixture)

J = "6901234567892"  # 男士羊毛夹克 ¥299.00
T = "6901234567908"  # 纯棉T恤 ¥99.00


def count(home: Path, table: str) -> int:
    c = sqlite3.connect(home / "till.db")
    try:
        return int(c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        c.close()


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
    rc, _, err = run(
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


def test_pay_in_confirmation_is_bilingual(opened: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(
        opened, "shift", "pay-in", "100", "--user", "admin", "--reason", "换零钱", capsys=capsys
    )
    assert rc == 0, err
    assert "已记录存入 ¥100.00（换零钱）" in out and "Pay-in ¥100.00 recorded (换零钱)" in out
    assert "pay_in" not in out


# ---- the most one sale may hold, the most change (15.4) ---------------------------------------

FUR = "6909999999990"  # 皮草大衣 ¥99,999.00


def add_fur_coat(home: Path) -> None:
    c = sqlite3.connect(home / "till.db")
    with c:
        c.execute(
            "INSERT INTO skus(sku, style, name, price_fen, category, vat_rate_bp) "
            "VALUES('FUR-1', 'FUR', '皮草大衣', 9999900, '女装', 1300)"
        )
        c.execute("INSERT INTO barcodes(code, sku, kind) VALUES(?, 'FUR-1', 'ean13')", (FUR,))
    c.close()


@pytest.mark.parametrize("as_json", [False, True])
def test_a_sale_the_receipt_cannot_carry_is_refused_before_anything_is_written(
    opened: Path, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    add_fur_coat(opened)
    before = [count(opened, t) for t in ("sales", "journal", "outbox", "payments")]
    rc, out, err = run(
        opened,
        "sale",
        "--user",
        "admin",
        "--scan",
        FUR,
        "--qty",
        f"{FUR}=9999",  # ¥999,890,001.00: beyond the token's 2^31 fen
        "--pay",
        "cash:999890001",
        *(["--json"] if as_json else []),
        capsys=capsys,
    )
    assert rc == 2
    if as_json:
        body = json.loads(out)["error"]
        assert body["code"] == "rule_violation" and "单笔上限" in body["message_zh"]
    else:
        assert "单笔上限 ¥1000000.00" in err and "max_sale_total" in err
    assert [count(opened, t) for t in ("sales", "journal", "outbox", "payments")] == before


def test_the_brand_sets_the_limit_per_sale(
    opened: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(opened, "settings", "get", "max_sale_total", "--json", capsys=capsys)
    assert rc == 0 and json.loads(out)["value"] == "1000000.00", err
    for bad in ("0", "30000000", "lots"):
        rc, _, err = run(
            opened, "settings", "set", "--user", "admin", "max_sale_total", bad, capsys=capsys
        )
        assert rc == 2 and "max_sale_total" in err
    rc, _, err = run(
        opened, "settings", "set", "--user", "admin", "max_sale_total", "500", capsys=capsys
    )
    assert rc == 0, err
    rc, _, err = run(
        opened,
        "sale",
        "--user",
        "admin",
        "--scan",
        J,
        "--scan",
        J,
        "--pay",
        "cash:598",
        capsys=capsys,
    )
    assert rc == 2 and "超过单笔上限 ¥500.00" in err
    assert count(opened, "sales") == 0
    rc, _, err = run(
        opened, "sale", "--user", "admin", "--scan", J, "--pay", "cash:299", capsys=capsys
    )
    assert rc == 0, err


def test_cash_far_beyond_the_total_is_refused(
    opened: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(
        opened,
        "sale",
        "--user",
        "admin",
        "--scan",
        T,
        "--pay",
        "cash:999999999999",
        "--json",
        capsys=capsys,
    )
    assert rc == 2
    body = json.loads(out)["error"]
    assert "请核对实收金额" in body["message_zh"] and "change" in body["message"]
    assert count(opened, "sales") == 0
    rc, out, err = run(
        opened,
        "sale",
        "--user",
        "admin",
        "--scan",
        T,
        "--pay",
        "cash:1099",
        "--json",
        capsys=capsys,
    )
    assert rc == 0 and json.loads(out)["change_fen"] == 100_000, err


# ---- a gift at ¥0.00 (15.13) -----------------------------------------------------------------


def test_an_approved_gift_completes_without_a_payment(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_NEW_PIN", "4860")
    assert (
        run(till_home, "shift", "open", "--user", "admin", "--float", "100", capsys=capsys)[0] == 0
    )
    assert run(till_home, "user", "add", "li", "--role", "cashier", capsys=capsys)[0] == 0
    monkeypatch.setenv("GUITAI_PIN", "4860")
    monkeypatch.setenv("GUITAI_APPROVER_PIN", "7391")
    gift = ("sale", "--user", "li", "--scan", T, "--order-discount", "100%", "--reason", "赠品")
    rc, out, err = run(till_home, *gift, capsys=capsys)
    assert rc == 2 and "店长" in err  # a cashier gives no gift alone
    rc, out, err = run(till_home, *gift, "--approve", "admin", "--json", capsys=capsys)
    assert rc == 0, err
    p = json.loads(out)
    assert p["total_fen"] == 0 and p["payments"] == [] and p["approvals"][0]["approver"] == "admin"
    rc, text, err = run(till_home, "sales", "show", str(p["receipt_no"]), capsys=capsys)
    assert rc == 0 and "0.00" in text and "QR" in text, err
    rc, out, err = run(till_home, "journal", "verify", capsys=capsys)
    assert rc == 0, err
    rc, out, err = run(till_home, "sale", "--user", "li", "--scan", T, capsys=capsys)
    assert rc == 2 and "--pay cash:99.00" in err and "请加 --pay" in err


# ---- the cashier's limit over the sale's discounts together (15.14) ---------------------------


def test_line_and_order_discounts_together_need_a_manager_beyond_the_limit(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_NEW_PIN", "4860")
    assert (
        run(till_home, "shift", "open", "--user", "admin", "--float", "100", capsys=capsys)[0] == 0
    )
    assert run(till_home, "user", "add", "li", "--role", "cashier", capsys=capsys)[0] == 0
    monkeypatch.setenv("GUITAI_PIN", "4860")
    ring = ("sale", "--user", "li", "--scan", T, "--line-discount", f"{T}=10%")
    rc, out, err = run(
        till_home, *ring, "--order-discount", "10%", "--pay", "cash:100", "--json", capsys=capsys
    )
    assert rc == 2
    body = json.loads(out)["error"]
    assert body["code"] == "needs_approval" and "19%" in body["message"]
    assert count(till_home, "sales") == 0
    rc, out, err = run(till_home, *ring, "--pay", "cash:100", "--json", capsys=capsys)
    assert rc == 0 and json.loads(out)["total_fen"] == 8910, err


# ---- messages (16.19) --------------------------------------------------------------------------


def test_a_tender_not_set_up_names_the_command_that_sets_it_up(
    opened: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(
        opened,
        "sale",
        "--user",
        "admin",
        "--scan",
        T,
        "--pay",
        "card:99",
        "--json",
        capsys=capsys,
    )
    assert rc == 2
    body = json.loads(out)["error"]
    assert "guitai devices add" in body["message"] and "guitai devices add" in body["message_zh"]
    assert "银行卡" in body["message_zh"] and count(opened, "sales") == 0


def test_confirmations_are_in_chinese_and_english(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    monkeypatch.setenv("GUITAI_PIN", "7391")
    steps = [
        ("shift", "open", "--user", "admin", "--float", "500"),
        ("shift", "pay-out", "20", "--user", "admin", "--reason", "快递费"),
        ("shift", "no-sale", "--user", "admin"),
        ("journal", "verify"),
        ("backup", "--to", str(till_home.parent / "bk")),
        ("stock", "count", "start", "--user", "admin"),
        ("stock", "count", "cancel", "--user", "admin"),
        ("stock", "moves"),
        ("sync", "requeue", "--all"),
    ]
    for argv in steps:
        rc, out, err = run(till_home, *argv, capsys=capsys)
        assert rc == 0, (argv, err)
        assert re.search(r"[\u4e00-\u9fff]", out) and re.search(r"[A-Za-z]{4,}", out), (
            argv,
            out,
        )
        assert "pay_out" not in out and "no_sale" not in out
