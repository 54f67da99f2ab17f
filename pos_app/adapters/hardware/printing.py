"""One printer's service: its thread, its driver, its slice of the persistent job queue; and
the default test page."""

from __future__ import annotations

import contextlib
import functools
import io
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from drivers.common.errors import DriverError
from drivers.common.worker import DeviceWorker
from drivers.escpos.flow import printer_from_settings
from drivers.escpos.printer import UNCONFIRMED_WARNINGS, EscposPrinter
from drivers.escpos.status import PrinterStatus
from pos_app.domain.devices import DeviceRecord, DeviceRegistry
from pos_app.domain.errors import InvalidInput

from .messages import UNCONFIRMED_MESSAGE, PrintFailed, invalid_setting, problem_from

T = TypeVar("T")

# ---- building drivers from registry records ---------------------------------------------------


def printer_from_record(rec: DeviceRecord) -> EscposPrinter:
    try:
        return printer_from_settings(rec.uri, rec.settings)
    except (ValueError, TypeError) as err:
        if isinstance(err, DriverError):
            raise invalid_setting(err) from err
        raise InvalidInput(f"Device setting: {err}", f"设备设置有误：{err}") from err


@dataclass
class JobOutcome:
    job_id: int
    # done | unconfirmed (sent, the printer never confirmed it: check the paper, reprint if
    # missing) | printing (still going after the wait) | queued
    state: str
    warnings: list[str]

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "job_id": self.job_id,
            "state": self.state,
            "warnings": self.warnings,
            "confirmed": self.state != "unconfirmed",
        }
        if self.state == "unconfirmed":
            d["message"], d["message_zh"] = UNCONFIRMED_MESSAGE
        return d


