"""The ZVT terminal's password given without the command line (`guitai devices add
--password-file PATH`, or - for standard input), used by the driver as ?password= was, and
printed back by no `guitai devices` command (add, list, a failed test); the old form works."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.zvt.emulator import ZvtEmulator, ZvtEmulatorConfig
from pos_app.cli import main

PASSWORD = "284613"  # the terminal's, not the emulator's default


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> str:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    args = ["--home", str(tmp_path), "init", "--store-id", "S001", "--store-name", "店"]
    assert main([*args, "--till-no", "1", "--admin-pin", "7391"]) == 0
    capsys.readouterr()
    return str(tmp_path)


@pytest.fixture
def terminal() -> Iterator[ZvtEmulator]:
    emu = ZvtEmulator(config=ZvtEmulatorConfig(password=PASSWORD, step_delay=0.01)).start()
    try:
        yield emu
    finally:
        emu.stop()


def run(capsys: Any, *args: str) -> tuple[int, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_the_password_from_a_file_is_used_and_never_printed(
    capsys: Any, home: str, terminal: ZvtEmulator, tmp_path: Path
) -> None:
    secret = tmp_path / "zvt-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    address = f"zvt+tcp://{terminal.host}:{terminal.port}"
    rc, out = run(capsys, "--home", home, "devices", "add", "T1", "--kind", "terminal",
                  "--uri", address, "--password-file", str(secret), "--json")  # fmt: skip
    assert rc == 0 and json.loads(out)["device"]["uri"] == address
    printed = [out]
    for args in (["devices", "list"], ["devices", "list", "--json"],
                 ["devices", "list", "--no-status", "--json"]):  # fmt: skip
        rc, out = run(capsys, "--home", home, *args)
        assert rc == 0 and address in out
        printed.append(out)
    # the stored address carries it: the terminal accepts the password-checked command
    rc, out = run(capsys, "--home", home, "payments", "terminal", "status", "--json")
    assert rc == 0, out
    printed.append(out)
    assert not any(PASSWORD in text for text in printed)

    rc, out = run(capsys, "--home", home, "devices", "test", "T1", "--json")
    assert PASSWORD not in out


def test_the_password_from_standard_input(
    capsys: Any, home: str, terminal: ZvtEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    address = f"zvt+tcp://{terminal.host}:{terminal.port}"
    rc, out = run(capsys, "--home", home, "devices", "add", "T1", "--kind", "terminal",
                  "--uri", address, "--password-file", "-")  # fmt: skip
    assert rc == 0 and PASSWORD not in out
    rc, out = run(capsys, "--home", home, "payments", "terminal", "status")
    assert rc == 0, out


def test_the_old_form_still_works_and_is_not_printed_back(
    capsys: Any, home: str, terminal: ZvtEmulator
) -> None:
    address = f"zvt+tcp://{terminal.host}:{terminal.port}"
    rc, out = run(capsys, "--home", home, "devices", "add", "T1", "--kind", "terminal",
                  "--uri", f"{address}?password={PASSWORD}")  # fmt: skip
    assert rc == 0 and address in out and PASSWORD not in out
    rc, out = run(capsys, "--home", home, "payments", "terminal", "status")
    assert rc == 0, out
    rc, out = run(capsys, "--home", home, "devices", "list", "--no-status")
    assert address in out and PASSWORD not in out


def test_a_password_twice_or_for_a_printer_is_refused(
    capsys: Any, home: str, tmp_path: Path
) -> None:
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD, encoding="utf-8")
    rc, out = run(capsys, "--home", home, "devices", "add", "T1", "--kind", "terminal", "--uri",
                  "zvt+tcp://127.0.0.1:1?password=000000", "--password-file", str(secret),
                  "--no-test", "--json")  # fmt: skip
    err = json.loads(out)["error"]
    assert rc == 2 and "already has" in err["message"] and "已含" in err["message_zh"]
    rc, out = run(capsys, "--home", home, "devices", "add", "P1", "--kind", "printer", "--uri",
                  "tcp://127.0.0.1:9100", "--password-file", str(secret), "--no-test", "--json")  # fmt: skip
    err = json.loads(out)["error"]
    assert rc == 2 and "ZVT" in err["message"] and "ZVT" in err["message_zh"]
    rc, out = run(capsys, "--home", home, "devices", "add", "T1", "--kind", "terminal", "--uri",
                  "zvt+tcp://127.0.0.1:1", "--password-file", str(tmp_path / "none"),
                  "--no-test", "--json")  # fmt: skip
    assert rc == 2 and "无法读取" in json.loads(out)["error"]["message_zh"]
    assert PASSWORD not in out
