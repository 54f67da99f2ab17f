"""The same checks on real devices (--hardware FILE) and on the emulators."""

from __future__ import annotations

import contextlib
import io
import time

import pytest

from drivers.drawer.driver import PrinterDrawer
from drivers.escpos.printer import DrawerPulse, EscposPrinter
from drivers.scanner.driver import SerialScanner, wait_until

pytestmark = pytest.mark.hardware
QR = "HTTPS://R.EXAMPLE.COM/R/HARDWARETEST234567"


def receipt(codec: str) -> bytes:
    from escpos.printer import Dummy

    p = Dummy()
    p._raw(b"\x1b\x40\x1b\x61\x01")
    p._raw(b"\x1c\x26" + "柜台 硬件测试".encode(codec) + b"\x1c\x2e\n")
    p._raw(b"\x1b\x61\x00\x1c\x26" + "合计：￥1.00".encode(codec) + b"\x1c\x2e\n")
    with contextlib.redirect_stdout(io.StringIO()):
        p.qr(QR, size=4)
    p.cut()
    return bytes(p.output)


def test_status_answers(rig) -> None:
    printer = EscposPrinter(rig.printer_uri, status_timeout=1.0)
    try:
        status = printer.status()
    finally:
        printer.close()
    if rig.answers_status:
        assert status.answered, "the printer did not answer DLE EOT: check answers_status"
        assert status.state in ("ok", "paper_near_end"), f"printer reports {status.state}"
    else:
        assert status.state == "unknown"


def test_prints_chinese_and_qr(rig) -> None:
    printer = EscposPrinter(rig.printer_uri, status_timeout=1.0)
    try:
        result = printer.print_job(receipt(rig.cjk_codec))
    finally:
        printer.close()
    assert result.bytes_sent > 0
    if rig.real:
        return  # a person checks the paper: 柜台 硬件测试 / 合计：￥1.00 / a QR that scans
    job = rig.emulator.wait_for_jobs(1)[0]
    assert job["text_lines"][:2] == ["柜台 硬件测试", "合计：￥1.00"]
    assert job["qr"] == [QR]


def test_drawer_kick_and_state(rig) -> None:
    if rig.drawer is None:
        pytest.skip("no [drawer] in the hardware file")
    printer = EscposPrinter(rig.printer_uri, status_timeout=1.0)
    drawer = PrinterDrawer(
        printer,
        pulse=DrawerPulse(pin=int(rig.drawer.get("pin", 2))),
        open_level=rig.drawer.get("open_level", "high"),
    )
    try:
        drawer.kick()
        deadline = time.monotonic() + 3
        state = drawer.is_open()
        while state is False and time.monotonic() < deadline:
            time.sleep(0.1)
            state = drawer.is_open()
    finally:
        drawer.close()
    # None: this printer does not report the drawer; otherwise the kick must have opened it.
    assert state in (True, None)
    if not rig.real:
        assert rig.emulator.kicks[-1]["pin"] == 2


def test_serial_scanner(rig, capsys) -> None:
    if rig.real and rig.scanner is None:
        pytest.skip("no [scanner] in the hardware file")
    got: list[str] = []
    if rig.real:
        scanner = SerialScanner(rig.scanner["uri"], got.append)
        scanner.start()
        try:
            with capsys.disabled():
                print(f"\nScan the code {rig.scanner['expect']} now (30 s)…")
            assert wait_until(lambda: bool(got), 30), "no scan arrived"
        finally:
            scanner.stop()
        assert got[0] == rig.scanner["expect"]
        return
    from drivers.scanner.emulator import VirtualScanner

    with VirtualScanner(suffix="CR") as vs:
        scanner = SerialScanner(f"serial://{vs.device}", got.append)
        scanner.start()
        try:
            assert scanner.connected.wait(5)
            vs.scan("6901234567892")
            assert wait_until(lambda: bool(got), 5)
        finally:
            scanner.stop()
    assert got == ["6901234567892"]


def test_paper_out_is_reported(rig) -> None:
    if rig.real:
        pytest.skip("needs a person to open the paper cover; covered by the emulator run")
    rig.emulator.set(paper_out=True)
    printer = EscposPrinter(rig.printer_uri)
    try:
        assert printer.status().state == "paper_out"
    finally:
        printer.close()
