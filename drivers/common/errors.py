"""The drivers' error tree.

Drivers know nothing of the till, so they raise plain exceptions carrying a stable `reason`
code; pos_app/adapters/hardware.py turns each reason into a message for the cashier.
"""

from __future__ import annotations


class DriverError(Exception):
    """Base of every error a driver raises.  `reason` is a stable machine code."""

    reason = "error"

    def __init__(self, detail: str, *, reason: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if reason is not None:
            self.reason = reason


class DeviceUriError(DriverError, ValueError):
    """A device address that cannot be parsed or is not allowed."""

    reason = "bad_uri"


class DeviceUnavailable(DriverError):
    """The device cannot be reached: not found, cable pulled, connection refused or dropped.

    reason: not_found | disconnected | permission | timeout | no_backend
    """

    reason = "disconnected"


class PrinterFault(DriverError):
    """The printer answered and reported a condition that stops printing.

    reason: paper_out | cover_open | offline | cutter_error | error
    `mid_job` is True when the fault was seen after the job's bytes were sent (the printout is
    incomplete and must be reprinted).
    """

    reason = "error"

    def __init__(
        self, detail: str, *, reason: str, mid_job: bool = False, status: object = None
    ) -> None:
        super().__init__(detail, reason=reason)
        self.mid_job = mid_job
        # The printer's decoded status (drivers.escpos.status.PrinterStatus); kept opaque here
        # because the common error tree knows no device.
        self.status = status


class ConfigError(DriverError, ValueError):
    """A driver setting out of its safe range (e.g. a drawer pulse that would burn a solenoid)."""

    reason = "bad_setting"
