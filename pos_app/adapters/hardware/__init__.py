"""The till's devices: drivers composed with the persistent job queue and device registry.

Implements the device ports (pos_app.domain.ports.ReceiptPrinter, CashDrawer).  Bootstrap:

    store = DeviceStore(db.conn, clock=clock)  # the DeviceRegistry port (domain.devices)
    hw = Hardware(store, clock=clock)          # reads the registry, one worker per printer
    hw.resume()                                # failed 'printing' jobs after a crash; queued jobs
    hw.start_pollers(on_change=ui_callback)    # device.status events + the status bar
    printer = hw.receipt_printer()             # ReceiptPrinter port
    drawer = hw.cash_drawer()                  # CashDrawer port
    # … the till sells …
    hw.close()

Rules kept here: one thread owns each printer (drivers.common.worker.DeviceWorker; status polls and
jobs share it so they never interleave); a job is in the database before a byte is sent and
stays there until the printer confirms, so a fault never loses a receipt and never touches the
sale; every failure reaches the cashier as GuitaiError with what to do, in Chinese and English.
"""

from __future__ import annotations

from drivers.common.errors import DeviceUnavailable

from .facade import (
    DevicePoller,
    Hardware,
    HardwareCashDrawer,
    HardwareReceiptPrinter,
    validate_uri,
    wait_for,
)
from .messages import (
    MESSAGES,
    STATE_MESSAGES,
    DeviceProblem,
    PaperLow,
    PrintFailed,
    PrintUnconfirmed,
    describe_state,
    paper_low,
    problem_from,
    unconfirmed,
)
from .printing import JobOutcome, PrinterService, default_test_page, printer_from_record

__all__ = [
    "MESSAGES",
    "STATE_MESSAGES",
    "DevicePoller",
    "DeviceProblem",
    "DeviceUnavailable",
    "Hardware",
    "HardwareCashDrawer",
    "HardwareReceiptPrinter",
    "JobOutcome",
    "PaperLow",
    "PrintFailed",
    "PrintUnconfirmed",
    "PrinterService",
    "default_test_page",
    "describe_state",
    "paper_low",
    "printer_from_record",
    "problem_from",
    "unconfirmed",
    "validate_uri",
    "wait_for",
]