class PrinterService:
    """One printer: its worker thread, its driver, its slice of the persistent job queue."""

    def __init__(
        self, name: str, printer: EscposPrinter, store: DeviceRegistry, *, wait_s: float = 30.0
    ) -> None:
        self.name = name
        self.printer = printer
        self.store = store
        self.wait_s = wait_s
        self.worker = DeviceWorker(name)
        # The registry's database thread (adapters/db/devices.DeviceStore): a print waited for
        # on that thread lets the job's state writes through meanwhile.
        self._db = getattr(store, "thread", None)
        self.last_error: str | None = None
        self._status_lock = threading.Lock()
        self._status_future: Future[PrinterStatus] | None = None

    # -- jobs (the worker runs these) ---------------------------------------------------------
    def _run_job(self, job_id: int) -> JobOutcome:
        job = self.store.mark_printing(job_id)
        try:
            result = self.printer.print_job(job.data)
        except DriverError as err:
            self.last_error = f"{err.reason}: {err.detail}"
            self.store.mark_failed(job_id, err.reason)
            raise problem_from(err, self.name, job_id=job_id, cls=PrintFailed) from err
        except BaseException as err:  # a driver bug must not leave the job 'printing'
            self.store.mark_failed(job_id, f"error: {type(err).__name__}")
            raise
        self.last_error = None
        if not result.confirmed:
            why = next(w for w in result.warnings if w in UNCONFIRMED_WARNINGS)
            self.store.mark_unconfirmed(job_id, why)
            return JobOutcome(job_id, "unconfirmed", result.warnings)
        self.store.mark_done(job_id)
        return JobOutcome(job_id, "done", result.warnings)

    def _result(self, fut: Future[T], timeout: float | None) -> T:
        """fut's result; on the database thread, the job states the printer's worker writes
        meanwhile run (the worker may be finishing a job before it gets to fut)."""
        return fut.result(timeout) if self._db is None else self._db.wait(fut, timeout)

    def _wait(self, job_id: int, fut: Future[JobOutcome], wait: float | None) -> JobOutcome:
        timeout = self.wait_s if wait is None else wait
        try:
            return self._result(fut, timeout)
        except FutureTimeout:
            return JobOutcome(job_id, self.store.job(job_id).state, ["still_printing"])

    def enqueue_and_print(
        self, data: bytes, kind: str, ref: str | None = None, *, wait: float | None = None
    ) -> JobOutcome:
        """Queue the job (persisted first), print it on the printer's thread, wait for it.

        Raises PrintFailed with the cashier's message if the printer fails; the job stays in
        the queue as 'failed' for reprint().  wait=0: return at once (state 'queued').
        """
        job_id = self.store.enqueue(self.name, data, kind, ref)
        fut = self.worker.submit(lambda: self._run_job(job_id))
        if wait == 0:
            return JobOutcome(job_id, "queued", [])
        return self._wait(job_id, fut, wait)

    def print_reserved(self, job_id: int, data: bytes, *, wait: float | None = None) -> JobOutcome:
        """Fill a job reserved in its sale's transaction with its bytes, then print it."""
        self.store.fill(job_id, data)
        fut = self.worker.submit(lambda: self._run_job(job_id))
        if wait == 0:
            return JobOutcome(job_id, "queued", [])
        return self._wait(job_id, fut, wait)

    def reprint(self, job_id: int, *, wait: float | None = None) -> JobOutcome:
        job = self.store.job(job_id)
        if job.printer != self.name:
            raise InvalidInput(
                f"Print job {job_id} belongs to printer {job.printer}",
                f"打印任务 {job_id} 属于打印机 {job.printer}",
            )
        self.store.requeue(job_id)
        fut = self.worker.submit(lambda: self._run_job(job_id))
        return self._wait(job_id, fut, wait)

    def resume(self) -> list[int]:
        """After start: jobs cut off by a crash become 'unconfirmed' (the paper may exist, so
        they are neither resent blindly nor taken as printed); jobs still 'queued' are printed
        (a reserved receipt once its bytes are rendered: see ReceiptPrinting.resume)."""
        interrupted = self.store.recover_interrupted(self.name)
        for job in self.store.jobs(self.name, states=("queued",), limit=1000)[::-1]:
            if not job.data:
                continue
            self.worker.submit(functools.partial(self._run_job, job.id))
        return interrupted

    # -- status and drawer --------------------------------------------------------------------
    def status(self, timeout: float = 10.0) -> PrinterStatus:
        """The printer's status, asked on its thread.  Callers asking while a question is
        already waiting (behind a long job) share it instead of piling up more."""
        with self._status_lock:
            fut = self._status_future
            if fut is None or fut.done():
                fut = self._status_future = self.worker.submit(self.printer.status)
        return self._result(fut, timeout)

    def call(self, fn: Callable[[EscposPrinter], T], timeout: float = 10.0) -> T:
        if self._db is None or not self._db.on_thread():
            return self.worker.call(lambda: fn(self.printer), timeout)
        # A drawer kick after a sale, on the database thread while the printer still prints
        # an earlier job: that job's state writes need this thread, so wait through it.
        return self._result(self.worker.submit(lambda: fn(self.printer)), timeout)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.worker.call(self.printer.close, 5.0)
        self.worker.stop()


# ---- the test page ----------------------------------------------------------------------------


def default_test_page(rec: DeviceRecord, status: PrinterStatus | None = None) -> bytes:
    """A test page with Chinese text (FS & + GB18030/GBK/Big5 + FS .), status and a QR.

    Built with python-escpos directly; the lead may pass `test_page=` to use the receipts
    package's page instead.
    """
    from escpos.printer import Dummy

    codec = str(rec.settings.get("cjk_codec", "gb18030"))
    p = Dummy()
    p._raw(b"\x1b\x40")
    p.set(align="center", double_height=True, double_width=True, bold=True)
    p._raw(b"\x1c\x26" + "柜台 打印测试".encode(codec, errors="replace") + b"\x1c\x2e\n")
    p.set(align="left", normal_textsize=True, bold=False)
    p.text(f"Guitai test page: {rec.name}\n")
    p.text(f"{rec.uri}\n")
    if status is not None:
        p.text(f"status: {status.state}\n")
    p._raw(b"\x1c\x26" + "中文显示正常即可。".encode(codec, errors="replace") + b"\x1c\x2e\n")
    p._raw(b"\x1b\x61\x01")  # ESC a 1: centre the QR (python-escpos' center= needs a width)
    # python-escpos 3.1 print()s a media-width notice on every image(); keep it off stdout.
    with contextlib.redirect_stdout(io.StringIO()):
        p.qr(f"GUITAI TEST {rec.name}", size=4)
    p.cut()
    return bytes(p.output)
