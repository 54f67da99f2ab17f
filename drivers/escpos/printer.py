"""The receipt printer driver: status, printing a job, kicking the drawer.

Not thread-safe on purpose: exactly one thread owns a printer (drivers.common.worker.DeviceWorker),
so a status query never interleaves with a job's bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from drivers.common.errors import ConfigError, DeviceUnavailable, PrinterFault
from drivers.common.uri import DeviceUri, parse_uri

from .status import DLE_EOT, ERROR_CAUSE, OFFLINE_CAUSE, PAPER, PRINTER, PrinterStatus, decode
from .transport import Transport, make_transport

ESC_INIT = b"\x1b\x40"
CONFIRM_POLL_S = 0.5
# Warnings meaning the printer never told us it printed the job: no GS r 1 reply, or no
# DLE EOT answer after sending (a Star-mode printer, or another program holding the printer's
# only TCP 9100 connection so our status questions go unanswered).  The paper may well be out.
UNCONFIRMED_WARNINGS = ("not_confirmed", "status_unknown")


@dataclass(frozen=True)
class DrawerPulse:
    """ESC p m t1 t2: pin 2 (m=0) or pin 5 (m=1), ON t1×2 ms, OFF t2×2 ms.

    Defaults 50 ms on / 500 ms off: Citizen requires ON/(ON+OFF) ≤ 0.2 (solenoid heat), and
    python-escpos' cashdraw() 50/50 (100 ms/100 ms) violates it (hardware-notes §1.6, §5).
    """

    pin: int = 2
    on_ms: int = 50
    off_ms: int = 500

    def __post_init__(self) -> None:
        if self.pin not in (2, 5):
            raise ConfigError("drawer pin must be 2 or 5 (the drawer kick connector pins)")
        if not 2 <= self.on_ms <= 510 or not 2 <= self.off_ms <= 510:
            raise ConfigError("drawer pulse on/off must be 2..510 ms (ESC p counts 2 ms units)")
        if self.on_ms / (self.on_ms + self.off_ms) > 0.2:
            raise ConfigError(
                f"drawer pulse {self.on_ms} ms on / {self.off_ms} ms off exceeds duty 0.2: "
                "make off at least 4× on, or the drawer solenoid overheats"
            )

    def command(self) -> bytes:
        m = 0 if self.pin == 2 else 1
        return bytes([0x1B, 0x70, m, self.on_ms // 2, self.off_ms // 2])


@dataclass
class PrintResult:
    bytes_sent: int
    before: PrinterStatus
    after: PrinterStatus
    warnings: list[str] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        """Did the printer confirm the job (GS r 1, or a clean DLE EOT after it)?"""
        return not any(w in UNCONFIRMED_WARNINGS for w in self.warnings)


class EscposPrinter:
    """One ESC/POS printer at a URI.

    status_timeout: seconds to wait for each DLE EOT reply.
    require_status: refuse to print when the printer does not answer status at all (for
    printers known to answer; Star-mode printers never do, so the default is False and such a
    printer is reported as status "unknown", not "ok").
    confirm_printed: after sending a job, wait (up to print_timeout) until the printer has
    really printed it (GS r 1, see _wait_printed) before the final status check.
    """

    def __init__(
        self,
        uri: DeviceUri | str,
        *,
        status_timeout: float = 1.0,
        require_status: bool = False,
        drawer: DrawerPulse | None = None,
        transport: Transport | None = None,
        confirm_printed: bool = True,
        print_timeout: float = 15.0,
        realtime_kick: bool = True,
    ) -> None:
        self.uri = parse_uri(uri, "printer") if isinstance(uri, str) else uri
        self.transport = transport or make_transport(self.uri)
        self.status_timeout = status_timeout
        self.require_status = require_status
        self.drawer = drawer or DrawerPulse()
        self.last_status = PrinterStatus()
        self.confirm_printed = confirm_printed
        self.realtime_kick = realtime_kick
        self.print_timeout = print_timeout
        self._gs_r_works: bool | None = None  # learned: does this printer answer GS r 1?
        self._gs_r_seen = False

    # -- status -------------------------------------------------------------------------------
    def _ask(self, n: int) -> int | None:
        self.transport.write(DLE_EOT + bytes([n]))
        deadline = time.monotonic() + self.status_timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            b = self.transport.read_byte(left)
            if b is None:
                return None
            # Skip bytes that cannot be a DLE EOT reply (noise, ASB pushes) until the deadline;
            # note a GS r reply (bits 4 and 7 clear) that arrives while we ask.
            if (b & 0x93) == 0x12:
                return b
            if b & 0x90 == 0:
                self._gs_r_seen = True

    def status(self, *, full: bool = True, drain: bool = True) -> PrinterStatus:
        """Ask DLE EOT 1 (and 2, 3, 4 when full).  Raises DeviceUnavailable if unreachable."""
        self.transport.open()
        if drain:
            self.transport.drain()
        printer = self._ask(PRINTER)
        replies: dict[int, int | None] = {PRINTER: printer}
        if printer is not None and full:
            for n in (OFFLINE_CAUSE, ERROR_CAUSE, PAPER):
                replies[n] = self._ask(n)
        elif printer is not None:
            # Paper is the one question worth asking even in a quick check.
            replies[PAPER] = self._ask(PAPER)
            if printer & 0x08:
                replies[OFFLINE_CAUSE] = self._ask(OFFLINE_CAUSE)
        self.last_status = decode(replies)
        return self.last_status

    def _check(self, *, mid_job: bool) -> PrinterStatus:
        st = self.status()
        fault = st.fault
        if fault:
            when = "after sending the job" if mid_job else "before printing"
            raise PrinterFault(
                f"{self.uri.text}: {fault} {when}", reason=fault, mid_job=mid_job, status=st
            )
        if not st.answered and self.require_status:
            raise DeviceUnavailable(f"{self.uri.text}: no answer to DLE EOT", reason="timeout")
        return st

    # -- jobs ------------------------------------------------------------------------------------
    def print_job(self, data: bytes) -> PrintResult:
        """Check status, send the bytes, check again.

        A fault before the job raises PrinterFault(mid_job=False) and nothing is sent; a fault
        seen after sending raises PrinterFault(mid_job=True): the paper is incomplete.  A cable
        pulled at any point raises DeviceUnavailable.  Either way the caller keeps the job.
        """
        before = self._check(mid_job=False)
        self.transport.write(data)
        warnings = []
        if self.confirm_printed and before.answered and self._gs_r_works is not False:
            confirmed = self._wait_printed()
            if confirmed is None:
                warnings.append("not_confirmed")
        after = self._check(mid_job=True)
        if after.paper_near_end:
            warnings.append("paper_near_end")
        if not after.answered:
            warnings.append("status_unknown")
        return PrintResult(len(data), before, after, warnings)

    def _wait_printed(self) -> bool | None:
        """Wait until the printer has printed everything sent so far.

        DLE EOT is real-time: a printer answers it at once, while the job is still in its
        buffer, so a paper-out halfway through would be missed.  GS r 1 is *not* real-time:
        the printer answers it only when it reaches it, after printing what came before (Epson
        ESC/POS reference, GS r).  Its reply has bits 4 and 7 clear, which no DLE EOT reply
        has, so the two cannot be confused.  A printer that stops (paper out) never answers:
        we give up after print_timeout and let the status check name the fault.  A printer
        that answers DLE EOT but never GS r is remembered and not asked again.
        """
        self._gs_r_seen = False
        self.transport.write(b"\x1d\x72\x01")
        deadline = time.monotonic() + self.print_timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            b = self.transport.read_byte(min(left, CONFIRM_POLL_S))
            if b is not None:
                if b & 0x90 == 0:
                    self._gs_r_works = True
                    return True
                continue
            # Silence: has the printer stopped (paper out mid-job)?  DLE EOT still answers.
            st = self.status(full=False, drain=False)
            if self._gs_r_seen:
                self._gs_r_works = True
                return True
            if st.fault is not None:
                return None  # the status check after this names the fault
        if self._gs_r_works is None:
            st = self.status(full=True)
            if st.answered and st.fault is None:
                self._gs_r_works = False  # answers status, ignores GS r: stop asking
        return None

    def kick_drawer(self, pulse: DrawerPulse | None = None) -> str:
        """Open the drawer; returns how: "esc_p" or "realtime".

        ESC p is queued behind print data and not executed while the printer is stopped (paper
        out, cover open) - yet the customer's change is in the drawer.  Then we send DLE DC4
        1 m t, which printers execute in real time even when stopped (Epson reference; emupos
        escpos-status.md).  Its pulse is t x 100 ms on and off; t = 1 (100 ms) is the shortest,
        a single pulse, so the duty-cycle limit for repeated pulses is not at stake.
        """
        pulse = pulse or self.drawer
        st = self.status(full=False) if self.realtime_kick else PrinterStatus()
        if st.online is False:
            self.transport.write(bytes([0x10, 0x14, 0x01, 0 if pulse.pin == 2 else 1, 1]))
            return "realtime"
        self.transport.write(pulse.command())
        return "esc_p"

    def close(self) -> None:
        self.transport.close()
