"""Each device's set-up flow (drivers/<device>/flow.py) against its emulator, real bytes over
TCP and pseudo-terminals: discover → check → test before saving → key on the serial number →
persist through the caller's port (here a list), and nothing persisted when a step fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.common.discovery import Found
from drivers.common.errors import ConfigError, DeviceUriError
from drivers.common.flow import DeviceEntry, NotResponding, SetupFlow
from drivers.drawer.emulator import VirtualTriggerDrawer
from drivers.drawer.flow import DrawerFlow
from drivers.escpos.emulator.printer import VirtualPrinter
from drivers.escpos.flow import PrinterFlow
from drivers.scanner.emulator import VirtualScanner
from drivers.scanner.flow import ScannerFlow
from drivers.zvt.emulator import ZvtEmulator
from drivers.zvt.flow import TerminalFlow


class Saved(list[DeviceEntry]):
    """The persist port: keeps what the flow hands over."""

    def __call__(self, entry: DeviceEntry) -> str:
        self.append(entry)
        return f"saved {entry.name}"


def test_printer_flow_tests_over_tcp_then_persists(vprinter: VirtualPrinter, tcp_uri: str) -> None:
    saved = Saved()
    entry = DeviceEntry("front", "printer", tcp_uri, {"drawer_pin": 5})
    result = PrinterFlow().run(entry, saved)
    assert result.saved == "saved front" and saved == [entry]
    assert result.test is not None and result.test["state"] == "ok"
    assert result.test["reason"] is None
    assert result.test["status"]["raw"] == ["12", "12", "12", "12"]  # DLE EOT 1-4: all clear
    assert result.entry.serial_number is None  # a network printer has no bus serial number


def test_printer_flow_reports_a_fault_but_saves(vprinter: VirtualPrinter, tcp_uri: str) -> None:
    vprinter.set(paper_out=True)
    saved = Saved()
    result = PrinterFlow().run(DeviceEntry("front", "printer", tcp_uri), saved)
    assert result.test is not None
    assert (result.test["state"], result.test["reason"]) == ("paper_out", "paper_out")
    assert len(saved) == 1  # a printer out of paper is there: load paper, keep the set-up


def test_printer_flow_over_a_serial_pty(vprinter: VirtualPrinter) -> None:
    device = vprinter.serve_pty()
    saved = Saved()
    result = PrinterFlow().run(DeviceEntry("p", "printer", f"serial://{device}"), saved)
    assert result.test is not None and result.test["state"] == "ok"
    assert len(saved) == 1


def test_printer_flow_saves_nothing_when_no_printer_answers() -> None:
    saved = Saved()
    with pytest.raises(NotResponding) as caught:
        PrinterFlow().run(DeviceEntry("p", "printer", "tcp://127.0.0.1:1"), saved)
    assert caught.value.reason in ("not_found", "disconnected")
    assert saved == []


def test_printer_flow_checks_address_and_settings_before_opening(
    vprinter: VirtualPrinter, tcp_uri: str
) -> None:
    saved = Saved()
    with pytest.raises(DeviceUriError):
        PrinterFlow().run(DeviceEntry("p", "printer", "lpt://1"), saved)
    with pytest.raises(ConfigError, match="duty"):
        bad_pulse = {"drawer_on_ms": 100, "drawer_off_ms": 100}
        PrinterFlow().run(DeviceEntry("p", "printer", tcp_uri, bad_pulse), saved)
    with pytest.raises(ConfigError, match="could not convert"):
        PrinterFlow().run(DeviceEntry("p", "printer", tcp_uri, {"status_timeout": "soon"}), saved)
    assert saved == [] and vprinter.snapshot()["jobs"] == 0


def test_printer_flow_without_test_saves_as_given(tcp_uri: str) -> None:
    saved = Saved()
    result = PrinterFlow().run(DeviceEntry("p", "printer", "tcp://127.0.0.1:1"), saved, test=False)
    assert result.test is None and len(saved) == 1


def test_printer_flow_test_print(vprinter: VirtualPrinter, tcp_uri: str) -> None:
    page = b"\x1b\x40flow test page\n\x1d\x56\x42\x00"
    printed = PrinterFlow().test_print(DeviceEntry("p", "printer", tcp_uri), page)
    assert printed.confirmed
    assert vprinter.wait_for_jobs(1)[0]["text_lines"] == ["flow test page"]


def test_printer_flow_discovers_a_network_printer(vprinter: VirtualPrinter, tcp_uri: str) -> None:
    from drivers.common.uri import parse_uri

    found = PrinterFlow().discover([parse_uri(tcp_uri, "printer")], timeout=1.0)
    (net,) = found.network
    assert net.uri == tcp_uri and net.description == "ESC/POS printer"
    assert net.status is not None and net.status["state"] == "ok"


def test_drawer_flow_on_a_trigger_box_never_opens_it() -> None:
    with VirtualTriggerDrawer() as box:
        saved = Saved()
        entry = DeviceEntry("box", "drawer", f"serial://{box.device}?baud=300")
        result = DrawerFlow().run(entry, saved)
        assert result.test == {"state": "ok", "reason": None, "drawer_open": None}
        assert len(saved) == 1
        assert box.opens == [] and bytes(box.received) == b""


def test_drawer_flow_on_the_kick_connector_reads_the_switch(
    vprinter: VirtualPrinter, tcp_uri: str
) -> None:
    vprinter.set(drawer_open=True)
    saved = Saved()
    result = DrawerFlow().run(DeviceEntry("till", "drawer", tcp_uri), saved)
    assert result.test is not None
    assert result.test["state"] == "ok" and result.test["drawer_open"] is True
    assert vprinter.kicks == []  # tested by asking, not by kicking


def test_drawer_flow_saves_nothing_when_the_box_is_unplugged(tmp_path: Path) -> None:
    saved = Saved()
    gone = tmp_path / "ttyGONE0"
    with pytest.raises(NotResponding) as caught:
        DrawerFlow().run(DeviceEntry("box", "drawer", f"serial://{gone}"), saved)
    assert caught.value.reason == "not_found" and "does not exist" in caught.value.detail
    assert saved == []


def test_scanner_flow_on_a_pty_and_unplugged(tmp_path: Path) -> None:
    with VirtualScanner() as scanner:
        saved = Saved()
        result = ScannerFlow().run(
            DeviceEntry("scan", "scanner", f"serial://{scanner.device}"), saved
        )
        assert result.test == {"state": "ok", "reason": None}
        assert len(saved) == 1
    with pytest.raises(NotResponding):
        ScannerFlow().run(DeviceEntry("gone", "scanner", f"serial://{tmp_path}/ttyX"), saved)
    with pytest.raises(DeviceUriError):
        ScannerFlow().run(DeviceEntry("s", "scanner", "tcp://10.0.0.2:9100"), saved)
    assert len(saved) == 1


def test_flows_key_the_entry_on_the_adapter_serial_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pty has no USB-serial adapter behind it: discovery is told there is one."""
    import drivers.common.flow as flow

    with VirtualScanner() as scanner:
        adapter = Found("serial", f"serial://{scanner.device}", "FT232R", "A50285BI")
        monkeypatch.setattr(flow, "find_serial_ports", lambda: ([adapter], []))
        saved = Saved()
        uri = f"serial://{scanner.device}?baud=9600"
        result = ScannerFlow().run(DeviceEntry("scan", "scanner", uri), saved)
        assert result.entry.serial_number == "A50285BI" and saved[0].serial_number == "A50285BI"
        mine = DeviceEntry("scan", "scanner", uri, serial_number="LABEL-7")
        assert ScannerFlow().run(mine, saved).entry.serial_number == "LABEL-7"


