"""The till's devices as the core sees them: a registry entry, a print job, and the port the
hardware adapter needs from storage (`DeviceRegistry`).

The port exists so that `pos_app.adapters.hardware` never imports `pos_app.adapters.db`
(an import-linter contract): bootstrap hands the hardware facade the SQLite implementation
(`adapters/db/devices.DeviceStore`), tests may hand it anything with these methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

# 'unconfirmed': sent, but the printer never confirmed it printed (drivers.escpos.printer
# UNCONFIRMED_WARNINGS).  Stored as state 'done' with last_error 'unconfirmed:<warning>' (the
# print_jobs CHECK constraint of schema 0002 knows four states); read back as 'unconfirmed'.
UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class DeviceRecord:
    name: str
    kind: str
    uri: str
    settings: dict[str, Any]
    serial_number: str | None
    added_at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "uri": self.uri,
            "settings": self.settings,
            "serial_number": self.serial_number,
            "added_at": self.added_at,
        }


@dataclass(frozen=True)
class PrintJob:
    id: int
    printer: str
    created_at: str
    kind: str
    ref: str | None
    data: bytes
    state: str
    attempts: int
    last_error: str | None
    done_at: str | None

    def as_dict(self, with_data: bool = False) -> dict[str, Any]:
        d = {
            "id": self.id,
            "printer": self.printer,
            "created_at": self.created_at,
            "kind": self.kind,
            "ref": self.ref,
            "state": self.state,
            "confirmed": self.state != UNCONFIRMED,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "done_at": self.done_at,
            "bytes": len(self.data),
        }
        if with_data:
            d["data"] = self.data.hex()
        return d


class DeviceRegistry(Protocol):
    """What the hardware adapter reads and writes: the registry, the print-job queue, the
    drawer-open log and device.status events.  Each call is its own short transaction."""

    def add_device(
        self,
        name: str,
        kind: str,
        uri: str,
        settings: dict[str, Any] | None = None,
        serial_number: str | None = None,
        *,
        replace: bool = False,
    ) -> DeviceRecord: ...

    def get_device(self, name: str) -> DeviceRecord: ...

    def list_devices(self, kind: str | None = None) -> list[DeviceRecord]: ...

    def enqueue(self, printer: str, data: bytes, kind: str, ref: str | None = None) -> int: ...

    def reserve(self, printer: str, kind: str, ref: str) -> int: ...

    def reserved(self, kind: str, ref: str) -> int | None: ...

    def unrendered(self) -> list[PrintJob]: ...

    def fill(self, job_id: int, data: bytes) -> None: ...

    def job(self, job_id: int) -> PrintJob: ...

    def jobs(
        self, printer: str | None = None, *, states: tuple[str, ...] = ..., limit: int = 100
    ) -> list[PrintJob]: ...

    def open_jobs(self, printer: str | None = None) -> list[PrintJob]: ...

    def mark_printing(self, job_id: int) -> PrintJob: ...

    def mark_done(self, job_id: int) -> None: ...

    def mark_unconfirmed(self, job_id: int, warning: str) -> None: ...

    def mark_failed(self, job_id: int, error: str) -> None: ...

    def requeue(self, job_id: int) -> PrintJob: ...

    def recover_interrupted(self, printer: str | None = None) -> list[int]: ...

    def record_drawer_open(
        self,
        reason: str,
        *,
        ref: str | None = None,
        user: str | None = None,
        drawer: str | None = None,
    ) -> int: ...

    def emit_device_status(self, device: str, kind: str, state: str, reason: str | None) -> str: ...
