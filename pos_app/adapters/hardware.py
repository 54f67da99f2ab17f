"""The till's devices: drivers composed with the persistent job queue and device registry.

Implements the device ports (pos_app.domain.ports.ReceiptPrinter, CashDrawer).  Bootstrap:

    store = DeviceStore(db.conn, clock=clock)
    hw = Hardware(store, clock=clock)          # reads the registry, one worker per printer
    hw.resume()                                # failed 'printing' jobs after a crash; queued jobs
    hw.start_pollers(on_change=ui_callback)    # device.status events + the status bar
    printer = hw.receipt_printer()             # ReceiptPrinter port
    drawer = hw.cash_drawer()                  # CashDrawer port
    ...
    hw.close()

Rules kept here: one thread owns each printer (drivers.worker.DeviceWorker; status polls and
jobs share it so they never interleave); a job is in the database before a byte is sent and
stays there until the printer confirms, so a fault never loses a receipt and never touches the
sale; every failure reaches the cashier as GuitaiError with what to do, in Chinese and English.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from drivers.drawer import SerialTriggerDrawer, drawer_open_from_status
from drivers.errors import ConfigError, DeviceUnavailable, DeviceUriError, DriverError, PrinterFault
from drivers.printer import DrawerPulse, EscposPrinter
from drivers.status import PrinterStatus
from drivers.uri import DeviceUri, parse_uri
from drivers.worker import DeviceWorker
from pos_app.adapters.db.devices import DeviceRecord, DeviceStore
from pos_app.domain.errors import GuitaiError, InvalidInput, NotFound, StateError
from pos_app.domain.ports import Clock, SystemClock

# reason -> (English, Chinese): what happened, then what to do.
MESSAGES: dict[str, tuple[str, str]] = {
    "paper_out": ("Paper out: replace the roll, then Reprint", "纸用完了：请换纸卷，然后重印"),
    "cover_open": (
        "Printer cover open: close the cover, then Reprint",
        "打印机盖开着：请合上盖子，然后重印",
    ),
    "offline": (
        "Printer offline: check its power and lights, then Reprint",
        "打印机离线：请检查电源和指示灯，然后重印",
    ),
    "error": (
        "Printer error: switch the printer off and on, then Reprint",
        "打印机故障：请关闭再打开打印机，然后重印",
    ),
    "cutter_error": (
        "Paper cutter jammed: open the cover, clear the paper, close it, then Reprint",
        "切纸刀卡纸：请打开盖子清理纸张，合上后重印",
    ),
    "disconnected": (
        "Printer disconnected: check the cable or network, then Reprint",
        "打印机连接断开：请检查数据线或网络，然后重印",
    ),
    "not_found": (
        "Printer not found: check it is plugged in and switched on, then Reprint",
        "找不到打印机：请检查是否接好并已开机，然后重印",
    ),
    "permission": (
        "No permission to use the printer: ask the technician to install the udev "
        "rule (docs/devices.md)",
        "没有打印机使用权限：请技术员安装 udev 规则（见 docs/devices.md）",
    ),
    "no_backend": (
        "USB support (libusb) is missing: ask the technician to install libusb-1.0-0",
        "缺少 USB 支持（libusb）：请技术员安装 libusb-1.0-0",
    ),
    "timeout": (
        "The printer does not answer: check it is on and connected, then Reprint",
        "打印机无响应：请检查是否开机并连接，然后重印",
    ),
    "interrupted": (
        "Printing was interrupted (the till restarted): check the paper, then "
        "Reprint if the receipt is missing",
        "打印中断（收银机重启）：如小票缺失请重印",
    ),
    "busy": (
        "The printer is still busy with earlier receipts: wait a moment; this one is queued",
        "打印机仍在打印之前的小票：请稍候，本小票已排队",
    ),
}
# For the till's status bar: state -> (English, Chinese).
STATE_MESSAGES: dict[str, tuple[str, str]] = {
    "ok": ("Ready", "正常"),
    "paper_near_end": ("Paper running low: have a new roll ready", "纸快用完了：请准备新纸卷"),
    "paper_out": ("Paper out: replace the roll", "纸用完了：请换纸卷"),
    "cover_open": ("Cover open: close it", "打印机盖开着：请合上"),
    "cutter_error": ("Cutter jammed: clear the paper", "切纸刀卡纸：请清理"),
    "offline": ("Offline: check power and lights", "离线：请检查电源和指示灯"),
    "error": ("Printer error: switch it off and on", "打印机故障：请关机再开机"),
    "unknown": ("Status unknown (the device does not report it)", "状态未知（设备不回报状态）"),
    "unavailable": ("Not reachable: check power and cable", "无法连接：请检查电源和连线"),
}


def describe_state(state: str, reason: str | None = None) -> tuple[str, str]:
    """(English, Chinese) line for a device state, e.g. on the till's status bar."""
    en, zh = STATE_MESSAGES.get(state, (state, state))
    if state == "unavailable" and reason in MESSAGES:
        en, zh = MESSAGES[str(reason)]
        en, zh = en.replace(", then Reprint", ""), zh.replace("，然后重印", "")
    return en, zh


