"""Cash drawers: kicked through the printer (ESC p) or a standalone serial trigger box.

Drawer state: the printer reports its kick connector pin 3 in DLE EOT 1 bit 2; whether HIGH
means *open* depends on the drawer's switch, so polarity is a setting verified at install
(hardware-notes §5).  Serial trigger boxes (Tysso PCD-005R, DT-100RS) open on any byte, some
only at 300 baud, and report state, if at all, on a modem line (RI/CTS/DSR/CD).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from drivers.common.errors import ConfigError, DeviceUnavailable
from drivers.common.uri import DeviceUri, parse_uri
from drivers.escpos.printer import DrawerPulse, EscposPrinter
from drivers.escpos.status import PrinterStatus

if TYPE_CHECKING:
    import serial

OPEN_LEVELS = ("high", "low")
STATUS_LINES = ("none", "ri", "cts", "dsr", "cd")


def drawer_open_from_status(status: PrinterStatus, open_level: str = "high") -> bool | None:
    if open_level not in OPEN_LEVELS:
        raise ConfigError(f"drawer open level must be one of {OPEN_LEVELS}")
    if status.drawer_pin3_high is None:
        return None
    return status.drawer_pin3_high == (open_level == "high")


class PrinterDrawer:
    """A drawer on a printer's kick connector."""

    def __init__(
        self, printer: EscposPrinter, *, pulse: DrawerPulse | None = None, open_level: str = "high"
    ) -> None:
        if open_level not in OPEN_LEVELS:
            raise ConfigError(f"drawer open level must be one of {OPEN_LEVELS}")
        self.printer = printer
        self.pulse = pulse or printer.drawer
        self.open_level = open_level

    def kick(self) -> None:
        self.printer.kick_drawer(self.pulse)

    def is_open(self) -> bool | None:
        """True/False from the printer, None when the printer does not say."""
        return drawer_open_from_status(self.printer.status(full=False), self.open_level)

    def close(self) -> None:
        self.printer.close()


class SerialTriggerDrawer:
    """A drawer behind a serial trigger box: any byte opens it."""

    def __init__(
        self,
        uri: DeviceUri | str,
        *,
        trigger: bytes = b"\x07",
        status_line: str = "none",
        open_level: str = "high",
    ) -> None:
        self.uri = parse_uri(uri, "drawer") if isinstance(uri, str) else uri
        if self.uri.scheme != "serial":
            raise ConfigError("a standalone drawer is reached by serial://")
        if status_line not in STATUS_LINES:
            raise ConfigError(f"drawer status line must be one of {STATUS_LINES}")
        if open_level not in OPEN_LEVELS:
            raise ConfigError(f"drawer open level must be one of {OPEN_LEVELS}")
        if not trigger:
            raise ConfigError("the drawer trigger must be at least one byte")
        self.trigger = trigger
        self.status_line = status_line
        self.open_level = open_level
        self._port: serial.Serial | None = None

    def _open(self) -> serial.Serial:
        if self._port is None:
            import serial

            try:
                self._port = serial.Serial(
                    self.uri.path, baudrate=self.uri.baudrate, timeout=0.5, write_timeout=2.0
                )
            except (serial.SerialException, OSError, ValueError) as err:
                raise DeviceUnavailable(f"{self.uri.text}: {err}", reason="not_found") from err
        return self._port

    def kick(self) -> None:
        import serial

        port = self._open()
        try:
            port.write(self.trigger)
            port.flush()
        except (serial.SerialException, OSError) as err:
            self.close()
            raise DeviceUnavailable(f"{self.uri.text}: {err}", reason="disconnected") from err

    def is_open(self) -> bool | None:
        if self.status_line == "none":
            return None
        port = self._open()
        try:
            level = bool(getattr(port, self.status_line))
        except (OSError, Exception):  # ptys and some adapters do not support modem lines
            return None
        return level == (self.open_level == "high")

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):
                port.close()
