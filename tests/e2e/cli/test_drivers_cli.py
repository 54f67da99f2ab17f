"""The technician's commands: guitai devices / drawer / emulate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import paths
import pytest

from pos_app.cli import main

ROOT = paths.ROOT


@pytest.fixture
def home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    args = ["--home", str(tmp_path), "init", "--store-id", "S001", "--store-name", "店"]
    assert main([*args, "--till-no", "1", "--admin-pin", "7391"]) == 0
    capsys.readouterr()
    return str(tmp_path)


def run(capsys, *args: str) -> tuple[int, object]:
    code = main([*args])
    out = capsys.readouterr()
    text = out.out.strip()
    try:
        return code, json.loads(text) if text else out.err
    except ValueError:
        return code, text + out.err


def test_add_test_list_jobs_reprint_remove(capsys, home, vprinter, tcp_uri) -> None:
    code, added = run(
        capsys,
        "--home",
        home,
        "devices",
        "add",
        "front",
        "--kind",
        "printer",
        "--uri",
        tcp_uri,
        "--set",
        "drawer_pin=5",
        "--json",
    )
    assert code == 0, added
    assert added["device"]["settings"] == {"drawer_pin": 5}
    assert added["test"]["state"] == "ok"
    code, tested = run(capsys, "--home", home, "devices", "test", "front", "--json")
    assert code == 0 and tested["state"] == "ok" and tested["test_page"]["state"] == "done"
    page = vprinter.wait_for_jobs(1)[0]
    assert page["text_lines"][0] == "柜台 打印测试" and page["qr"] == ["GUITAI TEST front"]

    vprinter.set(paper_out=True)
    code, listed = run(capsys, "--home", home, "devices", "list", "--json")
    assert code == 0 and listed[0]["state"] == "paper_out"
    assert listed[0]["diagnostics"]["transport"] == "tcp"
    assert listed[0]["status"]["raw"] == ["1a", "32", "12", "7e"]

    code, err = run(capsys, "--home", home, "devices", "test", "front", "--json")
    assert code == 2 and "纸用完了" in err["error"]["message_zh"]
    code, jobs = run(capsys, "--home", home, "devices", "jobs", "--json")
    assert [(j["kind"], j["state"], j["last_error"]) for j in jobs] == [
        ("test", "failed", "paper_out")
    ]
    vprinter.clear_faults()
    code, again = run(capsys, "--home", home, "devices", "reprint", str(jobs[0]["id"]), "--json")
    assert code == 0 and again["state"] == "done"
    code, jobs = run(capsys, "--home", home, "devices", "jobs", "--json")
    assert jobs == []

    code, opened = run(capsys, "--home", home, "drawer", "open", "--user", "admin", "--json")
    assert code == 0 and opened["reason"] == "no_sale"
    assert vprinter.kicks[-1]["pin"] == 5
    code, _ = run(capsys, "--home", home, "devices", "remove", "front")
    assert code == 0
    code, listed = run(capsys, "--home", home, "devices", "list", "--json")
    assert listed == []


def test_add_tests_before_saving(capsys, home) -> None:
    code, err = run(
        capsys,
        "--home",
        home,
        "devices",
        "add",
        "p",
        "--kind",
        "printer",
        "--uri",
        "tcp://127.0.0.1:1",
        "--json",
    )
    assert code == 2 and "nothing was saved" in err["error"]["message"]
    assert run(capsys, "--home", home, "devices", "list", "--json")[1] == []
    code, added = run(
        capsys,
        "--home",
        home,
        "devices",
        "add",
        "p",
        "--kind",
        "printer",
        "--uri",
        "tcp://127.0.0.1:1",
        "--no-test",
        "--json",
    )
    assert code == 0 and added["test"] is None
    code, listed = run(capsys, "--home", home, "devices", "list", "--json")
    assert listed[0]["state"] == "unavailable" and listed[0]["reason"] in (
        "not_found",
        "disconnected",
    )


@pytest.mark.parametrize(
    ("kind", "uri", "fragment"),
    [
        ("printer", "usb://04b8", "vendor:product"),
        ("printer", "serial://dev/ttyUSB0", "three slashes"),
        ("printer", "serial:///dev/ttyUSB0?baud=12345", "standard rate"),
        ("printer", "tcp://:9100", "no host"),
        ("printer", "lpt://1", "unknown scheme"),
        ("scanner", "tcp://10.0.0.2:9100", "cannot be reached"),
        ("printer", "192.168.1.50", "no scheme"),
    ],
)
def test_bad_addresses_are_explained(capsys, home, kind: str, uri: str, fragment: str) -> None:
    code, err = run(
        capsys,
        "--home",
        home,
        "devices",
        "add",
        "x",
        "--kind",
        kind,
        "--uri",
        uri,
        "--no-test",
        "--json",
    )
    assert code == 2 and fragment in err["error"]["message"]
    assert err["error"]["message_zh"].startswith("设备地址有误")


def test_terminal_is_stored_as_given(capsys, home) -> None:
    code, added = run(
        capsys,
        "--home",
        home,
        "devices",
        "add",
        "zvt",
        "--kind",
        "terminal",
        "--uri",
        "zvt+tcp://127.0.0.1:20007",
        "--json",
    )
    assert code == 0 and added["device"]["uri"] == "zvt+tcp://127.0.0.1:20007"


def test_bad_drawer_pulse_is_refused(capsys, home, tcp_uri) -> None:
    code, err = run(
        capsys,
        "--home",
        home,
        "devices",
        "add",
        "p",
        "--kind",
        "printer",
        "--uri",
        tcp_uri,
        "--set",
        "drawer_on_ms=100",
        "--set",
        "drawer_off_ms=100",
        "--json",
    )
    assert code == 2 and "duty" in err["error"]["message"]


def test_discover_handles_no_usb_and_probes_tcp(capsys, vprinter, tcp_uri) -> None:
    code, found = run(
        capsys, "devices", "discover", "--tcp", tcp_uri.removeprefix("tcp://"), "--json"
    )
    assert code == 0
    assert found["network"][0]["status"]["state"] == "ok"
    assert isinstance(found["usb"], list) and isinstance(found["notes"], list)
    code, text = run(capsys, "devices", "discover", "--tcp", "127.0.0.1:1")
    assert code == 0 and "nothing answers" in text


def test_emulate_printer_command(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pos_app.cli",
            "emulate",
            "printer",
            "--tcp-port",
            "0",
            "--pty",
            "--out",
            str(tmp_path / "out"),
            "--duration",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        where = json.loads(proc.stdout.readline())
        from drivers.escpos.emulator.printer import control_request
        from drivers.escpos.printer import EscposPrinter

        for uri in (where["uri"], where["serial_uri"]):
            p = EscposPrinter(uri)
            try:
                p.print_job(b"\x1c\x26" + "模拟打印".encode("gb18030") + b"\x1c\x2e\n\x1dV\x00")
            finally:
                p.close()
        answer = control_request(where["control_port"], {"set": {"paper_out": True}})
        assert answer["ok"] and answer["state"]["paper_out"] is True
        jobs = control_request(where["control_port"], {"get": "jobs"})["jobs"]
        assert [j["text_lines"] for j in jobs] == [["模拟打印"], ["模拟打印"]]
        bad = control_request(where["control_port"], {"set": {"smoke": True}})
        assert not bad["ok"] and "unknown printer state" in bad["error"]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert (tmp_path / "out" / "jobs.jsonl").exists()


def test_emulate_scanner_command() -> None:
    from drivers.scanner.driver import SerialScanner, wait_until

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pos_app.cli",
            "emulate",
            "scanner",
            "--code",
            "6901234567892",
            "--code",
            "134567890123456789",
            "--suffix",
            "CRLF",
            "--wait",
            "1",
            "--duration",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    got: list[str] = []
    try:
        assert proc.stdout is not None
        where = json.loads(proc.stdout.readline())
        scanner = SerialScanner(where["uri"], got.append)
        scanner.start()
        try:
            assert wait_until(lambda: len(got) >= 2, 10)
        finally:
            scanner.stop()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert got == ["6901234567892", "134567890123456789"]


def test_emulate_control_command(capsys, vprinter) -> None:
    port = vprinter.serve_control(0)
    code, answer = run(
        capsys,
        "emulate",
        "control",
        "--port",
        str(port),
        "--set",
        "cover_open=true",
        "--set",
        "baud=9600",
    )
    assert code == 0 and answer["state"]["cover_open"] is True and answer["state"]["baud"] == 9600
    assert vprinter.state.cover_open
    code, answer = run(capsys, "emulate", "control", "--port", str(port), "--clear-faults")
    assert code == 0 and not vprinter.state.cover_open
    code, err = run(capsys, "emulate", "control", "--port", str(port), "--set", "smoke=1")
    assert code == 2 and "unknown printer state" in err


def test_emulate_drawer_command() -> None:
    import serial

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_app.cli", "emulate", "drawer", "--duration", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        where = json.loads(proc.stdout.readline())
        with serial.Serial(where["uri"].removeprefix("serial://"), 300, timeout=1) as port:
            port.write(b"\x07")
            port.flush()
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)
    assert json.loads(out.strip().splitlines()[-1]) == {"opens": 1}


def test_add_serial_drawer_and_scanner(capsys, home) -> None:
    from drivers.drawer.emulator import VirtualTriggerDrawer
    from drivers.scanner.emulator import VirtualScanner

    with VirtualTriggerDrawer() as box, VirtualScanner() as scanner:
        code, added = run(
            capsys,
            "--home",
            home,
            "devices",
            "add",
            "box",
            "--kind",
            "drawer",
            "--uri",
            f"serial://{box.device}?baud=300",
            "--json",
        )
        assert code == 0 and added["test"]["state"] == "ok"
        assert added["test"]["drawer_open"] is None  # no status line on a trigger box
        code, added = run(
            capsys,
            "--home",
            home,
            "devices",
            "add",
            "scan",
            "--kind",
            "scanner",
            "--uri",
            f"serial://{scanner.device}",
            "--json",
        )
        assert code == 0 and added["test"]["state"] == "ok"
        assert box.opens == []  # testing never opens the drawer
    code, err = run(
        capsys,
        "--home",
        home,
        "devices",
        "add",
        "gone",
        "--kind",
        "scanner",
        "--uri",
        "serial:///dev/ttyNOPE0",
        "--json",
    )
    assert code == 2 and "nothing was saved" in err["error"]["message"]
    code, listed = run(capsys, "--home", home, "devices", "list", "--no-status", "--json")
    assert [d["name"] for d in listed] == ["box", "scan"]
