"""Setting up a cash drawer: on a serial trigger box (tested by opening its port and reading
its status line, never by opening the drawer) or on a printer's kick connector (tested by the
printer's status query, which also reports the drawer switch).  Serial numbers come from the
USB-serial adapter, or the printer's USB descriptor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.common.discovery import Found
from drivers.common.errors import ConfigError, DriverError
from drivers.common.flow import DeviceEntry, ProbeResult, SetupFlow, serial_path_probe
from drivers.common.uri import DeviceUri, parse_uri

# A drawer on the kick connector is reached through its printer (the documented exception to
# "each device's folder stands alone" in pyproject.toml).
from drivers.escpos.discovery import find_usb_printers
from drivers.escpos.flow import ask_status, checked_printer

from .driver import SerialTriggerDrawer, drawer_open_from_status


def on_trigger_box(uri: DeviceUri, settings: Mapping[str, Any]) -> bool:
    """A serial drawer is a trigger box unless set `via` something else (a serial printer)."""
    return uri.scheme == "serial" and settings.get("via", "trigger") == "trigger"


def trigger_drawer(uri: DeviceUri, settings: Mapping[str, Any]) -> SerialTriggerDrawer:
    """The trigger box's driver from its registry settings (ConfigError, ValueError)."""
    s = settings
    return SerialTriggerDrawer(
        uri,
        trigger=bytes.fromhex(str(s.get("trigger", "07"))),
        status_line=str(s.get("status_line", "none")),
        open_level=str(s.get("open_level", "high")),
    )


class DrawerFlow(SetupFlow):
    kind = "drawer"

    def probe(self, entry: DeviceEntry) -> ProbeResult:
        uri = parse_uri(entry.uri, self.kind)
        level = str(entry.settings.get("open_level", "high"))
        if entry.settings.get("printer"):
            # Kicked through a printer set up by name: only the registry knows its address,
            # so the till passes its own probe for this case.
            return "unknown", "not_checked", {"note": "tested through its printer"}
        if on_trigger_box(uri, entry.settings):
            state, reason, details = serial_path_probe(uri)
            if state != "ok":
                return state, reason, details
            try:
                drawer = trigger_drawer(uri, entry.settings)
            except DriverError:
                raise
            except ValueError as err:  # a trigger that is not hex
                raise ConfigError(f"drawer trigger: {err}") from err
            try:
                return "ok", None, {"drawer_open": drawer.is_open()}
            except DriverError as err:
                return "unavailable", err.reason, {"error": err.detail}
            finally:
                drawer.close()
        try:
            st = ask_status(checked_printer(entry.uri, entry.settings))
            # DLE EOT 1 bit 2 is the kick connector's pin 3: the drawer switch.
            drawer_open = drawer_open_from_status(st, level)
        except DriverError as err:
            return "unavailable", err.reason, {"error": err.detail}
        state = st.state
        return (
            state,
            (None if state == "ok" else state),
            {
                "status": st.as_dict(),
                "drawer_open": drawer_open,
            },
        )

    def found_at(self, uri: DeviceUri) -> list[Found]:
        if uri.scheme == "usb":
            return find_usb_printers()[0]
        return super().found_at(uri)