MID_JOB_EN = " (the receipt came out incomplete)"
MID_JOB_ZH = "（小票打印不完整）"


class DeviceProblem(GuitaiError):
    """A device could not do what was asked.  `reason` is the driver's stable code."""

    code = "device_problem"

    def __init__(
        self,
        message: str,
        message_zh: str,
        *,
        reason: str,
        device: str = "",
        job_id: int | None = None,
        mid_job: bool = False,
    ) -> None:
        super().__init__(message, message_zh)
        self.reason = reason
        self.device = device
        self.job_id = job_id
        self.mid_job = mid_job


class PrintFailed(DeviceProblem):
    """The job is kept (state 'failed'); Reprint sends it again."""

    code = "print_failed"


def problem_from(
    err: DriverError,
    device: str,
    *,
    job_id: int | None = None,
    cls: type[DeviceProblem] = DeviceProblem,
) -> DeviceProblem:
    reason = err.reason
    en, zh = MESSAGES.get(
        reason,
        (
            f"Device problem ({reason}): check the device, then retry",
            f"设备故障（{reason}）：请检查设备后重试",
        ),
    )
    if cls is not PrintFailed:  # not a print job: "Reprint" would confuse
        en, zh = (
            en.replace(", then Reprint", ", then try again"),
            zh.replace("，然后重印", "，然后重试"),
        )
    mid = isinstance(err, PrinterFault) and err.mid_job
    if mid:
        en, zh = en + MID_JOB_EN, zh + MID_JOB_ZH
    prefix_en = f"{device}: " if device else ""
    prefix_zh = f"{device}：" if device else ""
    return cls(
        prefix_en + en, prefix_zh + zh, reason=reason, device=device, job_id=job_id, mid_job=mid
    )


def invalid_setting(err: DriverError) -> InvalidInput:
    return InvalidInput(f"Device setting: {err.detail}", f"设备设置有误：{err.detail}")


# ---- building drivers from registry records ---------------------------------------------------


def _bool(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


def printer_from_record(rec: DeviceRecord) -> EscposPrinter:
    s = rec.settings
    try:
        uri = parse_uri(rec.uri, "printer")
        pulse = DrawerPulse(
            pin=int(s.get("drawer_pin", 2)),
            on_ms=int(s.get("drawer_on_ms", 50)),
            off_ms=int(s.get("drawer_off_ms", 500)),
        )
        timeout = float(s.get("status_timeout", 0.5))
        if not 0.05 <= timeout <= 10:
            raise ConfigError("status_timeout must be 0.05..10 seconds")
        print_timeout = float(s.get("print_timeout", 15.0))
        if not 0.5 <= print_timeout <= 300:
            raise ConfigError("print_timeout must be 0.5..300 seconds")
        return EscposPrinter(
            uri,
            status_timeout=timeout,
            drawer=pulse,
            require_status=_bool(s.get("require_status", False)),
            confirm_printed=_bool(s.get("confirm_printed", True)),
            print_timeout=print_timeout,
            realtime_kick=_bool(s.get("realtime_kick", True)),
        )
    except (ValueError, TypeError) as err:
        if isinstance(err, DriverError):
            raise invalid_setting(err) from err
        raise InvalidInput(f"Device setting: {err}", f"设备设置有误：{err}") from err


@dataclass
class JobOutcome:
    job_id: int
    state: str  # done | printing (still going after the wait) | queued
    warnings: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "state": self.state, "warnings": self.warnings}


