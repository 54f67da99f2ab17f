"""The diagnostics bundle after a demo store day: device reports and sync status are in it, and
no full phone number, PIN, key or card number is."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from ops_cli import cli, drop_log_handlers

from drivers.escpos.emulator.printer import VirtualPrinter
from pos_app.cli import main


def test_demo_day_bundle_has_devices_sync_and_no_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pos_app.demo import day

    drop_log_handlers()  # a handler left by another test would log into another folder
    home = day.setup(tmp_path / "demo", skus=200, members=60)
    day.ring_day(home, tmp_path / "demo", sales=30)
    vp = VirtualPrinter(out_dir=tmp_path / "emu")
    try:
        uri = f"tcp://127.0.0.1:{vp.serve_tcp(0)}"
        assert (
            cli(capsys, home, "devices", "add", "receipt", "--kind", "printer", "--uri", uri)[0]
            == 0
        )
        rc, _ = cli(
            capsys,
            home,
            "devices",
            "add",
            "zvt",
            "--kind",
            "terminal",
            "--uri",
            "zvt+tcp://127.0.0.1:20007?password=271828",
            "--no-test",
        )
        assert rc == 0
        c = sqlite3.connect(home / "till.db")
        phones = [r[0] for r in c.execute("SELECT phone FROM members")]
        hashes = [r[0] for r in c.execute("SELECT pin_hash FROM users")]
        c.execute(
            "INSERT INTO payment_providers(name, url, settings, updated_at) VALUES('alipay', "
            '\'https://openapi.alipay.com/gateway.do\', \'{"app_id": "2021000000000001", '
            '"private_key_file": "/var/lib/guitai/keys/alipay.pem"}\', \'2026-01-01\')'
        )
        # A sync error text that quotes a member's phone, as a cloud might.
        c.execute(
            "INSERT INTO sync_state(key, value) VALUES('last_error', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (f"member {phones[0]} rejected",),
        )
        c.commit()
        c.close()
        assert len(phones) == 60
        out = tmp_path / "diag.zip"
        # The till's own log handler (set up by the command) for this till folder.
        from pos_app.logs import setup

        setup(home / "logs")
        logging.getLogger("ops.test").warning(
            "member %s paid with card 6222021234567890128 pin 8888", phones[1]
        )
        assert main(["--home", str(home), "diagnostics", "-o", str(out)]) == 0
    finally:
        vp.close()
        drop_log_handlers()

    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        blob = b"\n".join(z.read(n) for n in names).decode("utf-8")
        info = json.loads(z.read("diagnostics.json"))
    assert any(n.startswith("logs/") for n in names)
    devices = {d["name"]: d for d in info["devices"]}
    assert devices["receipt"]["state"] == "ok" and devices["receipt"]["kind"] == "printer"
    assert "password" not in devices["zvt"]["uri"]
    assert info["sync_status"]["enrolled"] is False and info["sync_status"]["pending"] > 0
    assert info["sync_status"]["last_error"].startswith("member 1")  # masked, kept
    assert info["schema"]["applied"] == info["schema"]["known"]
    assert info["counts"]["sales"] >= 20 and info["journal"]["ok"]

    key = (home / "keys" / "till_ed25519.pem").read_text().split("\n")[1]
    pepper = (home / "keys" / "pin_pepper.bin").read_bytes().hex()
    for phone in phones:
        assert phone not in blob, phone
    for secret in [*hashes, key, pepper, "6222021234567890128", "271828", "2021000000000001"]:
        assert secret not in blob
    for pin in ("8264", "1597", "2046"):  # the demo's PINs
        assert not re.search(rf"(?<![\d*]){pin}(?!\d)", blob), pin
    assert "138****" in blob or "139****" in blob or "****" in blob  # masked, still useful
