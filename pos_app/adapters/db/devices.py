"""The device registry, the persistent print-job queue, the drawer-open log, and device.status
events in the outbox, for the device threads (the DeviceRegistry port, pos_app.domain.devices).

Every method is one short read or one small unit of work (adapters/db/unit_of_work.py) on the
till's writing connection, its statements in the unit of work's `devices` repository
(repositories/devices.py).  Device threads call these, so each runs on the connection's
database thread (writer_thread.DbThread): a device write never lands inside a sale's transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from pos_app.domain.devices import UNCONFIRMED, DeviceRecord, PrintJob
from pos_app.domain.errors import InvalidInput, NotFound, StateError
from pos_app.domain.ids import time_ordered_id
from pos_app.domain.ports import Clock, SystemClock

from .unit_of_work import SqliteUnitOfWork
from .writer_thread import on_db_thread

KINDS = ("printer", "drawer", "scanner", "terminal")
DRAWER_REASONS = ("sale", "refund", "no_sale", "test")
JOB_STATES = ("queued", "printing", "done", "failed", "unconfirmed")


def rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class DeviceStore:
    """The SQLite implementation of the DeviceRegistry port (pos_app.domain.devices)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.conn = conn
        self.clock = clock or SystemClock()
        # Each write is one unit of work on the database thread: it waits for a sale's to
        # end, never joins it from a device thread.
        self.uow = SqliteUnitOfWork(conn)
        self.repo = self.uow.devices
        self.thread = self.uow.thread

    def _now(self) -> str:
        return rfc3339(self.clock.now())

    # -- registry -------------------------------------------------------------------------------
    @on_db_thread
    def add_device(
        self,
        name: str,
        kind: str,
        uri: str,
        settings: dict[str, Any] | None = None,
        serial_number: str | None = None,
        *,
        replace: bool = False,
    ) -> DeviceRecord:
        name = name.strip()
        if not name or len(name) > 64 or not name.isprintable():
            raise InvalidInput(
                "A device name needs 1–64 printable characters, e.g. printer1",
                "设备名称需为 1–64 个可打印字符，例如 printer1",
            )
        if kind not in KINDS:
            raise InvalidInput(
                f"Unknown device kind {kind!r}: use {', '.join(KINDS)}",
                f"未知设备类型 {kind}：可用 {', '.join(KINDS)}",
            )
        if serial_number:
            clash = self.repo.named_with_serial(serial_number, name)
            if clash is not None:
                raise InvalidInput(
                    f"This device (serial {serial_number}) is already set up as "
                    f"{clash!r}: remove that entry first",
                    f"该设备（序列号 {serial_number}）已登记为 {clash}：请先删除旧记录",
                )
        added_at = self._now()
        with self.uow:
            if self.repo.exists(name) and not replace:
                raise InvalidInput(
                    f"A device named {name!r} already exists: pick another name or remove it "
                    "with `guitai devices remove`",
                    f"已有名为 {name} 的设备：请换一个名称，或先用 guitai devices remove 删除",
                )
            self.repo.put(name, kind, uri, settings or {}, serial_number, added_at)
            self.uow.commit()
        return self.get_device(name)

    @on_db_thread
    def get_device(self, name: str) -> DeviceRecord:
        device = self.repo.get(name)
        if device is None:
            raise NotFound(
                f"No device named {name!r}: see `guitai devices list`, or add it with "
                "`guitai devices add`",
                f"没有名为 {name} 的设备：请查看 guitai devices list，或用 guitai devices add 添加",
            )
        return device

    @on_db_thread
    def list_devices(self, kind: str | None = None) -> list[DeviceRecord]:
        return self.repo.all(kind)

    @on_db_thread
    def remove_device(self, name: str) -> None:
        self.get_device(name)
        with self.uow:
            self.repo.delete(name)
            self.uow.commit()

    # -- print jobs -------------------------------------------------------------------------------
    @on_db_thread
    def enqueue(self, printer: str, data: bytes, kind: str, ref: str | None = None) -> int:
        if not data:
            raise InvalidInput("Nothing to print (empty job)", "打印内容为空")
        with self.uow:
            result = self.repo.add_job(printer, self._now(), kind, ref, data)
            self.uow.commit()
            return result

    @on_db_thread
    def reserve(self, printer: str, kind: str, ref: str) -> int:
        """A job whose bytes are not rendered yet, written inside the caller's transaction (a
        sale's or refund's: the receipt is owed from the moment the sale commits, so a till
        killed before it renders and sends the bytes still finds it at start).  Its data stays
        empty until `fill`; `unrendered` lists the ones a crash left behind."""
        if not self.conn.in_transaction:
            raise StateError(
                "A receipt's print job is reserved inside its sale's transaction",
                "小票打印任务须在销售事务内登记",
            )
        return self.repo.reserve_job(printer, self._now(), kind, ref)

    @on_db_thread
    def reserved(self, kind: str, ref: str) -> int | None:
        """The reserved, still unrendered job for this receipt, if there is one."""
        return self.repo.reserved(kind, ref)

    @on_db_thread
    def unrendered(self) -> list[PrintJob]:
        """Reserved jobs whose bytes were never rendered (the till stopped first), oldest first."""
        return self.repo.unrendered()

    @on_db_thread
    def fill(self, job_id: int, data: bytes) -> None:
        """The rendered bytes of a reserved job (still queued: the printer's thread sends it)."""
        if not data:
            raise InvalidInput("Nothing to print (empty job)", "打印内容为空")
        with self.uow:
            self.repo.fill(job_id, data)
            self.uow.commit()

    @on_db_thread
    def job(self, job_id: int) -> PrintJob:
        job = self.repo.job(job_id)
        if job is None:
            raise NotFound(f"No print job {job_id}", f"没有打印任务 {job_id}")
        return job

    @on_db_thread
    def jobs(
        self, printer: str | None = None, *, states: tuple[str, ...] = JOB_STATES, limit: int = 100
    ) -> list[PrintJob]:
        return self.repo.jobs(printer, states, limit)

    @on_db_thread
    def open_jobs(self, printer: str | None = None) -> list[PrintJob]:
        """Jobs not yet printed (queued, printing, failed) or not confirmed, oldest first."""
        return sorted(
            self.jobs(printer, states=("queued", "printing", "failed", UNCONFIRMED), limit=1000),
            key=lambda j: j.id,
        )

    @on_db_thread
    def mark_printing(self, job_id: int) -> PrintJob:
        with self.uow:
            if not self.repo.start_printing(job_id):
                if self.job(job_id).data == b"":
                    raise StateError(
                        f"Print job {job_id} is a receipt not rendered yet: the till prints it "
                        "when it starts with the printer set up",
                        f"打印任务 {job_id} 的小票尚未生成：收银机启动且打印机已设置时会自动打印",
                    )
                raise StateError(
                    f"Print job {job_id} is not waiting to print",
                    f"打印任务 {job_id} 不在等待打印状态",
                )
            self.uow.commit()
        return self.job(job_id)

    @on_db_thread
    def mark_done(self, job_id: int) -> None:
        with self.uow:
            self.repo.set_done(job_id, self._now())
            self.uow.commit()

    @on_db_thread
    def mark_unconfirmed(self, job_id: int, warning: str) -> None:
        """Sent in full, but the printer never said it printed it: kept for a reprint."""
        with self.uow:
            self.repo.set_done(job_id, self._now(), f"{UNCONFIRMED}:{warning}")
            self.uow.commit()

    @on_db_thread
    def confirm(self, job_id: int) -> PrintJob:
        """Someone saw the paper: an unconfirmed job is marked printed."""
        job = self.job(job_id)
        if job.state != UNCONFIRMED:
            raise StateError(
                f"Print job {job_id} is {job.state}, not waiting for confirmation",
                f"打印任务 {job_id} 状态为 {job.state}，无需确认",
            )
        with self.uow:
            self.repo.confirm(job_id)
            self.uow.commit()
        return self.job(job_id)

    @on_db_thread
    def mark_failed(self, job_id: int, error: str) -> None:
        with self.uow:
            self.repo.set_failed(job_id, error)
            self.uow.commit()

    @on_db_thread
    def requeue(self, job_id: int) -> PrintJob:
        """Reprint: a failed (or done) job goes back to the queue."""
        job = self.job(job_id)
        if job.state == "printing":
            raise StateError(
                f"Print job {job_id} is printing right now", f"打印任务 {job_id} 正在打印"
            )
        with self.uow:
            self.repo.requeue(job_id)
            self.uow.commit()
        return self.job(job_id)

    @on_db_thread
    def recover_interrupted(self, printer: str | None = None) -> list[int]:
        """After a crash, jobs left 'printing' are unconfirmed: some or all of the bytes may
        have reached the paper, so they are neither resent blindly nor taken as printed; they
        stay listed until someone looks at the paper (reprint or confirm)."""
        ids = [j.id for j in self.jobs(printer, states=("printing",), limit=1000)]
        for job_id in ids:
            self.mark_unconfirmed(job_id, "interrupted")
        return ids

    # -- drawer ---------------------------------------------------------------------------------
    @on_db_thread
    def record_drawer_open(
        self,
        reason: str,
        *,
        ref: str | None = None,
        user: str | None = None,
        drawer: str | None = None,
    ) -> int:
        if reason not in DRAWER_REASONS:
            raise InvalidInput(
                f"Drawer open reason must be one of {', '.join(DRAWER_REASONS)}",
                f"开钱箱原因必须是 {', '.join(DRAWER_REASONS)} 之一",
            )
        if reason in ("no_sale", "test") and not user:
            raise InvalidInput(
                "Opening the drawer without a sale needs the user's name",
                "无交易开钱箱必须记录操作人",
            )
        with self.uow:
            result = self.repo.add_drawer_open(self._now(), reason, ref, user, drawer)
            self.uow.commit()
            return result

    @on_db_thread
    def drawer_opens(self, limit: int = 100) -> list[dict[str, Any]]:
        return self.repo.drawer_opens(limit)

    # -- outbox ---------------------------------------------------------------------------------
    @on_db_thread
    def emit_device_status(self, device: str, kind: str, state: str, reason: str | None) -> str:
        """Write a device.status event (docs/events.md) with the next outbox seq."""
        event_id = time_ordered_id()
        at = self._now()
        payload = {"device": device, "kind": kind, "state": state, "reason": reason, "at": at}
        with self.uow:
            self.repo.add_status_event(event_id, at, payload)
            self.uow.commit()
        return event_id
