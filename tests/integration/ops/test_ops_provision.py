"""Setting up tills: `guitai provision` end to end (virtual printer on loopback, the reference
cloud on loopback), `guitai settings` with validation, export without secrets, import."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from driver_fixtures import vprinter  # noqa: F401
from ops_cli import cli

from drivers.escpos.emulator.printer import VirtualPrinter

ADMIN = "4860"


@pytest.fixture(autouse=True)
def admin_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    """`settings set` and `settings import` are signed by a manager or technician."""
    monkeypatch.setenv("GUITAI_PIN", ADMIN)


class LocalCloud:
    def __init__(self, path: Path) -> None:
        from cloud.app import create_app
        from cloud.db import CloudDB
        from cloud.ereceipt import CloudConfig
        from cloud.server import ThreadedServer
        from cloud.service import CloudService

        self.db = CloudDB(str(path))
        self.service = CloudService(self.db, ereceipt_base_url="")
        cfg = CloudConfig(brand_name="青衫", account_name="青衫服饰", join_url="")
        self.server = ThreadedServer(create_app(self.service, config=cfg))
        self.server.start()
        self.url = self.server.url
        self.service.ereceipt_base_url = self.url.upper() + "/R/"

    def code(self, store_id: str) -> str:
        self.service.admin.add_store(store_id, "静安嘉里店")
        return str(self.service.admin.enrollment_code(store_id, timedelta(hours=1))["code"])

    def close(self) -> None:
        self.server.stop()
        self.db.close()


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[LocalCloud]:
    c = LocalCloud(tmp_path / "cloud.db")
    try:
        yield c
    finally:
        c.close()


def _provision(capsys: pytest.CaptureFixture[str], home: Path, *extra: str) -> tuple[int, Any]:
    return cli(
        capsys,
        home,
        "provision",
        "--store-id",
        "S001",
        "--store-name",
        "静安嘉里店",
        "--till-no",
        "1",
        "--admin-pin",
        ADMIN,
        *extra,
    )


def test_provision_sets_up_a_till_in_one_command(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    vprinter: VirtualPrinter,
    cloud: LocalCloud,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "till"
    uri = f"tcp://127.0.0.1:{vprinter.serve_tcp(0)}"
    rc, out = _provision(
        capsys,
        home,
        "--cloud",
        cloud.url,
        "--code",
        cloud.code("S001"),
        "--printer",
        uri,
        "--cash-rounding",
        "jiao",
        "--printer-profile",
        "generic-80-gb18030",
        "--receipt-language",
        "zh-Hant",
    )
    assert rc == 0, out
    steps = {s["step"]: s for s in out["steps"]}
    assert list(steps) == ["init", "defaults", "enroll", "printer", "printer test"]
    assert steps["printer test"]["state"] == "ok" and steps["printer test"]["test_page"] == "done"
    job = vprinter.wait_for_jobs(1)[0]
    assert job["qr"], "the test page carries a QR"
    assert any("测试" in line or "TEST" in line.upper() for line in job["text_lines"])

    rc, listed = cli(capsys, home, "settings", "list")
    values = {r["key"]: r["value"] for r in listed}
    assert values["cash_rounding"] == "jiao" and values["receipt_language"] == "zh-Hant"
    assert values["device_id"] and values["cloud_url"] == cloud.url.rstrip("/")
    monkeypatch.setenv("GUITAI_PIN", ADMIN)
    rc, users = cli(capsys, home, "user", "list")
    assert [u["name"] for u in users] == ["admin"]

    # Again (e.g. after fixing a problem): what is done is skipped, the printer is tested again.
    rc, again = _provision(capsys, home, "--printer", uri)
    assert rc == 0, again
    steps = {s["step"]: s for s in again["steps"]}
    assert steps["init"]["skipped"] and steps["printer"]["skipped"]
    assert steps["printer test"]["test_page"] == "done"


def test_provision_checks_everything_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "till"
    rc, out = _provision(capsys, home, "--cash-rounding", "jiao", "--printer-profile", "nope")
    assert rc == 2 and "printer_profile" in out["error"]["message"]
    assert not (home / "till.db").exists()
    rc, out = _provision(capsys, home, "--printer", "lpt1")
    assert rc == 2 and not (home / "till.db").exists()
    rc, out = cli(capsys, home, "provision", "--store-id", "S001")
    assert rc == 2 and "--store-name" in out["error"]["message"]
    rc, out = _provision(capsys, home, "--cloud", "http://127.0.0.1:9")
    assert rc == 2 and "--code" in out["error"]["message"]


def test_provision_without_a_printer_found_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path / "till"
    rc, out = _provision(capsys, home, "--discover", "--tcp", f"127.0.0.1:{port}")
    # Discovery may list a network address that does not answer; then adding it fails.
    assert rc == 2
    assert out["error"]["message"]
    assert (home / "till.db").exists()  # the steps before are done; provision can run again


def test_settings_get_set_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "till"
    assert _provision(capsys, home)[0] == 0
    rc, got = cli(capsys, home, "settings", "get", "backup_interval_hours")
    assert rc == 0 and got == {"key": "backup_interval_hours", "value": "24", "default": True}
    assert (
        cli(capsys, home, "settings", "set", "--user", "admin", "backup_interval_hours", "6")[1][
            "value"
        ]
        == "6"
    )
    assert cli(capsys, home, "settings", "get", "backup_interval_hours")[1]["value"] == "6"
    for key, value, word in (
        ("cash_rounding", "fen", "cash_rounding"),
        ("timezone", "Mars/Olympus", "time zone"),
        ("printer_profile", "epson", "generic-80-gb18030"),
        ("backup_interval_hours", "200", "168"),
        ("backup_second_location", "relative/dir", "absolute"),
        ("discount_limits", '{"cashier": 20000}', "10000"),
        ("store_name", "", "empty"),
        ("no_such_setting", "1", "Unknown setting"),
        ("store_id", "S999", "identity"),
        ("device_id", "x", "identity"),
    ):
        rc, out = cli(capsys, home, "settings", "set", "--user", "admin", key, value)
        assert rc == 2, (key, value)
        assert word in out["error"]["message"], out
        assert out["error"]["message_zh"]
    assert cli(capsys, home, "settings", "get", "cash_rounding")[1]["value"] == "none"
    rc, out = cli(
        capsys, home, "settings", "set", "--user", "admin", "discount_limits", '{"cashier": 1500}'
    )
    assert rc == 0 and json.loads(out["value"]) == {"cashier": 1500}


def _secrets_of(home: Path) -> list[str]:
    c = sqlite3.connect(home / "till.db")
    try:
        hashes = [r[0] for r in c.execute("SELECT pin_hash FROM users")]
    finally:
        c.close()
    key = (home / "keys" / "till_ed25519.pem").read_text().split("\n")[1]
    pepper = (home / "keys" / "pin_pepper.bin").read_bytes().hex()
    return [*hashes, key, pepper]


def test_export_has_no_secrets_and_imports_into_the_next_till(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    vprinter: VirtualPrinter,
) -> None:
    first = tmp_path / "till1"
    uri = f"tcp://127.0.0.1:{vprinter.serve_tcp(0)}"
    assert _provision(capsys, first, "--printer", uri, "--no-test-page")[0] == 0
    for key, value in (
        ("cash_rounding", "yuan"),
        ("backup_second_location", "/media/usb/guitai"),
        ("store_phone", "021-62881234"),
    ):
        assert cli(capsys, first, "settings", "set", "--user", "admin", key, value)[0] == 0
    rc, _ = cli(
        capsys,
        first,
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
    rc, _ = cli(
        capsys,
        first,
        "devices",
        "add",
        "drawer",
        "--kind",
        "drawer",
        "--uri",
        uri,
        "--set",
        "drawer_pin=5",
        "--set",
        "printer=receipt",
        "--no-test",
    )
    assert rc == 0
    c = sqlite3.connect(first / "till.db")
    c.execute(
        "INSERT INTO payment_providers(name, url, settings, updated_at) VALUES('wechat', "
        '\'https://api.mch.weixin.qq.com\', \'{"key": "WECHAT-SECRET-KEY-0123", '
        '"mch_id": "1900000109"}\', \'2026-01-01\')'
    )
    c.execute("INSERT INTO settings(key, value) VALUES('device_id', 'dev-abc'), ('key_id', 'k1')")
    c.commit()
    c.close()

    out_file = tmp_path / "store-S001.json"
    rc, summary = cli(capsys, first, "settings", "export", "-o", str(out_file))
    assert rc == 0 and set(summary["devices"]) == {"receipt", "zvt", "drawer"}
    text = out_file.read_text("utf-8")
    for secret in [*_secrets_of(first), "271828", "WECHAT-SECRET-KEY-0123", "1900000109"]:
        assert secret not in text
    doc = json.loads(text)
    assert "till_no" not in doc["settings"] and "device_id" not in doc["settings"]
    assert doc["settings"]["cash_rounding"] == "yuan"
    assert "password" not in json.dumps(doc["devices"])
    drawer = next(d for d in doc["devices"] if d["name"] == "drawer")
    assert drawer["settings"] == {"drawer_pin": 5, "printer": "receipt"}  # a pin, not a PIN

    second = tmp_path / "till2"
    rc, _ = cli(
        capsys,
        second,
        "init",
        "--store-id",
        "S001",
        "--store-name",
        "静安嘉里店",
        "--till-no",
        "2",
        "--admin-pin",
        ADMIN,
    )
    assert rc == 0
    rc, result = cli(capsys, second, "settings", "import", "--user", "admin", str(out_file))
    assert rc == 0, result
    assert set(result["devices_added"]) == {"receipt", "zvt", "drawer"}
    got = {r["key"]: r["value"] for r in cli(capsys, second, "settings", "list")[1]}
    assert got["cash_rounding"] == "yuan" and got["store_phone"] == "021-62881234"
    assert got["till_no"] == "2" and got["device_id"] is None
    rc, devs = cli(capsys, second, "devices", "list", "--no-status")
    assert {d["name"]: d["uri"] for d in devs}["receipt"] == uri

    # Importing again keeps the till's own devices; a file of another store is refused.
    rc, again = cli(capsys, second, "settings", "import", "--user", "admin", str(out_file))
    assert rc == 0 and set(again["devices_kept"]) == {"receipt", "zvt", "drawer"}
    other = dict(doc, store_id="S777")
    (tmp_path / "other.json").write_text(json.dumps(other), "utf-8")
    rc, out = cli(
        capsys, second, "settings", "import", "--user", "admin", str(tmp_path / "other.json")
    )
    assert rc == 2 and "S777" in out["error"]["message"]


def test_a_bad_settings_file_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "till"
    assert _provision(capsys, home)[0] == 0
    before = cli(capsys, home, "settings", "list")[1]
    bad = {
        "format": "guitai-settings/1",
        "store_id": "S001",
        "settings": {"store_phone": "021-1", "cash_rounding": "fen", "timezone": "Nowhere/X"},
        "devices": [{"name": "p", "kind": "toaster", "uri": "tcp://x", "settings": {}}],
    }
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(bad), "utf-8")
    rc, out = cli(capsys, home, "settings", "import", "--user", "admin", str(f))
    assert rc == 2
    msg = out["error"]["message"]
    assert "cash_rounding" in msg and "timezone" in msg and "device entry" in msg
    assert "nothing was changed" in msg
    assert cli(capsys, home, "settings", "list")[1] == before
    f.write_text("{not json", "utf-8")
    assert cli(capsys, home, "settings", "import", "--user", "admin", str(f))[0] == 2
    f.write_text(json.dumps({"format": "other"}), "utf-8")
    assert cli(capsys, home, "settings", "import", "--user", "admin", str(f))[0] == 2


def test_secret_names_and_clean_addresses() -> None:
    from pos_app.services.provisioning import clean_uri, is_secret

    for name in ("pin", "api_key", "private_key_file", "mch_secret", "password", "apikey", "key"):
        assert is_secret(name), name
    for name in ("drawer_pin", "key_id", "printer_profile", "open_level", "status_timeout"):
        assert not is_secret(name), name
    assert clean_uri("zvt+tcp://10.0.0.5:20007?password=271828&timeout=5") == (
        "zvt+tcp://10.0.0.5:20007?timeout=5"
    )
    assert clean_uri("https://user:pw@crm.example.com/x") == "https://crm.example.com/x"
    assert clean_uri("serial:///dev/ttyUSB0?baud=9600") == "serial:///dev/ttyUSB0?baud=9600"
    assert clean_uri("zvt+serial:///dev/ttyS0?baud=9600&password=1") == (
        "zvt+serial:///dev/ttyS0?baud=9600"
    )
