"""Setting up a receipt printer: discover (USB by vendor id, serial ports, network addresses
asked DLE EOT) → check its settings → test with a status query → key on its USB serial number.

`printer_from_settings` is also how the till builds a saved printer's driver, so a setting the
flow accepts is one the till can print with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from drivers.common.discovery import Found
from drivers.common.errors import ConfigError, DriverError
from drivers.common.flow import DeviceEntry, Discovered, ProbeResult, SetupFlow
from drivers.common.uri import DeviceUri, parse_uri

from .discovery import find_usb_printers, probe_tcp
from .printer import DrawerPulse, EscposPrinter, PrintResult
from .status import PrinterStatus


def _bool(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


def printer_from_settings(uri: str, settings: Mapping[str, Any]) -> EscposPrinter:
    """The driver for a printer's address and registry settings.  Opens nothing.

    Raises ConfigError (a setting out of its safe range), DeviceUriError, or the ValueError /
    TypeError of a value that is not a number."""
    s = settings
    parsed = parse_uri(uri, "printer")
    pulse = DrawerPulse(
        pin=int(s.get("drawer_pin", 2)),
        on_ms=int(s.get("drawer_on_ms", 50)),
        off_ms=int(s.get("drawer_off_ms", 500)),
    )
    timeout = float(s.get("status_timeout", 1.0))
    if not 0.05 <= timeout <= 10:
        raise ConfigError("status_timeout must be 0.05..10 seconds")
    print_timeout = float(s.get("print_timeout", 15.0))
    if not 0.5 <= print_timeout <= 300:
        raise ConfigError("print_timeout must be 0.5..300 seconds")
    return EscposPrinter(
        parsed,
        status_timeout=timeout,
        drawer=pulse,
        require_status=_bool(s.get("require_status", False)),
        confirm_printed=_bool(s.get("confirm_printed", True)),
        print_timeout=print_timeout,
        realtime_kick=_bool(s.get("realtime_kick", True)),
    )


def checked_printer(uri: str, settings: Mapping[str, Any]) -> EscposPrinter:
    """printer_from_settings with every bad value as ConfigError (the flow's one setting error)."""
    try:
        return printer_from_settings(uri, settings)
    except DriverError:
        raise
    except (ValueError, TypeError) as err:
        raise ConfigError(str(err)) from err


def ask_status(printer: EscposPrinter) -> PrinterStatus:
    """DLE EOT 1–4 once, then the link is closed (a test must not hold the port)."""
    try:
        return printer.status()
    finally:
        printer.close()


def status_probe(printer: EscposPrinter) -> ProbeResult:
    """('ok' | the fault, reason, {"status": …}), or 'unavailable' with the error."""
    try:
        st = ask_status(printer)
    except DriverError as err:
        return "unavailable", err.reason, {"error": err.detail}
    return st.state, (None if st.state == "ok" else st.state), {"status": st.as_dict()}


class PrinterFlow(SetupFlow):
    kind = "printer"

    def discover(self, tcp: Iterable[DeviceUri] = (), timeout: float = 1.0) -> Discovered:
        """USB printers, serial ports and, for each network address given, its DLE EOT answer
        (network printers do not announce themselves on the wire ESC/POS uses)."""
        usb, usb_notes = find_usb_printers()
        found = super().discover()
        network = [probe_tcp(u.host or "", u.port or 9100, timeout) for u in tcp]
        return Discovered(usb, found.serial, network, usb_notes + found.notes)

    def check_settings(self, entry: DeviceEntry, uri: DeviceUri) -> None:
        checked_printer(entry.uri, entry.settings)

    def probe(self, entry: DeviceEntry) -> ProbeResult:
        return status_probe(checked_printer(entry.uri, entry.settings))

    def test_print(self, entry: DeviceEntry, page: bytes) -> PrintResult:
        """The second test a technician runs: a page (the caller's bytes: the till prints its
        own test page) after the status says the printer can print.  PrinterFault / DeviceUnavailable."""
        printer = checked_printer(entry.uri, entry.settings)
        try:
            return printer.print_job(page)
        finally:
            printer.close()

    def found_at(self, uri: DeviceUri) -> list[Found]:
        if uri.scheme == "usb":
            return find_usb_printers()[0]
        return super().found_at(uri)