class PrinterService:
    """One printer: its worker thread, its driver, its slice of the persistent job queue."""

    def __init__(
        self, name: str, printer: EscposPrinter, store: DeviceStore, *, wait_s: float = 30.0
    ) -> None:
        self.name = name
        self.printer = printer
        self.store = store
        self.wait_s = wait_s
        self.worker = DeviceWorker(name)
        self.last_error: str | None = None
        self._status_lock = threading.Lock()
        self._status_future: Any = None

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
        self.store.mark_done(job_id)
        self.last_error = None
        return JobOutcome(job_id, "done", result.warnings)

    def _wait(self, job_id: int, fut: Any, wait: float | None) -> JobOutcome:
        try:
            outcome: JobOutcome = fut.result(self.wait_s if wait is None else wait)
            return outcome
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
        """After start: jobs cut off by a crash become 'failed' (the paper may exist, so they
        are not resent blindly); jobs still 'queued' are printed."""
        interrupted = self.store.recover_interrupted(self.name)
        for job in self.store.jobs(self.name, states=("queued",), limit=1000)[::-1]:
            job_id = job.id
            self.worker.submit(lambda job_id=job_id: self._run_job(job_id))
        return interrupted

    # -- status and drawer --------------------------------------------------------------------
    def status(self, timeout: float = 10.0) -> PrinterStatus:
        """The printer's status, asked on its thread.  Callers asking while a question is
        already waiting (behind a long job) share it instead of piling up more."""
        with self._status_lock:
            fut = self._status_future
            if fut is None or fut.done():
                fut = self._status_future = self.worker.submit(self.printer.status)
        return fut.result(timeout)

    def call(self, fn: Callable[[EscposPrinter], Any], timeout: float = 10.0) -> Any:
        return self.worker.call(lambda: fn(self.printer), timeout)

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
    # python-escpos 3.1 print()s a media-width notice on every image(); keep it off stdout.
    with contextlib.redirect_stdout(io.StringIO()):
        p.qr(f"GUITAI TEST {rec.name}", size=4)
    p.cut()
    return bytes(p.output)


# ---- the facade the till's bootstrap uses -----------------------------------------------------


def _state_of(status: PrinterStatus) -> tuple[str, str | None]:
    state = status.state
    return state, (None if state == "ok" else state)


