"""`devices`, `print_jobs`, `drawer_opens` and the device.status events in `outbox` (schema
0002_devices; events as in docs/events.md).  Plain statements: the caller's unit of work
(adapters/db/devices.DeviceStore) begins and ends the transaction."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pos_app.domain.devices import UNCONFIRMED, DeviceRecord, PrintJob
from pos_app.domain.events import DEVICE_STATUS, SCHEMA_VERSION

# A row by column name; the values are whatever SQLite stored in that column (the SELECT,
# not Python, fixes their types), so they stay Any until _device/_job convert them.
_Row = dict[str, Any]


class SqliteDevices:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _q(self, sql: str, args: tuple[Any, ...] = ()) -> list[_Row]:
        cur = self.conn.execute(sql, args)
        cols = [c[0] for c in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    # -- registry -------------------------------------------------------------------------------
    def named_with_serial(self, serial_number: str, other_than: str) -> str | None:
        """The name of another device already keyed on this serial number, if any."""
        rows = self._q(
            "SELECT name FROM devices WHERE serial_number = ? AND name != ?",
            (serial_number, other_than),
        )
        return str(rows[0]["name"]) if rows else None

    def exists(self, name: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM devices WHERE name = ?", (name,)).fetchone()
            is not None
        )

    def put(
        self,
        name: str,
        kind: str,
        uri: str,
        settings: dict[str, Any],
        serial_number: str | None,
        added_at: str,
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO devices (name, kind, uri, settings, serial_number,"
            " added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                name,
                kind,
                uri,
                json.dumps(settings, ensure_ascii=False, sort_keys=True),
                serial_number,
                added_at,
            ),
        )

    def get(self, name: str) -> DeviceRecord | None:
        rows = self._q("SELECT * FROM devices WHERE name = ?", (name,))
        return _device(rows[0]) if rows else None

    def all(self, kind: str | None = None) -> list[DeviceRecord]:
        if kind:
            rows = self._q("SELECT * FROM devices WHERE kind = ? ORDER BY name", (kind,))
        else:
            rows = self._q("SELECT * FROM devices ORDER BY kind, name")
        return [_device(r) for r in rows]

    def delete(self, name: str) -> None:
        self.conn.execute("DELETE FROM devices WHERE name = ?", (name,))

    # -- print jobs -----------------------------------------------------------------------------
    def add_job(
        self, printer: str, created_at: str, kind: str, ref: str | None, data: bytes
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO print_jobs (printer, created_at, kind, ref, data, state)"
            " VALUES (?, ?, ?, ?, ?, 'queued')",
            (printer, created_at, kind, ref, sqlite3.Binary(data)),
        )
        return int(cur.lastrowid or 0)

    def reserve_job(self, printer: str, created_at: str, kind: str, ref: str) -> int:
        """A queued job whose bytes are not rendered yet (empty data until `fill`)."""
        cur = self.conn.execute(
            "INSERT INTO print_jobs (printer, created_at, kind, ref, data, state)"
            " VALUES (?, ?, ?, ?, x'', 'queued')",
            (printer, created_at, kind, ref),
        )
        return int(cur.lastrowid or 0)

    def reserved(self, kind: str, ref: str) -> int | None:
        rows = self._q(
            "SELECT id FROM print_jobs WHERE ref = ? AND kind = ? AND state = 'queued'"
            " AND length(data) = 0 ORDER BY id LIMIT 1",
            (ref, kind),
        )
        return int(rows[0]["id"]) if rows else None

    def unrendered(self) -> list[PrintJob]:
        rows = self._q(
            "SELECT * FROM print_jobs WHERE state = 'queued' AND length(data) = 0 ORDER BY id"
        )
        return [_job(r) for r in rows]

    def fill(self, job_id: int, data: bytes) -> None:
        self.conn.execute(
            "UPDATE print_jobs SET data = ? WHERE id = ? AND length(data) = 0",
            (sqlite3.Binary(data), job_id),
        )

    def job(self, job_id: int) -> PrintJob | None:
        rows = self._q("SELECT * FROM print_jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def jobs(self, printer: str | None, states: tuple[str, ...], limit: int) -> list[PrintJob]:
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

    def start_printing(self, job_id: int) -> bool:
        """queued or failed, with its bytes → printing (one more attempt); False: it was not."""
        cur = self.conn.execute(
            "UPDATE print_jobs SET state = 'printing', attempts = attempts + 1"
            " WHERE id = ? AND state IN ('queued', 'failed') AND length(data) > 0",
            (job_id,),
        )
        return cur.rowcount == 1

    def set_done(self, job_id: int, at: str, last_error: str | None = None) -> None:
        """Printed (last_error None), or sent but unconfirmed (last_error 'unconfirmed:…')."""
        self.conn.execute(
            "UPDATE print_jobs SET state = 'done', done_at = ?, last_error = ? WHERE id = ?",
            (at, last_error, job_id),
        )

    def confirm(self, job_id: int) -> None:
        self.conn.execute(
            "UPDATE print_jobs SET last_error = NULL WHERE id = ? AND state = 'done'",
            (job_id,),
        )

    def set_failed(self, job_id: int, error: str) -> None:
        self.conn.execute(
            "UPDATE print_jobs SET state = 'failed', last_error = ? WHERE id = ?",
            (error, job_id),
        )

    def requeue(self, job_id: int) -> None:
        self.conn.execute("UPDATE print_jobs SET state = 'queued' WHERE id = ?", (job_id,))

    # -- drawer ---------------------------------------------------------------------------------
    def add_drawer_open(
        self, at: str, reason: str, ref: str | None, user: str | None, drawer: str | None
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO drawer_opens (at, reason, ref, user, drawer) VALUES (?, ?, ?, ?, ?)",
            (at, reason, ref, user, drawer),
        )
        return int(cur.lastrowid or 0)

    def drawer_opens(self, limit: int) -> list[dict[str, Any]]:
        return list(self._q("SELECT * FROM drawer_opens ORDER BY id DESC LIMIT ?", (limit,)))

    # -- outbox ---------------------------------------------------------------------------------
    def add_status_event(self, event_id: str, at: str, payload: dict[str, Any]) -> None:
        """A device.status event (docs/events.md) with the next outbox seq."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        self.conn.execute(
            "INSERT INTO outbox (seq, id, type, schema, occurred_at, payload, state)"
            " SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, 'pending' FROM outbox",
            (event_id, DEVICE_STATUS, SCHEMA_VERSION, at, body),
        )


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