def test_terminal_flow_is_saved_as_given_unless_diagnosed() -> None:
    with ZvtEmulator() as emu:
        saved = Saved()
        entry = DeviceEntry("zvt", "terminal", emu.uri)
        plain = TerminalFlow().run(entry, saved)
        assert plain.test is None and plain.entry.serial_number is None
        assert emu.commands == []
        diagnosed = TerminalFlow().run(entry, saved, test=True)
        assert diagnosed.test == {"state": "ok", "reason": None, "terminal_id": "52500038"}
        assert diagnosed.entry.serial_number == "52500038"  # keyed on its TID
        assert len(saved) == 2


def test_terminal_flow_saves_nothing_when_the_terminal_is_away() -> None:
    saved = Saved()
    with pytest.raises(NotResponding):
        TerminalFlow().run(
            DeviceEntry("zvt", "terminal", "zvt+tcp://127.0.0.1:1"), saved, test=True
        )
    assert saved == []


def test_a_caller_probe_replaces_the_device_test(vprinter: VirtualPrinter, tcp_uri: str) -> None:
    """The till passes its registry-aware probe; the flow uses it instead of its own."""
    asked: list[str] = []

    def till_probe(entry: DeviceEntry) -> tuple[str, str | None, dict[str, object]]:
        asked.append(entry.name)
        return "ok", None, {"via": "till"}

    saved = Saved()
    flow: SetupFlow = DrawerFlow()
    entry = DeviceEntry("d", "drawer", tcp_uri, {"printer": "front"})
    result = flow.run(entry, saved, probe=till_probe)
    assert asked == ["d"] and result.test == {"state": "ok", "reason": None, "via": "till"}
