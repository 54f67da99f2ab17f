"""`Hardware`: every registered device, built from the registry, with status pollers and the
device ports (ReceiptPrinter, CashDrawer) the till uses."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from drivers.common.errors import ConfigError, DeviceUriError, DriverError
from drivers.common.flow import serial_path_probe
from drivers.common.uri import DeviceUri, parse_uri
from drivers.common.worker import DeviceWorker
from drivers.drawer.driver import SerialTriggerDrawer, drawer_open_from_status
from drivers.drawer.flow import on_trigger_box, trigger_drawer
from drivers.escpos.printer import DrawerPulse
from drivers.escpos.status import PrinterStatus
from pos_app.domain.devices import DeviceRecord, DeviceRegistry
from pos_app.domain.errors import GuitaiError, InvalidInput, StateError
from pos_app.domain.ports import Clock, SystemClock

from .messages import DeviceProblem, describe_state, invalid_setting, problem_from
from .printing import JobOutcome, PrinterService, default_test_page, printer_from_record

# ---- the facade the till's bootstrap uses -----------------------------------------------------


def _state_of(status: PrinterStatus) -> tuple[str, str | None]:
    state = status.state
    return state, (None if state == "ok" else state)


class Hardware:
    """All registered devices, built from the registry."""

    def __init__(
        self,
        store: DeviceRegistry,
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
        self._trial: dict[str, DeviceRecord] = {}

    # -- the registry, plus a device being tried before it is saved -----------------------------
    def _get(self, name: str) -> DeviceRecord:
        rec = self._trial.get(name)
        return rec if rec is not None else self.store.get_device(name)

    def _list(self, kind: str | None = None) -> list[DeviceRecord]:
        saved = [r for r in self.store.list_devices(kind) if r.name not in self._trial]
        trial = [r for r in self._trial.values() if kind in (None, r.kind)]
        return trial + saved

    def probe_unsaved(self, rec: DeviceRecord) -> tuple[str, str | None, dict[str, Any]]:
        """Test a device before it is saved (`guitai devices add`): nothing is written."""
        with self._lock:
            self._trial[rec.name] = rec
        try:
            return self.probe(rec)
        finally:
            with self._lock:
                self._trial.pop(rec.name, None)
                for key in (rec.name, f"drawer:{rec.name}"):
                    svc = self._printers.pop(key, None)
                    if svc is not None:
                        svc.close()
                trigger = self._trigger_drawers.pop(rec.name, None)
            if trigger is not None:
                drv, worker = trigger
                with contextlib.suppress(Exception):
                    worker.call(drv.close, 2.0)
                worker.stop()

    # -- printers -------------------------------------------------------------------------------
    def printer(self, name: str | None = None) -> PrinterService:
        with self._lock:
            if name is None:
                printers = self._list("printer")
                if not printers:
                    raise StateError(
                        "No receipt printer is set up: add one with `guitai devices add NAME "
                        "--kind printer --uri …`",
                        "尚未设置小票打印机：请用 guitai devices add 添加",
                    )
                name = printers[0].name
            svc = self._printers.get(name)
            if svc is None:
                rec = self._get(name)
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

    def print_reserved(self, job_id: int, data: bytes, *, wait: float | None = None) -> JobOutcome:
        job = self.store.job(job_id)
        return self.printer(job.printer).print_reserved(job_id, data, wait=wait)

    def reprint(self, job_id: int, *, wait: float | None = None) -> JobOutcome:
        job = self.store.job(job_id)
        return self.printer(job.printer).reprint(job_id, wait=wait)

    def resume(self) -> dict[str, list[int]]:
        return {rec.name: self.printer(rec.name).resume() for rec in self._list("printer")}

    # -- drawers --------------------------------------------------------------------------------
    def _drawer_target(
        self, name: str | None
    ) -> PrinterService | tuple[SerialTriggerDrawer, DeviceWorker]:
        """The printer that kicks the drawer, or a serial-trigger drawer's (driver, worker)."""
        if name is None:
            drawers = self._list("drawer")
            if not drawers:
                return self.printer(None)  # the usual case: drawer on the printer
            name = drawers[0].name
        rec = self._get(name)
        if rec.kind == "printer":
            return self.printer(name)
        if rec.kind != "drawer":
            raise InvalidInput(
                f"{name} is a {rec.kind}, not a cash drawer", f"{name} 是{rec.kind}，不是钱箱"
            )
        via = rec.settings.get("printer")
        if via:
            return self.printer(str(via))
        uri = parse_uri(rec.uri, "drawer")
        for prn in self._list("printer"):
            if prn.uri == rec.uri:
                return self.printer(prn.name)
        if on_trigger_box(uri, rec.settings):
            with self._lock:
                if name not in self._trigger_drawers:
                    try:
                        drv = trigger_drawer(uri, rec.settings)
                    except (DriverError, ValueError) as err:
                        raise InvalidInput(
                            f"Drawer setting: {err}", f"钱箱设置有误：{err}"
                        ) from err
                    self._trigger_drawers[name] = (drv, DeviceWorker(name))
                return self._trigger_drawers[name]
        # A drawer on a printer that is not itself registered as a printer.
        with self._lock:
            svc = self._printers.get(f"drawer:{name}")
            if svc is None:
                prn_rec = DeviceRecord(name, "printer", rec.uri, rec.settings, None, rec.added_at)
                svc = PrinterService(name, printer_from_record(prn_rec), self.store)
                self._printers[f"drawer:{name}"] = svc
            return svc

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
        target = self._drawer_target(drawer)
        try:
            if isinstance(target, PrinterService):
                svc = target
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
            drawers = self._list("drawer")
            return drawers[0].settings if drawers else {}
        rec = self._get(drawer)
        return rec.settings if rec.kind == "drawer" else {}

    def drawer_is_open(self, drawer: str | None = None) -> bool | None:
        target = self._drawer_target(drawer)
        level = str(self._drawer_settings(drawer).get("open_level", "high"))
        try:
            if isinstance(target, PrinterService):
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
            svc: PrinterService | None = None
            if rec.kind == "printer":
                svc = self.printer(rec.name)
            elif rec.kind == "drawer":
                target = self._drawer_target(rec.name)
                svc = target if isinstance(target, PrinterService) else None
            if svc is not None:
                st = svc.status()
                state, reason = _state_of(st)
                details: dict[str, Any] = {"status": st.as_dict()}  # the report's JSON
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
            d["unconfirmed_jobs"] = sum(1 for j in jobs if j.state == "unconfirmed")
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
        rec = self._get(name)
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
        for rec in self._list():
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
    return serial_path_probe(parse_uri(rec.uri, rec.kind))


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
