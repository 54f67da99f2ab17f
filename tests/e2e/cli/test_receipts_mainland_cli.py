"""Receipts and reports in mainland usage (issue 23, item 4), through the command line against
the ZVT card terminal's and the aggregator acquirer's emulators: a UnionPay card prints as
银联卡 尾号8599 (not 银行卡 UnionPay), each wallet by its own name with the acquirer's
transaction number whole on one line (a customer's dispute names it), nothing running into an
amount at 58 or 80 mm, and the X/Z tenders split by wallet."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from aggregator_rig import (
    ACTIVATION_CODE,
    VENDOR_KEY,
    VENDOR_SN,
    code,
    fast_polling,
    start_emulator,
)
from receipts_escpos_reader import read

from drivers.aggregator.emulator import AggregatorEmulator
from drivers.zvt.emulator import ZvtEmulator, ZvtEmulatorConfig
from pos_app.cli import main

JACKET, TEE = "6901234567892", "6901234567908"  # ¥299.00, ¥99.00


def run(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    out = capsys.readouterr()
    assert rc == 0, out.out + out.err
    return out.out


@pytest.fixture
def shop(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[tuple[Path, AggregatorEmulator]]:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    agg: AggregatorEmulator = start_emulator()
    zvt = ZvtEmulator(config=ZvtEmulatorConfig(step_delay=0.01)).start()
    try:
        args = ["--url", agg.url, "--vendor-sn", VENDOR_SN, "--vendor-key", VENDOR_KEY]
        run(
            till_home,
            capsys,
            "payments",
            "configure",
            "aggregator",
            *args,
            "--code",
            ACTIVATION_CODE,
        )
        fast_polling(till_home)
        run(till_home, capsys, "devices", "add", "T1", "--kind", "terminal", "--uri", zvt.uri)
        run(till_home, capsys, "shift", "open", "--user", "admin", "--float", "0")
        yield till_home, agg
    finally:
        zvt.stop()
        agg.stop()


def _refs(home: Path) -> dict[str, str]:
    raw = sqlite3.connect(home / "till.db")
    try:
        rows = raw.execute(
            "SELECT tender, coalesce(provider_ref, terminal_ref) FROM payment_attempts "
            "WHERE state = 'attached'"
        ).fetchall()
    finally:
        raw.close()
    return {t: str(r) for t, r in rows}


def test_card_and_wallets_print_as_mainland_receipts_do_at_58_and_80_mm(
    shop: tuple[Path, AggregatorEmulator], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    home = shop[0]
    sale = ["sale", "--user", "admin", "--scan", JACKET, "--scan", TEE]
    pays = ["card:200.00", f"code:100.00:{code('unionpay')}", f"code:98.00:{code('wechat')}"]
    done = json.loads(run(home, capsys, *sale, *[x for p in pays for x in ("--pay", p)], "--json"))
    no = str(done["receipt_no"])
    refs = _refs(home)
    assert set(refs) == {"card", "unionpay", "wechat"} and all(refs.values())

    text = run(home, capsys, "receipt", "show", no, "--paper", "58")
    assert "银联卡 尾号8599" in text and "UnionPay" not in text and "银行卡" not in text
    assert "云闪付" in text and "微信支付" in text and "交易单号" in text

    for mm, columns in ((58, 32), (80, 48)):
        out = tmp_path / f"r{mm}.bin"
        run(home, capsys, "receipt", "show", no, "--format", "escpos", "--paper", str(mm),
            "-o", str(out))  # fmt: skip
        lines = read(out.read_bytes()).lines
        assert all(len(x.encode("gb18030")) <= columns for x in lines), lines
        for tender, ref in refs.items():  # each acquirer's number whole, on one line
            assert sum(ref in x for x in lines) == 1, (mm, tender, ref, lines)
        card = [x for x in lines if "8599" in x]
        assert len(card) == 1 and not re.search(r"8599 {0,3}\d", card[0])
        for line in lines:  # no label runs into an amount: at least one space before it
            assert not re.search(r"[^\s\d.\-￥¥:：]\d+\.\d\d$", line.strip()), line

    x = json.loads(run(home, capsys, "report", "x", "--json"))
    assert {t: v["net_fen"] for t, v in x["by_tender"].items()} == {
        "card": 20_000,
        "unionpay": 10_000,
        "wechat": 9_800,
    }
    paper = run(home, capsys, "report", "x")
    assert "银行卡 ×1" in paper and "云闪付 ×1" in paper and "微信支付 ×1" in paper


def test_returns_after_the_z_go_back_to_each_wallet_part_then_the_rest(
    shop: tuple[Path, AggregatorEmulator], capsys: pytest.CaptureFixture[str]
) -> None:
    home, agg = shop
    sale = ["sale", "--user", "admin", "--scan", JACKET, "--scan", TEE]
    pays = [
        f"code:100.00:{code('unionpay', n=1)}",
        f"code:100.00:{code('ecny', n=2)}",
        f"code:99.00:{code('alipay', n=3)}",
        f"code:99.00:{code('wechat', n=4)}",
    ]
    done = json.loads(run(home, capsys, *sale, *[x for p in pays for x in ("--pay", p)], "--json"))
    no = str(done["receipt_no"])
    run(home, capsys, "shift", "close", "--user", "admin", "--counted", "0")  # the day's Z
    run(home, capsys, "shift", "open", "--user", "admin", "--float", "0")  # the next day
    back = ["return", "--user", "admin", "--receipt", no, "--refund", "original", "--json"]
    first = json.loads(run(home, capsys, *back, "--line", "2=1"))  # the T-shirt, ¥99.00
    assert sum(p["amount_fen"] for p in first["payments"]) == -9_900
    rest = json.loads(run(home, capsys, *back, "--line", "1=1"))  # then the jacket
    assert sum(p["amount_fen"] for p in rest["payments"]) == -29_900
    assert all(p["tender"] != "cash" for p in first["payments"] + rest["payments"])
    # every wallet got back what it paid, through the acquirer that took it
    assert {agg.wallets[sn]: sum(t.refunds.values()) for sn, t in agg.trades.items()} == {
        "unionpay": 10_000,
        "ecny": 10_000,
        "alipay": 9_900,
        "wechat": 9_900,
    }
    text = run(home, capsys, "receipt", "show", str(rest["receipt_no"]))
    assert "交易单号" in text
