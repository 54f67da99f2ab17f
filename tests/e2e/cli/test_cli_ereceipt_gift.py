"""No dead link and gift receipts at the till (issue 19, items 7 and 9): `guitai init
--ereceipt-base-url`, the verify-only QR of a till without an e-receipt address, and
`guitai receipt show NO --gift` with its version 2 token, read back as the printer prints it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cli_capture import run
from receipts_escpos_reader import read

from receipts import token as tk

J = "6901234567892"  # 男士羊毛夹克 ¥299.00
T = "6901234567908"  # 纯棉T恤 ¥99.00
PLACEHOLDER = "R.EXAMPLE.COM"
NO_ADDRESS_LINE = "电子小票开通后可扫码查看"


def init(home: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    args = ["init", "--store-id", "S001", "--store-name", "静安嘉里店", "--till-no", "1"]
    return run(home, *args, "--admin-pin", "7391", *extra, capsys=capsys)


def sell(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> tuple[int, str]:
    """A shift and one sale of 299 + 2 × 99 paid in cash: (receipt number, receipt text)."""
    from conftest_catalog_seed import seed

    from pos_app.adapters.db.connection import open_database

    db = open_database(home / "till.db")
    seed(db.conn)
    db.close()
    monkeypatch.setenv("GUITAI_PIN", "7391")
    assert run(home, "shift", "open", "--user", "admin", "--float", "500", capsys=capsys)[0] == 0
    rc, out, err = run(
        home,
        "sale",
        "--user",
        "admin",
        "--scan",
        J,
        "--scan",
        T,
        "--scan",
        T,
        "--pay",
        "cash:500",
        capsys=capsys,
    )
    assert rc == 0, err
    return 1, out


def qr_of(text: str) -> str:
    (qr,) = re.findall(r"\[QR ([^\]]+)\]", text)
    return qr


def test_init_without_an_address_warns_and_receipts_carry_a_verifiable_bare_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "till"
    rc, out, err = init(home, capsys=capsys)
    assert rc == 0
    assert (
        "未设置电子小票网址" in err
        and "No e-receipt address" in err
        and "--ereceipt-base-url" in err
    )
    no, text = sell(home, monkeypatch, capsys)
    assert PLACEHOLDER not in text and NO_ADDRESS_LINE in text
    qr = qr_of(text)
    assert len(qr) == tk.TOKEN_CHARS and "/" not in qr  # the token alone: no link to nowhere
    rc, out, _ = run(home, "receipt", "verify", qr, "--json", capsys=capsys)
    v = json.loads(out)
    assert rc == 0 and v["valid"] and v["receipt_no"] == no and v["local_sale"]["matches"]
    # the printed bytes, decoded as the printer reads them, say the same
    out_file = tmp_path / "r.bin"
    rc, _, _ = run(
        home, "receipt", "show", str(no), "--format", "escpos", "-o", str(out_file), capsys=capsys
    )
    printed = read(out_file.read_bytes())
    assert printed.native_qr == [qr]
    assert NO_ADDRESS_LINE in "".join(printed.lines)
    assert PLACEHOLDER.encode() not in out_file.read_bytes()


def test_init_json_names_the_missing_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = init(tmp_path / "till", "--json", capsys=capsys)
    info = json.loads(out)
    assert rc == 0 and info["ereceipt_base_url"] is None
    assert len(info["warnings"]) == 1 and NO_ADDRESS_LINE in info["warnings"][0]


def test_init_with_an_address_stores_it_upper_case_and_the_qr_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "till"
    rc, out, err = init(
        home, "--ereceipt-base-url", "https://r.brand.cn/r", "--json", capsys=capsys
    )
    assert rc == 0 and "warning" not in err
    info = json.loads(out)
    assert info["ereceipt_base_url"] == "HTTPS://R.BRAND.CN/R/" and info["warnings"] == []
    rc, out, _ = run(home, "device", "show", "--json", capsys=capsys)
    assert json.loads(out)["ereceipt_base_url"] == "HTTPS://R.BRAND.CN/R/"
    _, text = sell(home, monkeypatch, capsys)
    qr = qr_of(text)
    assert qr.startswith("HTTPS://R.BRAND.CN/R/") and NO_ADDRESS_LINE not in text
    assert "微信扫码 查看电子小票" in text
    assert tk.qr_version(qr) == 7


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://r.brand.cn/r/",
        "r.brand.cn/r/",
        "https://r.brand.cn/r/?store=1",
        "https://r.brand.cn/收据/",
        "https://" + "r" * 80 + ".cn/r/",
    ],
)
def test_init_refuses_an_unusable_address_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    home = tmp_path / "till"
    rc, out, _ = init(home, "--ereceipt-base-url", bad, "--json", capsys=capsys)
    assert rc == 2
    e = json.loads(out)["error"]
    assert e["code"] == "invalid_input"
    assert "--ereceipt-base-url" in e["message"] and "HTTPS://R.BRAND.CN/R/" in e["message"]
    assert "网址" in e["message_zh"]
    assert not (home / "till.db").exists()


def test_gift_receipt_shows_no_money_and_carries_the_version_2_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "till"
    assert init(home, "--ereceipt-base-url", "HTTPS://R.BRAND.CN/R/", capsys=capsys)[0] == 0
    no, _ = sell(home, monkeypatch, capsys)
    rc, text, _ = run(home, "receipt", "show", str(no), "--gift", capsys=capsys)
    assert rc == 0 and "礼品小票" in text and "男士羊毛夹克" in text
    assert not re.search(r"\d+\.\d\d", text)
    for word in ("应收", "实收", "找零", "现金", "合计", "￥"):
        assert word not in text
    qr = qr_of(text)
    fields = tk.decode_token(qr)
    assert fields.version == 2 and fields.total_fen == 0 and fields.receipt_no == no
    out_file = tmp_path / "gift.bin"
    rc, _, _ = run(
        home,
        "receipt",
        "show",
        str(no),
        "--gift",
        "--format",
        "escpos",
        "-o",
        str(out_file),
        capsys=capsys,
    )
    printed = read(out_file.read_bytes())
    lines = "\n".join(printed.lines)
    assert "礼品小票" in lines and not re.search(r"\d+\.\d\d", lines) and "找零" not in lines
    assert printed.native_qr == [qr]
    # any till verifies it and finds the sale (for an exchange), though it names no total
    rc, out, _ = run(home, "receipt", "verify", qr, "--json", capsys=capsys)
    v = json.loads(out)
    assert rc == 0 and v["valid"] and v["gift"] and v["total_fen"] == 0
    assert v["local_sale"]["matches"]
    rc, out, _ = run(home, "receipt", "verify", qr, capsys=capsys)
    assert rc == 0 and "gift receipt 礼品小票" in out and "matches the local sale" in out
    # the normal receipt of the same sale still carries the version 1 token with its total
    rc, text, _ = run(home, "receipt", "show", str(no), capsys=capsys)
    assert tk.decode_token(qr_of(text)).total_fen == 29900 + 2 * 9900


def test_status_bar_warns_a_till_without_address_or_enrolment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build, register_probes, shutdown
    from pos_app.config import Paths
    from pos_app.services.device_status import DeviceState

    states = {}
    for name, extra in (("bare", ()), ("addressed", ("--ereceipt-base-url", "HTTPS://R.X.CN/R/"))):
        home = tmp_path / name
        assert init(home, *extra, capsys=capsys)[0] == 0
        paths = Paths(home)
        db = open_database(paths.database)
        till = build(paths, db)
        try:
            register_probes(till, ttl_s=600.0)
            states[name] = till.devices._probes["sync"].refresh_now()
        finally:
            shutdown(till)
    bare = states["bare"]
    assert bare.state is DeviceState.WARNING and bare.label_zh == "未注册"
    assert NO_ADDRESS_LINE in bare.reason_zh and "e-receipt address" in bare.reason
    assert "guitai enroll" in bare.fix
    assert states["addressed"].state is DeviceState.NOT_CONFIGURED
