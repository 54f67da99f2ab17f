"""Setting a device up, in the manner of Home Assistant's config flows: discover → check the
address and settings → test before saving → key on the serial number → persist.

Each device folder has its `flow.py` with a `SetupFlow` subclass that fills in the steps it
knows (what to discover, how to test, where its serial number is read).  The flow never stores
anything: persisting is a port the caller passes (`persist`), because drivers know nothing of
the till's database.  The till may also pass its own `probe` (one that knows the registry, e.g.
a drawer kicked through a printer already set up); without one, the flow tests the device
itself.  The CLI (`guitai devices add`) and the UI drive the same flow.

Errors are the drivers' own (`drivers.common.errors`): `DeviceUriError` (bad address),
`ConfigError` (bad setting), `NotResponding` (the test found no device: nothing was saved).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Generic, TypeVar

from .discovery import Found, find_serial_ports
from .errors import DriverError
from .uri import DeviceUri, parse_uri

# (state, reason, details): state ok | paper_low | paper_out | … | unknown | unavailable.
ProbeResult = tuple[str, str | None, dict[str, Any]]
T = TypeVar("T")


@dataclass(frozen=True)
class DeviceEntry:
    """A device as the technician describes it, before and after it is saved."""

    name: str
    kind: str
    uri: str
    settings: dict[str, Any] = field(default_factory=dict)
    serial_number: str | None = None


@dataclass
class Discovered:
    """What the discover step found, grouped as `guitai devices discover` shows it."""

    usb: list[Found] = field(default_factory=list)
    serial: list[Found] = field(default_factory=list)
    network: list[Found] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def all(self) -> list[Found]:
        return [*self.usb, *self.serial, *self.network]

    def as_dict(self) -> dict[str, Any]:
        return {
            "usb": [f.as_dict() for f in self.usb],
            "serial": [f.as_dict() for f in self.serial],
            "network": [f.as_dict() for f in self.network],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class SetupResult(Generic[T]):
    entry: DeviceEntry  # as persisted, with the serial number it is keyed on
    saved: T  # what the persist port returned
    test: dict[str, Any] | None  # the test before saving: {"state", "reason", **details}


class NotResponding(DriverError):
    """The test before saving reached no device; the flow stopped before persisting."""

    reason = "unavailable"


Probe = Callable[[DeviceEntry], ProbeResult]


class SetupFlow:
    """The steps every device kind goes through.  Subclasses set `kind` and override steps."""

    kind: ClassVar[str] = ""
    # Payment terminals are stored as given unless asked (`run(test=True)`): the payments
    # adapter checks them when they are used.
    tested_before_saving: ClassVar[bool] = True

    # -- step 1: discover -------------------------------------------------------------------------
    def discover(self) -> Discovered:
        """Candidates for this kind (serial ports for every kind: all of them sit on one)."""
        ports, notes = find_serial_ports()
        return Discovered(serial=ports, notes=notes)

    # -- step 2: check, before anything is opened --------------------------------------------------
    def check(self, entry: DeviceEntry) -> DeviceUri:
        """The address for this kind, then the settings.  DeviceUriError / ConfigError."""
        uri = parse_uri(entry.uri, self.kind)
        self.check_settings(entry, uri)
        return uri

    def check_settings(self, entry: DeviceEntry, uri: DeviceUri) -> None:
        """Refuse settings the driver would refuse later (ConfigError).  Default: none."""

    # -- step 3: test before saving ----------------------------------------------------------------
    def probe(self, entry: DeviceEntry) -> ProbeResult:
        """The device's own test (status query, port check, terminal diagnosis)."""
        return "unknown", "not_checked", {}

    def test(self, entry: DeviceEntry, probe: Probe | None = None) -> dict[str, Any]:
        state, reason, details = (probe or self.probe)(entry)
        if state == "unavailable":
            raise NotResponding(
                str(details.get("error", reason)), reason=reason or NotResponding.reason
            )
        return {"state": state, "reason": reason, **details}

    # -- step 4: key on the serial number ----------------------------------------------------------
    def found_at(self, uri: DeviceUri) -> list[Found]:
        """Discovered devices that could be the one at this address (to read its serial)."""
        if uri.scheme == "serial":
            return find_serial_ports()[0]
        return []

    def serial_number(self, entry: DeviceEntry) -> str | None:
        """The device's own serial number (USB descriptor, USB-serial adapter), if it has one."""
        base = entry.uri.split("?")[0].lower()
        for f in self.found_at(parse_uri(entry.uri, self.kind)):
            if f.uri.lower() == base and f.serial_number:
                return f.serial_number
        return None

    def key(self, entry: DeviceEntry, tested: dict[str, Any] | None) -> str | None:
        """The serial number to key the entry on; the technician's own wins."""
        return entry.serial_number or self.serial_number(entry)

    # -- the whole flow ----------------------------------------------------------------------------
    def run(
        self,
        entry: DeviceEntry,
        persist: Callable[[DeviceEntry], T],
        *,
        test: bool | None = None,
        probe: Probe | None = None,
    ) -> SetupResult[T]:
        """check → test → serial number → persist.  Nothing is persisted when a step raises.

        test: None tests when the kind is tested before saving (all but terminals); True / False
        force it (a terminal diagnosed first is keyed on its TID)."""
        self.check(entry)
        if test is None:
            test = self.tested_before_saving
        tested = self.test(entry, probe) if test else None
        if entry.serial_number is None:
            entry = replace(entry, serial_number=self.key(entry, tested))
        return SetupResult(entry, persist(entry), tested)


def serial_path_probe(uri: DeviceUri) -> ProbeResult:
    """A serial device is there if its port exists and we may open it (dialout group)."""
    path = uri.path or ""
    if not os.path.exists(path):
        return "unavailable", "not_found", {"error": f"{path} does not exist (unplugged?)"}
    if not os.access(path, os.R_OK | os.W_OK):
        return "unavailable", "permission", {"error": f"no permission on {path} (dialout group)"}
    return "ok", None, {}
