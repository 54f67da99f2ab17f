"""Setting up a ZVT card terminal.  `guitai devices add` stores a terminal as given (the
payments adapter checks it when it is used); the flow's test is the terminal diagnosis a
technician or the UI may run first: a Status Enquiry (05 01), whose Status-Information carries
the terminal id (TID), the terminal's own key."""

from __future__ import annotations

from typing import Any

from drivers.common.discovery import Found
from drivers.common.flow import DeviceEntry, ProbeResult, SetupFlow
from drivers.common.payment_errors import PaymentDriverError
from drivers.common.uri import DeviceUri

from .driver import client_from_uri


class TerminalFlow(SetupFlow):
    kind = "terminal"
    tested_before_saving = False

    def probe(self, entry: DeviceEntry) -> ProbeResult:
        timeout = float(entry.settings.get("status_timeout", 10.0))
        try:
            result = client_from_uri(entry.uri, timeout=timeout).status_enquiry()
        except PaymentDriverError as err:
            return "unavailable", "disconnected", {"error": str(err)}
        tid = result.info.terminal_id if result.info is not None else None
        if not result.approved:
            en, _zh = result.message
            return "error", f"result_{result.result_code:02x}", {"terminal_id": tid, "error": en}
        return "ok", None, {"terminal_id": tid}

    def found_at(self, uri: DeviceUri) -> list[Found]:
        return []  # a terminal is not found on a bus: its TID comes from the diagnosis

    def key(self, entry: DeviceEntry, tested: dict[str, Any] | None) -> str | None:
        if entry.serial_number:
            return entry.serial_number
        tid = (tested or {}).get("terminal_id")
        return str(tid) if tid else None
