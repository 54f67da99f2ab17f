"""The device registry, the persistent print-job queue, the drawer-open log, and device.status
events in the outbox (schema 0002_devices; events as in docs/events.md).

Every method is one short read or one small unit of work (adapters/db/unit_of_work.py) on the
till's writing connection.  Device threads call these, so each runs on the connection's
database thread (writer_thread.DbThread): a device write never lands inside a sale's transaction.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

from pos_app.domain.devices import UNCONFIRMED, DeviceRecord, PrintJob
from pos_app.domain.errors import InvalidInput, NotFound, StateError
from pos_app.domain.events import DEVICE_STATUS, SCHEMA_VERSION
from pos_app.domain.ports import Clock, SystemClock

from .unit_of_work import SqliteUnitOfWork
from .writer_thread import on_db_thread

# A row by column name; the values are whatever SQLite stored in that column (the SELECT,
# not Python, fixes their types), so they stay Any until _device/_job convert them.
_Row = dict[str, Any]

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
        self.thread = self.uow.thread

    def _now(self) -> str:
        return rfc3339(self.clock.now())

    def _q(self, sql: str, args: tuple[Any, ...] = ()) -> list[_Row]:
        cur = self.conn.execute(sql, args)
        cols = [c[0] for c in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

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
            clash = self._q(
                "SELECT name FROM devices WHERE serial_number = ? AND name != ?",
                (serial_number, name),
            )
            if clash:
                raise InvalidInput(
                    f"This device (serial {serial_number}) is already set up as "
                    f"{clash[0]['name']!r}: remove that entry first",
                    f"该设备（序列号 {serial_number}）已登记为 {clash[0]['name']}：请先删除旧记录",
                )
        row = (
            name,
            kind,
            uri,
            json.dumps(settings or {}, ensure_ascii=False, sort_keys=True),
            serial_number,
            self._now(),
        )
        with self.uow:
            c = self.conn
            exists = c.execute("SELECT 1 FROM devices WHERE name = ?", (name,)).fetchone()
            if exists and not replace:
                raise InvalidInput(
                    f"A device named {name!r} already exists: pick another name or remove it "
                    "with `guitai devices remove`",
                    f"已有名为 {name} 的设备：请换一个名称，或先用 guitai devices remove 删除",
                )
            c.execute(
                "INSERT OR REPLACE INTO devices (name, kind, uri, settings, serial_number,"
                " added_at) VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            self.uow.commit()
        return self.get_device(name)

    @on_db_thread
    def get_device(self, name: str) -> DeviceRecord:
        rows = self._q("SELECT * FROM devices WHERE name = ?", (name,))
        if not rows:
            raise NotFound(
                f"No device named {name!r}: see `guitai devices list`, or add it with "
                "`guitai devices add`",
                f"没有名为 {name} 的设备：请查看 guitai devices list，或用 guitai devices add 添加",
            )
        return _device(rows[0])

    @on_db_thread
    def list_devices(self, kind: str | None = None) -> list[DeviceRecord]:
        if kind:
            rows = self._q("SELECT * FROM devices WHERE kind = ? ORDER BY name", (kind,))
        else:
            rows = self._q("SELECT * FROM devices ORDER BY kind, name")
        return [_device(r) for r in rows]

    @on_db_thread
    def remove_device(self, name: str) -> None:
        self.get_device(name)
        with self.uow:
            c = self.conn
            c.execute("DELETE FROM devices WHERE name = ?", (name,))
            self.uow.commit()

    # -- print jobs -------------------------------------------------------------------------------
    @on_db_thread
    def enqueue(self, printer: str, data: bytes, kind: str, ref: str | None = None) -> int:
        if not data:
            raise InvalidInput("Nothing to print (empty job)", "打印内容为空")
        with self.uow:
            c = self.conn
            cur = c.execute(
                "INSERT INTO print_jobs (printer, created_at, kind, ref, data, state)"
                " VALUES (?, ?, ?, ?, ?, 'queued')",
                (printer, self._now(), kind, ref, sqlite3.Binary(data)),
            )
            result = int(cur.lastrowid or 0)
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
        cur = self.conn.execute(
            "INSERT INTO print_jobs (printer, created_at, kind, ref, data, state)"
            " VALUES (?, ?, ?, ?, x'', 'queued')",
            (printer, self._now(), kind, ref),
        )
        return int(cur.lastrowid or 0)

    @on_db_thread
    def reserved(self, kind: str, ref: str) -> int | None:
        """The reserved, still unrendered job for this receipt, if there is one."""
        rows = self._q(
            "SELECT id FROM print_jobs WHERE ref = ? AND kind = ? AND state = 'queued'"
            " AND length(data) = 0 ORDER BY id LIMIT 1",
            (ref, kind),
        )
        return int(rows[0]["id"]) if rows else None

    @on_db_thread
    def unrendered(self) -> list[PrintJob]:
        """Reserved jobs whose bytes were never rendered (the till stopped first), oldest first."""
        rows = self._q(
            "SELECT * FROM print_jobs WHERE state = 'queued' AND length(data) = 0 ORDER BY id"
        )
        return [_job(r) for r in rows]

    @on_db_thread
    def fill(self, job_id: int, data: bytes) -> None:
        """The rendered bytes of a reserved job (still queued: the printer's thread sends it)."""
        if not data:
            raise InvalidInput("Nothing to print (empty job)", "打印内容为空")
        with self.uow:
            c = self.conn
            c.execute(
                "UPDATE print_jobs SET data = ? WHERE id = ? AND length(data) = 0",
                (sqlite3.Binary(data), job_id),
            )
            self.uow.commit()

    @on_db_thread
    def job(self, job_id: int) -> PrintJob:
        rows = self._q("SELECT * FROM print_jobs WHERE id = ?", (job_id,))
        if not rows:
            raise NotFound(f"No print job {job_id}", f"没有打印任务 {job_id}")
        return _job(rows[0])

    @on_db_thread
    def jobs(
        self, printer: str | None = None, *, states: tuple[str, ...] = JOB_STATES, limit: int = 100
    ) -> list[PrintJob]:
        plain = [x for x in states if x not in ("done", UNCONFIRMED)]
        where = [f"state IN ({','.join('?' * len(plain))})"] if plain else []
        args: tuple[Any, ...] = tuple(plain)
        if "done" in states:
            where.append("(state = 'done' AND coalesce(last_error, '') NOT LIKE 'unconfirmed%')")
        if UNCONFIRMED in states:
            where.append("(state = 'done' AND last_error LIKE 'unconfirmed%')")
        if not where:
            return []
        sql = f"SELECT * FROM print_jobs WHERE ({' OR '.join(where)})"
        if printer:
            sql += " AND printer = ?"
            args += (printer,)
        sql += " ORDER BY id DESC LIMIT ?"
        return [_job(r) for r in self._q(sql, (*args, limit))]

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
            c = self.conn
            cur = c.execute(
                "UPDATE print_jobs SET state = 'printing', attempts = attempts + 1"
                " WHERE id = ? AND state IN ('queued', 'failed') AND length(data) > 0",
                (job_id,),
            )
            if cur.rowcount != 1:
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
            c = self.conn
            c.execute(
                "UPDATE print_jobs SET state = 'done', done_at = ?, last_error = NULL WHERE id = ?",
                (self._now(), job_id),
            )
            self.uow.commit()

    @on_db_thread
    def mark_unconfirmed(self, job_id: int, warning: str) -> None:
        """Sent in full, but the printer never said it printed it: kept for a reprint."""
        with self.uow:
            c = self.conn
            c.execute(
                "UPDATE print_jobs SET state = 'done', done_at = ?, last_error = ? WHERE id = ?",
                (self._now(), f"{UNCONFIRMED}:{warning}", job_id),
            )
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
            c = self.conn
            c.execute(
                "UPDATE print_jobs SET last_error = NULL WHERE id = ? AND state = 'done'",
                (job_id,),
            )
            self.uow.commit()
        return self.job(job_id)

    @on_db_thread
    def mark_failed(self, job_id: int, error: str) -> None:
        with self.uow:
            c = self.conn
            c.execute(
                "UPDATE print_jobs SET state = 'failed', last_error = ? WHERE id = ?",
                (error, job_id),
            )
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
            c = self.conn
            c.execute("UPDATE print_jobs SET state = 'queued' WHERE id = ?", (job_id,))
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
            c = self.conn
            cur = c.execute(
                "INSERT INTO drawer_opens (at, reason, ref, user, drawer) VALUES (?, ?, ?, ?, ?)",
                (self._now(), reason, ref, user, drawer),
            )
            result = int(cur.lastrowid or 0)
            self.uow.commit()
            return result

    @on_db_thread
    def drawer_opens(self, limit: int = 100) -> list[dict[str, Any]]:
        return list(self._q("SELECT * FROM drawer_opens ORDER BY id DESC LIMIT ?", (limit,)))

    # -- outbox ---------------------------------------------------------------------------------
    @on_db_thread
    def emit_device_status(self, device: str, kind: str, state: str, reason: str | None) -> str:
        """Write a device.status event (docs/events.md) with the next outbox seq."""
        event_id = str(uuid.uuid4())
        at = self._now()
        payload = json.dumps(
            {"device": device, "kind": kind, "state": state, "reason": reason, "at": at},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        with self.uow:
            c = self.conn
            c.execute(
                "INSERT INTO outbox (seq, id, type, schema, occurred_at, payload, state)"
                " SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, 'pending' FROM outbox",
                (event_id, DEVICE_STATUS, SCHEMA_VERSION, at, payload),
            )
            self.uow.commit()
        return event_id


def _device(r: _Row) -> DeviceRecord:
    try:
        settings = json.loads(r["settings"] or "{}")
    except ValueError:
        settings = {}
    return DeviceRecord(r["name"], r["kind"], r["uri"], settings, r["serial_number"], r["added_at"])


def _job(r: _Row) -> PrintJob:
    return PrintJob(
        r["id"],
        r["printer"],
        r["created_at"],
        r["kind"],
        r["ref"],
        bytes(r["data"]),
        UNCONFIRMED
        if r["state"] == "done" and str(r["last_error"] or "").startswith(UNCONFIRMED)
        else r["state"],
        r["attempts"],
        r["last_error"],
        r["done_at"],
    )
