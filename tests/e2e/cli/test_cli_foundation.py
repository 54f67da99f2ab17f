"""The `guitai` command as a technician or script uses it, on a real till folder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cli_capture import opened, run  # noqa: F401 (opened: a fixture)

J = "6901234567892"  # 男士羊毛夹克 ¥299.00
T = "6901234567908"  # 纯棉T恤 ¥99.00


def counts(home: Path) -> tuple[int, ...]:
    import sqlite3

    c = sqlite3.connect(home / "till.db")
    try:
        return tuple(
            c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("sales", "sale_lines", "payments", "journal", "outbox", "audit")
        )
    finally:
        c.close()


def test_init_creates_keys_readable_only_by_the_owner(
    till_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = till_home / "keys" / "till_ed25519.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((till_home / "keys" / "pin_pepper.bin").stat().st_mode) == 0o600
    rc, out, _ = run(till_home, "device", "show", "--json", capsys=capsys)
    info = json.loads(out)
    assert rc == 0 and info["store_id"] == "S001" and info["till_no"] == 1
    import base64
    import hashlib

    raw = base64.b64decode(info["public_key"])
    assert len(raw) == 32 and hashlib.sha256(raw).digest()[:4].hex() == info["key_id"]
    assert b"PRIVATE" not in out.encode()
    rc, _, err = run(
        till_home,
        "init",
        "--store-id",
        "S1",
        "--store-name",
        "x",
        "--till-no",
        "1",
        "--admin-pin",
        "7391",
        capsys=capsys,
    )
    assert rc == 2 and "already" in err


def test_users(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_NEW_PIN", "4860")
    rc, _, err = run(till_home, "user", "add", "li", "--role", "cashier", capsys=capsys)
    assert rc == 0, err
    rc, out, _ = run(till_home, "user", "list", "--json", capsys=capsys)
    assert {u["name"]: u["roles"] for u in json.loads(out)} == {
        "admin": ["manager", "technician"],
        "li": ["cashier"],
    }
    monkeypatch.setenv("GUITAI_PIN", "4860")
    rc, _, err = run(
        till_home, "user", "add", "zhao", "--role", "cashier", "--user", "li", capsys=capsys
    )
    assert rc == 2 and "manager" in err


def test_cash_sale_json(opened: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(
        opened,
        "sale",
        "--user",
        "admin",
        "--scan",
        J,
        "--scan",
        T,
        "--qty",
        f"{T}=2",
        "--pay",
        "cash:500",
        "--json",
        capsys=capsys,
    )
    assert rc == 0, err
    p = json.loads(out)
    assert p["receipt_no"] == 1 and p["total_fen"] == 29900 + 2 * 9900
    assert p["change_fen"] == 50000 - 49700
    assert [(ln["sku"], ln["qty"]) for ln in p["lines"]] == [
        ("QP-2026-001-BLK-L", 1),
        ("QP-2026-002-WHT-M", 2),
    ]
    assert p["tax"] == [{"rate_bp": 1300, "gross_fen": 49700, "vat_fen": 5718}]
    assert len(p["entry_hash"]) == 64


def test_sale_prints_the_receipt_with_its_qr(
    opened: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(
        opened, "sale", "--user", "admin", "--scan", J, "--pay", "cash:300", capsys=capsys
    )
    # not enrolled and no --ereceipt-base-url: the QR is the bare token (issue 19, no dead link)
    assert rc == 0 and "男士羊毛夹克" in out and "R.EXAMPLE.COM" not in out
    assert "电子小票开通后可扫码查看" in out
    url = out.split("[QR ")[1].split("]")[0]
    rc, out, _ = run(opened, "receipt", "verify", url, "--json", capsys=capsys)
    v = json.loads(out)
    assert rc == 0 and v["valid"] and v["receipt_no"] == 1 and v["local_sale"]["matches"]


def test_discount_beyond_limit_needs_an_approver(
    opened: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_NEW_PIN", "5203")
    assert run(opened, "user", "add", "li", "--role", "cashier", capsys=capsys)[0] == 0
    monkeypatch.setenv("GUITAI_PIN", "5203")
    before = counts(opened)
    rc, _, err = run(
        opened,
        "sale",
        "--user",
        "li",
        "--scan",
        J,
        "--order-discount",
        "20%",
        "--pay",
        "cash:300",
        capsys=capsys,
    )
    assert rc == 2 and "--approve" in err and "店长" in err
    assert counts(opened) == before
    monkeypatch.setenv("GUITAI_APPROVER_PIN", "7391")
    rc, out, err = run(
        opened,
        "sale",
        "--user",
        "li",
        "--scan",
        J,
        "--order-discount",
        "20%",
        "--approve",
        "admin",
        "--reason",
        "VIP",
        "--pay",
        "cash:300",
        "--json",
        capsys=capsys,
    )
    assert rc == 0, err
    p = json.loads(out)
    assert p["approvals"] == [{"action": "discount", "approver": "admin", "reason": "VIP"}]
    assert p["total_fen"] == 29900 - 5980
    import sqlite3

    c = sqlite3.connect(opened / "till.db")
    assert c.execute("SELECT action, user, approver, reason FROM audit").fetchall() == [
        ("discount", "li", "admin", "VIP")
    ]
    assert c.execute("SELECT count(*) FROM outbox WHERE type = 'audit.override'").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--scan", "6909999999996", "--pay", "cash:10"], "check the label"),
        (["--scan", "6901234567893", "--pay", "cash:10"], "check digit"),
        (["--scan", J, "--pay", "cash:100"], "still due"),
        (["--scan", J, "--pay", "cash:abc"], "not an amount"),
        (["--scan", J, "--pay", "bitcoin:300"], "Unknown tender"),
        (["--scan", J, "--qty", f"{J}=0", "--pay", "cash:300"], "Quantity"),
        (
            ["--scan", J, "--line-discount", f"{J}=300.00", "--pay", "cash:300"],
            "more than the line",
        ),
    ],
)
def test_bad_sales_say_what_to_do_and_change_nothing(
    opened: Path, args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = counts(opened)
    rc, _, err = run(opened, "sale", "--user", "admin", *args, capsys=capsys)
    assert rc == 2 and words in err and "错误" in err
    assert counts(opened) == before


def test_wrong_pin_changes_nothing(
    opened: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = counts(opened)
    monkeypatch.setenv("GUITAI_PIN", "9472")
    rc, out, _ = run(
        opened, "sale", "--user", "admin", "--scan", J, "--pay", "cash:300", "--json", capsys=capsys
    )
    assert rc == 2 and json.loads(out)["error"]["code"] == "access_denied"
    assert counts(opened) == before


def test_returns(opened: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        opened,
        "sale",
        "--user",
        "admin",
        "--scan",
        J,
        "--scan",
        T,
        "--qty",
        f"{T}=3",
        "--pay",
        "cash:600",
        capsys=capsys,
    )
    before = counts(opened)
    rc, _, err = run(
        opened, "return", "--user", "admin", "--receipt", "1", "--line", "2=4", capsys=capsys
    )
    assert rc == 2 and "only 3 of 3" in err
    assert counts(opened) == before
    rc, out, err = run(
        opened,
        "return",
        "--user",
        "admin",
        "--receipt",
        "1",
        "--line",
        "2=2",
        "--refund",
        "cash",
        "--json",
        capsys=capsys,
    )
    assert rc == 0, err
    r = json.loads(out)
    assert r["receipt_no"] == 2 and r["total_fen"] == -19800
    rc, _, err = run(
        opened, "return", "--user", "admin", "--receipt", "1", "--line", "2=2", capsys=capsys
    )
    assert rc == 2 and "only 1 of 3" in err
    rc, _, err = run(opened, "return", "--user", "admin", "--receipt", "42", capsys=capsys)
    assert rc == 2 and "42" in err


def test_shift_day(opened: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(opened, "sale", "--user", "admin", "--scan", J, "--pay", "cash:300", capsys=capsys)
    assert (
        run(opened, "shift", "pay-in", "100", "--user", "admin", "--reason", "零钱", capsys=capsys)[
            0
        ]
        == 0
    )
    assert (
        run(
            opened,
            "shift",
            "pay-out",
            "50.50",
            "--user",
            "admin",
            "--reason",
            "快递费",
            capsys=capsys,
        )[0]
        == 0
    )
    assert run(opened, "shift", "no-sale", "--user", "admin", capsys=capsys)[0] == 0
    rc, out, _ = run(opened, "report", "x", "--json", capsys=capsys)
    x = json.loads(out)
    assert x["kind"] == "X" and x["cash"]["expected_fen"] == 50000 + 29900 + 10000 - 5050
    rc, out, _ = run(
        opened, "shift", "close", "--user", "admin", "--counted", "848.50", capsys=capsys
    )
    assert rc == 0 and "Z" in out and "848.50" in out
    day = x["business_day"]
    rc, out, _ = run(opened, "report", "z", "--day", day, "--json", capsys=capsys)
    z = json.loads(out)
    assert z["z_no"] == 1 and z["cash"]["difference_fen"] == 0
    assert z["by_cashier"]["admin"]["no_sale_opens"] == 1
    rc, _, err = run(
        opened, "sale", "--user", "admin", "--scan", J, "--pay", "cash:300", capsys=capsys
    )
    assert rc == 2 and "shift open" in err
    rc, out, _ = run(opened, "sales", "list", "--json", capsys=capsys)
    assert [s["receipt_no"] for s in json.loads(out)] == [1]


def test_the_console_script_runs_and_reports_errors_plainly(tmp_path: Path) -> None:
    env = dict(os.environ, GUITAI_HOME=str(tmp_path / "nothing"))
    r = subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "report", "x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "guitai init" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0 and "guitai" in r.stdout


def test_the_selftest_passes_and_exits_cleanly_with_its_qt_check(tmp_path: Path) -> None:
    """Its Qt check makes the application object, which must be made on the main thread: made
    on the command's database thread the process answered every check, then died (SIGSEGV)."""
    env = dict(os.environ, GUITAI_HOME=str(tmp_path / "till"), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "selftest", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    report = json.loads(r.stdout)
    assert report["ok"] is True
    assert {"check": "qt", "ok": True, "platform": "offscreen"} in report["checks"]
