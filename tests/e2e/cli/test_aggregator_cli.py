"""`guitai payments configure aggregator`, `guitai sale --pay code:…` and `guitai return` against
the aggregator emulator (the Upay terminal API, MD5-signed), through the real command line: each
wallet kind routed by its code's prefix, a split with cash, a refund, the scripted faults, and
the emulator's own start-up line."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import paths
import pytest
from aggregator_rig import (
    ACTIVATION_CODE,
    VENDOR_KEY,
    VENDOR_SN,
    code,
    fast_polling,
    start_emulator,
)

from drivers.aggregator.emulator import AggregatorEmulator
from pos_app.adapters.db.connection import open_database
from pos_app.cli import main

JACKET = "6901234567892"  # ¥299.00
TEE = "6901234567908"  # ¥99.00


def run(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    o = capsys.readouterr()
    return rc, o.out, o.err


@pytest.fixture
def shop(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[tuple[Path, AggregatorEmulator]]:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    emu = start_emulator()
    try:
        rc, out, err = run(
            till_home,
            capsys,
            "payments",
            "configure",
            "aggregator",
            "--url",
            emu.url,
            "--vendor-sn",
            VENDOR_SN,
            "--vendor-key",
            VENDOR_KEY,
            "--code",
            ACTIVATION_CODE,
            "--json",
        )
        assert rc == 0, err
        shown = json.loads(out)
        assert shown["settings"]["key"] == "********"
        (terminal_key,) = (keys[0] for keys in emu.terminals.values())
        assert terminal_key not in out + err
        raw = sqlite3.connect(till_home / "till.db")
        try:
            stored = raw.execute("SELECT settings FROM payment_providers").fetchone()[0]
        finally:
            raw.close()
        assert terminal_key not in stored  # sealed at rest
        fast_polling(till_home)
        assert run(till_home, capsys, "shift", "open", "--user", "admin", "--float", "0")[0] == 0
        yield till_home, emu
    finally:
        emu.stop()


def _sale(home: Path, capsys: pytest.CaptureFixture[str], *pays: str) -> tuple[int, str, str]:
    args = ["sale", "--user", "admin", "--scan", JACKET, "--scan", TEE]
    for p in pays:
        args += ["--pay", p]
    return run(home, capsys, *args, "--json")


def test_each_wallet_by_prefix_split_with_cash_then_refund_to_the_wallets(
    shop: tuple[Path, AggregatorEmulator], capsys: pytest.CaptureFixture[str]
) -> None:
    home, emu = shop
    rc, out, err = _sale(
        home,
        capsys,
        f"code:100.00:{code('wechat')}",
        f"code:100.00:{code('alipay')}",
        f"code:100.00:{code('unionpay')}",
        f"code:50.00:{code('ecny')}",
        "cash:48.00",
    )
    assert rc == 0, err
    sale = json.loads(out)
    tenders = {p["tender"]: p["amount_fen"] for p in sale["payments"]}
    assert tenders == {
        "wechat": 10000,
        "alipay": 10000,
        "unionpay": 10000,
        "ecny": 5000,
        "cash": 4800,
    }
    assert sorted(emu.wallets.values()) == ["alipay", "ecny", "unionpay", "wechat"]
    assert emu.paid_total() == 35000
    rc, text, err = run(home, capsys, "receipt", "show", str(sale["receipt_no"]))
    assert rc == 0, err
    for name in ("微信支付", "支付宝", "云闪付", "数字人民币"):  # the wallet, not the acquirer
        assert name in text
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
    assert sum(p["amount_fen"] for p in refund["payments"]) == -9900
    assert all(p["tender"] != "cash" for p in refund["payments"])
    assert emu.paid_total() == 35000 - 9900
    rc, out, err = run(
        home, capsys, "shift", "close", "--user", "admin", "--counted", "48.00", "--json"
    )
    assert rc == 0, out + err
    z = json.loads(out)
    assert set(z["by_tender"]) >= {"wechat", "alipay", "unionpay", "ecny", "cash"}, z


def test_explicit_wallet_names_and_a_code_of_no_wallet(
    shop: tuple[Path, AggregatorEmulator], capsys: pytest.CaptureFixture[str]
) -> None:
    home, emu = shop
    rc, out, err = _sale(
        home, capsys, f"unionpay:200.00:{code('unionpay', n=2)}", f"ecny:198.00:{code('ecny', n=2)}"
    )
    assert rc == 0, err
    assert {p["tender"] for p in json.loads(out)["payments"]} == {"unionpay", "ecny"}
    rc, out, err = _sale(home, capsys, "code:398.00:9912345678901234")
    assert rc == 2
    assert "云闪付" in out + err and "UnionPay QR" in out + err
    assert emu.paid_total() == 39800


@pytest.mark.parametrize(
    ("suffix", "paid", "calls"),
    [
        ("91", False, ["pay"]),  # declined
        ("93", True, ["pay", "query"]),  # in progress, then paid
        ("97", False, ["pay", "query", "reverse"]),  # in progress until the limit → cancel
        ("94", False, ["pay", "query"]),  # system error → query first (no such order)
    ],
    ids=["declined", "in_progress_then_paid", "in_progress_then_cancel", "system_error"],
)
def test_scripted_faults(
    shop: tuple[Path, AggregatorEmulator],
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    paid: bool,
    calls: list[str],
) -> None:
    home, emu = shop
    rc, out, err = _sale(home, capsys, f"code:398.00:{code('alipay', suffix)}")
    assert (rc == 0) is paid, out + err
    assert emu.paid_total() == (39800 if paid else 0)
    seen = [c for c in emu.calls if c != "checkin"]
    assert seen[0] == "pay" and set(seen) == set(calls)
    if not paid:
        assert "未扣款" in out + err and "nothing" in out + err  # bilingual: nothing charged


def test_unionpay_without_an_acquirer_is_refused_in_both_languages(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    assert run(till_home, capsys, "shift", "open", "--user", "admin", "--float", "0")[0] == 0
    rc, out, err = _sale(till_home, capsys, f"code:398.00:{code('unionpay')}")
    assert rc == 2
    assert "configure aggregator" in out + err and "云闪付" in out + err


def test_checkin_rotates_the_key_and_sales_go_on(
    shop: tuple[Path, AggregatorEmulator], capsys: pytest.CaptureFixture[str]
) -> None:
    home, emu = shop
    (before,) = (keys[0] for keys in emu.terminals.values())
    rc, out, err = run(home, capsys, "payments", "checkin", "--json")
    assert rc == 0, err
    (after,) = (keys[0] for keys in emu.terminals.values())
    assert after != before and after not in out + err
    assert _sale(home, capsys, f"code:398.00:{code('wechat', n=7)}")[0] == 0
    assert emu.terminals[next(iter(emu.terminals))] == [after]  # the old key is retired


def test_sigkill_between_approval_and_commit_is_recovered_without_double_charge(
    shop: tuple[Path, AggregatorEmulator], capsys: pytest.CaptureFixture[str]
) -> None:
    home, emu = shop
    opened = open_database(home / "till.db")
    opened.conn.execute("CREATE TABLE test_sales (id TEXT PRIMARY KEY, total_fen INTEGER)")
    opened.close()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(paths.ROOT), env.get("PYTHONPATH", "")])
    child = paths.SUPPORT / "payments_child.py"
    # A card terminal address that is never called: the child charges a WeChat code.
    argv = [sys.executable, str(child), str(home), "wechat", "3305", code("wechat", n=5)]
    proc = subprocess.Popen(
        [*argv, "zvt+tcp://127.0.0.1:9", "hold"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = ""
        while not line.startswith("APPROVED"):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert emu.paid_total() == 3305  # charged, and the sale never committed
    rc, out, err = run(home, capsys, "payments", "recover", "--void-unattached", "--json")
    assert rc == 0, err
    outcomes = json.loads(out)
    assert [o["action"] for o in outcomes] == ["reversed"]
    assert emu.paid_total() == 0  # the customer's money went back, once
    assert emu.calls.count("pay") == 1


def test_the_emulator_prints_its_test_credentials(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(paths.ROOT), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_app.cli", "emulate", "aggregator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        creds = proc.stdout.readline()
        assert first.startswith("Aggregator emulator on http://127.0.0.1:")
        fields = dict(part.split("=", 1) for part in creds.split())
        assert set(fields) == {"vendor_sn", "vendor_key", "activation_code"}
        assert fields["vendor_sn"] == "91800001" and len(fields["vendor_key"]) == 32
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def test_a_wrong_activation_code_is_refused_and_nothing_is_stored(
    till_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = start_emulator()
    try:
        rc, out, _err = run(
            till_home,
            capsys,
            "payments",
            "configure",
            "aggregator",
            "--url",
            emu.url,
            "--vendor-sn",
            VENDOR_SN,
            "--vendor-key",
            VENDOR_KEY,
            "--code",
            "00000000",
            "--json",
        )
    finally:
        emu.stop()
    assert rc == 2
    error = json.loads(out)["error"]
    assert "activation code" in error["message"] and "激活码" in error["message_zh"]
    rc, out, _ = run(till_home, capsys, "payments", "providers", "--json")
    assert rc == 0 and json.loads(out) == []
