"""Cash drawer: kick through the printer (pin and pulse configurable, duty ≤ 0.2), state with
configurable polarity, a standalone serial trigger box, and every open recorded."""

from __future__ import annotations

import pytest

from drivers.common.errors import ConfigError
from drivers.drawer.driver import PrinterDrawer, drawer_open_from_status
from drivers.drawer.emulator import VirtualTriggerDrawer
from drivers.escpos.printer import DrawerPulse, EscposPrinter
from drivers.escpos.status import decode
from pos_app.domain.errors import InvalidInput


def test_pulse_bytes_and_duty_cycle_guard() -> None:
    assert DrawerPulse().command() == b"\x1b\x70\x00\x19\xfa"
    assert DrawerPulse(pin=5, on_ms=20, off_ms=100).command() == b"\x1b\x70\x01\x0a\x32"
    with pytest.raises(ConfigError, match=r"duty 0\.2"):
        DrawerPulse(on_ms=100, off_ms=100)  # python-escpos' default 50/50 burns Citizen drawers
    with pytest.raises(ConfigError):
        DrawerPulse(pin=3)


def test_polarity() -> None:
    high = decode({1: 0x16})
    low = decode({1: 0x12})
    assert drawer_open_from_status(high, "high") is True
    assert drawer_open_from_status(high, "low") is False
    assert drawer_open_from_status(low, "low") is True
    assert drawer_open_from_status(decode({1: None}), "high") is None


def test_kick_through_printer_and_state(vprinter, tcp_uri) -> None:
    drawer = PrinterDrawer(EscposPrinter(tcp_uri), pulse=DrawerPulse(pin=5, on_ms=40, off_ms=200))
    try:
        assert drawer.is_open() is False
        drawer.kick()
        assert drawer.is_open() is True
        vprinter.set(drawer_open=False, drawer_open_level="low")
        assert PrinterDrawer(drawer.printer, open_level="high").is_open() is True  # wrong wiring
        assert PrinterDrawer(drawer.printer, open_level="low").is_open() is False
    finally:
        drawer.close()
    assert vprinter.kicks == [{"pin": 5, "on_ms": 40, "off_ms": 200}]


def test_open_drawer_records_every_open(hw, store, vprinter, tcp_uri) -> None:
    store.add_device("front", "printer", tcp_uri)
    hw.open_drawer("sale", ref="sale-1", user="alice")
    hw.open_drawer("refund", ref="refund-1", user="alice")
    hw.open_drawer("no_sale", user="bob")
    hw.cash_drawer().open(reason="sale", ref="sale-2")
    with pytest.raises(InvalidInput):
        hw.open_drawer("no_sale")  # a no-sale needs the user
    opens = store.drawer_opens()
    assert [(o["reason"], o["ref"], o["user"]) for o in reversed(opens)] == [
        ("sale", "sale-1", "alice"),
        ("refund", "refund-1", "alice"),
        ("no_sale", None, "bob"),
        ("sale", "sale-2", None),
    ]
    assert len(vprinter.kicks) == 4


def test_drawer_device_with_its_own_pulse_and_polarity(hw, store, vprinter, tcp_uri) -> None:
    store.add_device("front", "printer", tcp_uri)
    store.add_device(
        "till-drawer",
        "drawer",
        tcp_uri,
        {"drawer_pin": 5, "drawer_on_ms": 20, "drawer_off_ms": 100, "open_level": "high"},
    )
    hw.open_drawer("test", user="tech", drawer="till-drawer")
    assert vprinter.kicks[-1] == {"pin": 5, "on_ms": 20, "off_ms": 100}
    assert hw.drawer_is_open("till-drawer") is True
    report = hw.device_report(store.get_device("till-drawer"))
    assert report["drawer_open"] is True and report["state"] == "ok"


def test_standalone_serial_trigger_drawer(hw, store) -> None:
    with VirtualTriggerDrawer() as box:
        store.add_device("box", "drawer", f"serial://{box.device}?baud=300")
        hw.open_drawer("no_sale", user="carol", drawer="box")
        assert box.wait_opens(1) == 1
        assert bytes(box.received) == b"\x07"
        assert hw.drawer_is_open("box") is None  # a pty has no status line: unknown, not "shut"
    assert store.drawer_opens()[0]["drawer"] == "box"


def test_unplugged_drawer_is_reported(hw, store) -> None:
    from pos_app.adapters.hardware import DeviceProblem

    store.add_device("box", "drawer", "serial:///dev/does-not-exist")
    with pytest.raises(DeviceProblem) as info:
        hw.open_drawer("no_sale", user="carol", drawer="box")
    assert "try again" in info.value.message and "重试" in info.value.message_zh
    assert store.drawer_opens() == []


def test_drawer_opens_even_when_the_printer_is_out_of_paper(hw, store, vprinter, tcp_uri) -> None:
    """ESC p waits behind a stopped printer; the change is in the drawer: DLE DC4 1 kicks."""
    store.add_device("front", "printer", tcp_uri)
    vprinter.set(paper_out=True)
    hw.open_drawer("sale", ref="sale-3", user="alice")
    assert vprinter.kicks == [{"pin": 2, "on_ms": 100, "off_ms": 100, "realtime": 1}]
    assert store.drawer_opens()[0]["ref"] == "sale-3"
    vprinter.set(paper_out=False)
    hw.open_drawer("sale", ref="sale-4", user="alice")
    assert vprinter.kicks[-1] == {"pin": 2, "on_ms": 50, "off_ms": 500}


def test_emulator_ignores_esc_p_while_stopped(vprinter, tcp_uri) -> None:
    printer = EscposPrinter(tcp_uri, realtime_kick=False)
    try:
        vprinter.set(cover_open=True)
        assert printer.kick_drawer() == "esc_p"
        assert printer.status().state == "cover_open"  # round trip: the kick was processed
    finally:
        printer.close()
    assert vprinter.kicks == []