class Hardware:
    """All registered devices, built from the registry."""

    def __init__(
        self,
        store: DeviceStore,
        *,
        clock: Clock | None = None,
        test_page: Callable[[DeviceRecord, PrinterStatus | None], bytes] | None = None,
        wait_s: float = 30.0,
    ) -> None:
        self.store = store
        self.clock = clock or SystemClock()
        self.test_page = test_page or default_test_page
        self.wait_s = wait_s
        self._printers: dict[str, PrinterService] = {}
        self._trigger_drawers: dict[str, tuple[SerialTriggerDrawer, DeviceWorker]] = {}
        self._lock = threading.RLock()
        self._pollers: list[DevicePoller] = []
        self.states: dict[str, tuple[str, str | None]] = {}

    # -- printers -------------------------------------------------------------------------------
    def printer(self, name: str | None = None) -> PrinterService:
        with self._lock:
            if name is None:
                printers = self.store.list_devices("printer")
                if not printers:
                    raise StateError(
                        "No receipt printer is set up: add one with `guitai devices add NAME "
                        "--kind printer --uri …`",
                        "尚未设置小票打印机：请用 guitai devices add 添加",
                    )
                name = printers[0].name
            svc = self._printers.get(name)
            if svc is None:
                rec = self.store.get_device(name)
                if rec.kind != "printer":
                    raise InvalidInput(
                        f"{name} is a {rec.kind}, not a printer", f"{name} 是{rec.kind}，不是打印机"
                    )
                svc = PrinterService(name, printer_from_record(rec), self.store, wait_s=self.wait_s)
                self._printers[name] = svc
            return svc

    def enqueue_and_print(
        self,
        printer_name: str | None,
        data: bytes,
        kind: str,
        ref: str | None = None,
        *,
        wait: float | None = None,
    ) -> JobOutcome:
        return self.printer(printer_name).enqueue_and_print(data, kind, ref, wait=wait)

    def reprint(self, job_id: int, *, wait: float | None = None) -> JobOutcome:
        job = self.store.job(job_id)
        return self.printer(job.printer).reprint(job_id, wait=wait)

    def resume(self) -> dict[str, list[int]]:
        return {
            rec.name: self.printer(rec.name).resume() for rec in self.store.list_devices("printer")
        }

    # -- drawers --------------------------------------------------------------------------------
    def _drawer_target(self, name: str | None) -> tuple[str, Any]:
        """('printer', PrinterService) or ('trigger', (driver, worker)) for a drawer name."""
        if name is None:
            drawers = self.store.list_devices("drawer")
            if not drawers:
                return "printer", self.printer(None)  # the usual case: drawer on the printer
            name = drawers[0].name
        rec = self.store.get_device(name)
        if rec.kind == "printer":
            return "printer", self.printer(name)
        if rec.kind != "drawer":
            raise InvalidInput(
                f"{name} is a {rec.kind}, not a cash drawer", f"{name} 是{rec.kind}，不是钱箱"
            )
        via = rec.settings.get("printer")
        if via:
            return "printer", self.printer(str(via))
        uri = parse_uri(rec.uri, "drawer")
        for prn in self.store.list_devices("printer"):
            if prn.uri == rec.uri:
                return "printer", self.printer(prn.name)
        if uri.scheme == "serial" and rec.settings.get("via", "trigger") == "trigger":
            with self._lock:
                if name not in self._trigger_drawers:
                    try:
                        drv = SerialTriggerDrawer(
                            uri,
                            trigger=bytes.fromhex(str(rec.settings.get("trigger", "07"))),
                            status_line=str(rec.settings.get("status_line", "none")),
                            open_level=str(rec.settings.get("open_level", "high")),
                        )
                    except (DriverError, ValueError) as err:
                        raise InvalidInput(
                            f"Drawer setting: {err}", f"钱箱设置有误：{err}"
                        ) from err
                    self._trigger_drawers[name] = (drv, DeviceWorker(name))
                return "trigger", self._trigger_drawers[name]
        # A drawer on a printer that is not itself registered as a printer.
        with self._lock:
            svc = self._printers.get(f"drawer:{name}")
            if svc is None:
                prn_rec = DeviceRecord(name, "printer", rec.uri, rec.settings, None, rec.added_at)
                svc = PrinterService(name, printer_from_record(prn_rec), self.store)
                self._printers[f"drawer:{name}"] = svc
            return "printer", svc

    def open_drawer(
        self,
        reason: str,
        *,
        ref: str | None = None,
        user: str | None = None,
        drawer: str | None = None,
    ) -> int:
        """Kick the drawer, then record the open (sale / refund / no_sale / test)."""
        if reason in ("no_sale", "test") and not user:
            raise InvalidInput(
                "Opening the drawer without a sale needs the user's name",
                "无交易开钱箱必须记录操作人",
            )
        how, target = self._drawer_target(drawer)
        try:
            if how == "printer":
                svc: PrinterService = target
                settings = self._drawer_settings(drawer)
                pulse = svc.printer.drawer
                if settings:
                    pulse = DrawerPulse(
                        pin=int(settings.get("drawer_pin", pulse.pin)),
                        on_ms=int(settings.get("drawer_on_ms", pulse.on_ms)),
                        off_ms=int(settings.get("drawer_off_ms", pulse.off_ms)),
                    )
                svc.call(lambda p: p.kick_drawer(pulse))
                name = svc.name
            else:
                drv, worker = target
                worker.call(drv.kick, 10.0)
                name = drawer or ""
        except ConfigError as err:
            raise invalid_setting(err) from err
        except DriverError as err:
            raise problem_from(err, drawer or "drawer") from err
        return self.store.record_drawer_open(reason, ref=ref, user=user, drawer=name)

    def _drawer_settings(self, drawer: str | None) -> dict[str, Any]:
        if drawer is None:
            drawers = self.store.list_devices("drawer")
            return drawers[0].settings if drawers else {}
        rec = self.store.get_device(drawer)
        return rec.settings if rec.kind == "drawer" else {}

    def drawer_is_open(self, drawer: str | None = None) -> bool | None:
        how, target = self._drawer_target(drawer)
        level = str(self._drawer_settings(drawer).get("open_level", "high"))
        try:
            if how == "printer":
                st = target.status()
                return drawer_open_from_status(st, level)
            drv, worker = target
            result: bool | None = worker.call(drv.is_open, 10.0)
            return result
        except DriverError as err:
            raise problem_from(err, drawer or "drawer") from err

    # -- status, test, diagnostics --------------------------------------------------------------
    def probe(self, rec: DeviceRecord) -> tuple[str, str | None, dict[str, Any]]:
        """(state, reason, details) of one device, right now."""
        try:
            if rec.kind == "printer" or (
                rec.kind == "drawer" and self._drawer_target(rec.name)[0] == "printer"
            ):
                svc = (
                    self.printer(rec.name)
                    if rec.kind == "printer"
                    else self._drawer_target(rec.name)[1]
                )
                st = svc.status()
                state, reason = _state_of(st)
                details = {"status": st.as_dict()}
                if rec.kind == "drawer":
                    details["drawer_open"] = drawer_open_from_status(
                        st, str(rec.settings.get("open_level", "high"))
                    )
                return state, reason, details
            if rec.kind == "drawer":
                state, reason, details = _probe_serial_path(rec)
                if state != "ok":
                    return state, reason, details
                return "ok", None, {"drawer_open": self.drawer_is_open(rec.name)}
            if rec.kind == "scanner":
                return _probe_serial_path(rec)
            return "unknown", "not_checked", {"note": "payment terminals are checked by payments"}
        except DeviceProblem as err:
            return "unavailable", err.reason, {"error": err.message}
        except DriverError as err:
            return "unavailable", err.reason, {"error": err.detail}
        except FutureTimeout:
            # Busy printing a long job, not gone: keep the last known state.
            state, reason = self.states.get(rec.name, ("unknown", "busy"))
            return state, reason, {"busy": True}

    def diagnostics(self, rec: DeviceRecord) -> dict[str, Any]:
        import escpos

        d: dict[str, Any] = {
            "transport": rec.uri.split("://")[0],
            "settings": rec.settings,
            "python_escpos": getattr(escpos, "__version__", "3.1"),
        }
        if rec.kind == "printer":
            svc = self._printers.get(rec.name)
            jobs = self.store.open_jobs(rec.name)
            d["queued_jobs"] = sum(1 for j in jobs if j.state == "queued")
            d["failed_jobs"] = sum(1 for j in jobs if j.state == "failed")
            d["last_error"] = svc.last_error if svc else None
            if svc is not None:
                d["status_timeout_s"] = svc.printer.status_timeout
                d["drawer_pulse"] = vars(svc.printer.drawer)
        if rec.uri.startswith("usb://"):
            d["usb_backend"] = _usb_backend()
        return d

    def device_report(self, rec: DeviceRecord) -> dict[str, Any]:
        state, reason, details = self.probe(rec)
        message = describe_state(state, reason)
        return {
            **rec.as_dict(),
            "state": state,
            "reason": reason,
            "message": message[0],
            "message_zh": message[1],
            **details,
            "diagnostics": self.diagnostics(rec),
        }

    def print_test_page(self, name: str, *, wait: float | None = None) -> dict[str, Any]:
        rec = self.store.get_device(name)
        svc = self.printer(name)
        try:
            st = svc.status()
        except DriverError as err:
            raise problem_from(err, name) from err
        outcome = svc.enqueue_and_print(self.test_page(rec, st), "test", f"test:{name}", wait=wait)
        return {"status": st.as_dict(), **outcome.as_dict()}

    # -- ports ------------------------------------------------------------------------------------
    def receipt_printer(self, name: str | None = None) -> HardwareReceiptPrinter:
        return HardwareReceiptPrinter(self, name)

    def cash_drawer(self, name: str | None = None) -> HardwareCashDrawer:
        return HardwareCashDrawer(self, name)

    # -- pollers ----------------------------------------------------------------------------------
    def start_pollers(
        self,
        interval_s: float = 5.0,
        on_change: Callable[[str, str, str | None], None] | None = None,
    ) -> None:
        for rec in self.store.list_devices():
            if rec.kind == "terminal":
                continue  # the payments adapter watches its terminals
            poller = DevicePoller(self, rec, interval_s, on_change)
            poller.start()
            self._pollers.append(poller)

    def poll_once(self, rec: DeviceRecord) -> bool:
        """Probe one device; write a device.status event if its state changed."""
        state, reason, _ = self.probe(rec)
        if self.states.get(rec.name) == (state, reason):
            return False
        self.states[rec.name] = (state, reason)
        self.store.emit_device_status(rec.name, rec.kind, state, reason)
        return True

    def close(self) -> None:
        for poller in self._pollers:
            poller.stop()
        self._pollers.clear()
        with self._lock:
            for svc in self._printers.values():
                svc.close()
            self._printers.clear()
            for drv, worker in self._trigger_drawers.values():
                with contextlib.suppress(Exception):
                    worker.call(drv.close, 2.0)
                worker.stop()
            self._trigger_drawers.clear()


