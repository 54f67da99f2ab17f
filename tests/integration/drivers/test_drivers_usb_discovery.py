"""USB and discovery on a machine without a USB bus (this CI machine has none): clear answers,
never a crash."""

from __future__ import annotations

import pytest

from drivers.common.discovery import find_serial_ports
from drivers.common.errors import DeviceUnavailable
from drivers.common.uri import parse_uri
from drivers.escpos.discovery import find_usb_printers
from drivers.escpos.printer import EscposPrinter
from pos_app.adapters.hardware import MESSAGES, problem_from


def test_usb_printer_absent_is_unavailable_with_a_reason() -> None:
    printer = EscposPrinter("usb://04b8:0e15?in_ep=0x81&out_ep=0x02&timeout=2")
    with pytest.raises(DeviceUnavailable) as info:
        printer.status()
    assert info.value.reason in ("not_found", "no_backend", "permission")
    problem = problem_from(info.value, "front")
    assert problem.message_zh.startswith("front：") and "重试" in problem.message_zh


def test_usb_endpoints_and_timeout_come_from_the_uri() -> None:
    from drivers.escpos.transport import UsbTransport

    t = UsbTransport(parse_uri("usb://0416:5011?in_ep=0x84&out_ep=0x03&timeout=3"))
    usb_printer = t._make()
    assert (usb_printer.in_ep, usb_printer.out_ep, usb_printer.timeout) == (0x84, 0x03, 3000)
    assert usb_printer.usb_args == {"idVendor": 0x0416, "idProduct": 0x5011}


def test_discover_without_a_usb_backend(monkeypatch) -> None:
    import usb.core

    def no_backend(*args, **kwargs):
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", no_backend)
    found, notes = find_usb_printers()
    assert found == [] and "libusb" in notes[0]


def test_discover_on_this_machine_never_raises() -> None:
    found, notes = find_usb_printers()
    assert isinstance(found, list) and (found or notes)
    ports, notes = find_serial_ports()
    assert isinstance(ports, list)


def test_every_driver_reason_has_a_message() -> None:
    for reason in (
        "paper_out",
        "cover_open",
        "offline",
        "error",
        "cutter_error",
        "disconnected",
        "not_found",
        "permission",
        "no_backend",
        "timeout",
        "interrupted",
    ):
        en, zh = MESSAGES[reason]
        assert ":" in en and "：" in zh