def _probe_serial_path(rec: DeviceRecord) -> tuple[str, str | None, dict[str, Any]]:
    import os

    uri = parse_uri(rec.uri, rec.kind)
    path = uri.path or ""
    if not os.path.exists(path):
        return "unavailable", "not_found", {"error": f"{path} does not exist (unplugged?)"}
    if not os.access(path, os.R_OK | os.W_OK):
        return "unavailable", "permission", {"error": f"no permission on {path} (dialout group)"}
    return "ok", None, {}


def _usb_backend() -> str:
    try:
        import usb.backend.libusb1

        return "libusb1" if usb.backend.libusb1.get_backend() is not None else "missing"
    except Exception as err:  # pragma: no cover - depends on the machine
        return f"error: {err}"


class DevicePoller:
    """One per device: turns status changes into device.status events (and a UI callback)."""

    def __init__(
        self,
        hw: Hardware,
        rec: DeviceRecord,
        interval_s: float,
        on_change: Callable[[str, str, str | None], None] | None,
    ) -> None:
        self.hw = hw
        self.rec = rec
        self.interval_s = max(0.05, interval_s)
        self.on_change = on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"poll:{rec.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                changed = self.hw.poll_once(self.rec)
            except GuitaiError:
                changed = False  # e.g. the database is busy: try again next round
            if changed and self.on_change is not None:
                state, reason = self.hw.states[self.rec.name]
                with contextlib.suppress(Exception):
                    self.on_change(self.rec.name, state, reason)
            self._stop.wait(self.interval_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10.0)


class HardwareReceiptPrinter:
    """The ReceiptPrinter port: print after commit; a failure raises PrintFailed, job kept."""

    def __init__(self, hw: Hardware, name: str | None = None) -> None:
        self.hw = hw
        self.name = name

    def print_job(self, data: bytes, *, job_id: str, kind: str = "receipt") -> None:
        self.hw.enqueue_and_print(self.name, data, kind, job_id)


class HardwareCashDrawer:
    """The CashDrawer port."""

    def __init__(self, hw: Hardware, name: str | None = None) -> None:
        self.hw = hw
        self.name = name

    def open(
        self, *, reason: str = "sale", ref: str | None = None, user: str | None = None
    ) -> None:
        self.hw.open_drawer(reason, ref=ref, user=user, drawer=self.name)


def validate_uri(uri: str, kind: str) -> DeviceUri:
    try:
        return parse_uri(uri, kind)
    except DeviceUriError as err:
        raise InvalidInput(f"Device address {err.detail}", f"设备地址有误：{err.detail}") from err


def wait_for(pred: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


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
    "NotFound",
    "PrintFailed",
    "PrinterService",
    "default_test_page",
    "describe_state",
    "printer_from_record",
    "validate_uri",
]
