"""The till's repository over SQLite: every SQL statement the core needs lives here or in
reports_sql.py.  One writing connection; `transaction()` is the unit of work (BEGIN IMMEDIATE,
so the receipt number is taken under the write lock and stays gap-free)."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pos_app.domain.journal import GENESIS, JournalEntry, canonical, entry_hash
from pos_app.domain.timeutil import iso_utc
from pos_app.domain.users import User

from .storage_errors import storage_error


def _iso(dt: datetime) -> str:
    return iso_utc(dt)


class SqliteStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._depth = 0
        # shared with every other writer on this connection (device threads, payments)
        self.lock: threading.RLock = getattr(conn, "lock", None) or threading.RLock()

    # ---- unit of work ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT; nested calls join the outer transaction."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as err:
                mapped = storage_error(err)
                if mapped is None:
                    raise
                raise mapped from err
            self._depth = 1
            try:
                yield
                self._depth = 0
                self.conn.execute("COMMIT")
            except BaseException as err:
                self._depth = 0
                if self.conn.in_transaction:
                    # SQLite may already have rolled back after SQLITE_FULL / IOERR
                    self.conn.execute("ROLLBACK")
                mapped = storage_error(err)
                if mapped is None:
                    raise
                raise mapped from err

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, args).fetchone()
        return row[0] if row else None

    # ---- settings -------------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        v = self._one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if v is None else str(v)

    def settings(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM settings").fetchall())

    def put_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES(?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # ---- users ----------------------------------------------------------------------------

    def add_user(self, name: str, roles: frozenset[str], pin_hash: str, at: datetime) -> None:
        self.conn.execute(
            "INSERT INTO users(name, roles, pin_hash, created_at) VALUES(?, ?, ?, ?)",
            (name, ",".join(sorted(roles)), pin_hash, _iso(at)),
        )

    def user(self, name: str) -> User | None:
        row = self.conn.execute(
            "SELECT name, roles, pin_hash, failed_attempts, locked_until, active "
            "FROM users WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None:
            return None
        locked = datetime.fromisoformat(row[4]) if row[4] else None
        return User(
            row[0],
            frozenset(r for r in row[1].split(",") if r),
            row[2],
            row[3],
            locked,
            bool(row[5]),
        )

    def users(self) -> list[User]:
        names = [r[0] for r in self.conn.execute("SELECT name FROM users ORDER BY name")]
        return [u for n in names if (u := self.user(n)) is not None]

    def count_pin_failure(self, name: str) -> int:
        """One more failure, counted in the database (not read, added to and written back), so
        attempts racing from several processes each count; call inside `transaction()`."""
        row = self.conn.execute(
            "UPDATE users SET failed_attempts = failed_attempts + 1 WHERE name = ? "
            "RETURNING failed_attempts",
            (name,),
        ).fetchone()
        return int(row[0]) if row else 0

    def lock_user(self, name: str, until: datetime) -> None:
        self.conn.execute(
            "UPDATE users SET locked_until = ? WHERE name = ?", (until.isoformat(), name)
        )

    def clear_pin_failures(self, name: str) -> None:
        self.conn.execute(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE name = ?", (name,)
        )

    def set_pin_hash(self, name: str, pin_hash: str) -> None:
        self.conn.execute("UPDATE users SET pin_hash = ? WHERE name = ?", (pin_hash, name))

    def set_user_active(self, name: str, active: bool) -> None:
        self.conn.execute("UPDATE users SET active = ? WHERE name = ?", (int(active), name))

    # ---- shifts ---------------------------------------------------------------------------

    def open_shift(self) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT id, business_day, opened_at, opened_by, float_fen FROM shifts "
            "WHERE closed_at IS NULL"
        ).fetchone()
        if row is None:
            return None
        return dict(
            zip(("id", "business_day", "opened_at", "opened_by", "float_fen"), row, strict=True)
        )

    def insert_shift(self, business_day: str, opened_at: str, user: str, float_fen: int) -> int:
        cur = self.conn.execute(
            "INSERT INTO shifts(business_day, opened_at, opened_by, float_fen) VALUES(?,?,?,?)",
            (business_day, opened_at, user, float_fen),
        )
        return int(cur.lastrowid or 0)

    def close_shift(
        self,
        shift_id: int,
        closed_at: str,
        user: str,
        counted_fen: int,
        z_no: int,
        report: Mapping[str, Any],
    ) -> None:
        self.conn.execute(
            "UPDATE shifts SET closed_at = ?, closed_by = ?, counted_fen = ?, z_no = ?, "
            "z_report = ? WHERE id = ? AND closed_at IS NULL",
            (closed_at, user, counted_fen, z_no, json.dumps(report, ensure_ascii=False), shift_id),
        )

    def next_z_no(self) -> int:
        return int(self._one("SELECT coalesce(max(z_no), 0) + 1 FROM shifts"))

    def z_report(self, *, day: str | None = None, z_no: int | None = None) -> list[dict[str, Any]]:
        if z_no is not None:
            rows = self.conn.execute("SELECT z_report FROM shifts WHERE z_no = ?", (z_no,))
        else:
            rows = self.conn.execute(
                "SELECT z_report FROM shifts WHERE business_day = ? AND z_report IS NOT NULL "
                "ORDER BY z_no",
                (day,),
            )
        return [json.loads(r[0]) for r in rows]

    # ---- journal and outbox ---------------------------------------------------------------

    def next_receipt_no(self) -> int:
        return int(self._one("SELECT coalesce(max(receipt_no), 0) + 1 FROM sales"))

    def append_journal(
        self, kind: str, ref_id: str, payload: Mapping[str, Any], at: str
    ) -> tuple[int, str, str]:
        last = self.conn.execute(
            "SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq = (last[0] if last else 0) + 1
        prev = bytes.fromhex(last[1]) if last else GENESIS
        body = canonical(payload)
        digest = entry_hash(prev, body)
        self.conn.execute(
            "INSERT INTO journal(seq, kind, ref_id, payload, prev_hash, entry_hash, created_at) "
            "VALUES(?,?,?,?,?,?,?)",
            (seq, kind, ref_id, body.decode("utf-8"), prev.hex(), digest.hex(), at),
        )
        return seq, prev.hex(), digest.hex()

    def journal_entries(self) -> Iterator[JournalEntry]:
        for row in self.conn.execute(
            "SELECT seq, kind, ref_id, payload, prev_hash, entry_hash FROM journal ORDER BY seq"
        ):
            yield JournalEntry(*row)

    def append_outbox(
        self,
        type_: str,
        payload: Mapping[str, Any],
        occurred_at: str,
        prev_entry_hash: str | None = None,
        entry_hash_hex: str | None = None,
    ) -> str:
        event_id = str(uuid.uuid4())
        seq = int(self._one("SELECT coalesce(max(seq), 0) + 1 FROM outbox"))
        self.conn.execute(
            "INSERT INTO outbox(seq, id, type, schema, occurred_at, payload, prev_entry_hash, "
            "entry_hash) VALUES(?,?,?,?,?,?,?,?)",
            (
                seq,
                event_id,
                type_,
                1,
                occurred_at,
                json.dumps(payload, ensure_ascii=False, sort_keys=True),
                prev_entry_hash,
                entry_hash_hex,
            ),
        )
        return event_id

    # ---- sales ----------------------------------------------------------------------------

    def insert_sale(self, kind: str, payload: Mapping[str, Any], journal_seq: int) -> None:
        sale_id = payload["sale_id"] if kind == "sale" else payload["refund_id"]
        member = payload.get("member") or {}
        lines = payload["lines"]
        subtotal = payload.get(
            "subtotal_fen", sum(int(x["unit_price_fen"]) * int(x["qty"]) for x in lines)
        )
        discount = sum(int(x.get("discount_fen", 0)) for x in lines)
        self.conn.execute(
            "INSERT INTO sales(id, kind, receipt_no, shift_id, business_day, completed_at, "
            "cashier, associate, member_id, original_sale_id, subtotal_fen, discount_fen, "
            "rounding_fen, total_fen, journal_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                sale_id,
                kind,
                payload["receipt_no"],
                payload["shift_id"],
                payload["business_day"],
                payload["completed_at"],
                payload["cashier"],
                payload.get("associate"),
                member.get("id"),
                payload.get("original_sale_id"),
                subtotal,
                discount,
                payload.get("rounding_fen", 0),
                payload["total_fen"],
                journal_seq,
            ),
        )
        self.conn.executemany(
            "INSERT INTO sale_lines(sale_id, line_no, sku, name, qty, unit_price_fen, "
            "discount_fen, amount_fen, vat_rate_bp, category) VALUES(?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    sale_id,
                    x["line_no"],
                    x["sku"],
                    x["name"],
                    x["qty"],
                    x["unit_price_fen"],
                    x.get("discount_fen", 0),
                    x["amount_fen"],
                    x["vat_rate_bp"],
                    x.get("category", ""),
                )
                for x in lines
            ],
        )
        self.conn.executemany(
            "INSERT INTO payments(sale_id, seq, tender, amount_fen, change_fen, reference) "
            "VALUES(?,?,?,?,?,?)",
            [
                (
                    sale_id,
                    i + 1,
                    p["tender"],
                    p["amount_fen"],
                    p.get("change_fen", 0),
                    p.get("reference"),
                )
                for i, p in enumerate(payload["payments"])
            ],
        )

    def sale_payload(
        self, *, receipt_no: int | None = None, sale_id: str | None = None
    ) -> dict[str, Any] | None:
        if receipt_no is not None:
            row = self.conn.execute(
                "SELECT j.payload, j.entry_hash, s.kind, s.reprints FROM sales s "
                "JOIN journal j ON j.seq = s.journal_seq WHERE s.receipt_no = ?",
                (receipt_no,),
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT j.payload, j.entry_hash, s.kind, s.reprints FROM sales s "
                "JOIN journal j ON j.seq = s.journal_seq WHERE s.id = ?",
                (sale_id,),
            ).fetchone()
        if row is None:
            return None
        payload: dict[str, Any] = json.loads(row[0])
        payload["_entry_hash"] = row[1]
        payload["_kind"] = row[2]
        payload["_reprints"] = row[3]
        return payload

    def returned_qty(self, sale_id: str) -> dict[int, int]:
        """Per original line_no, how many units refunds have already taken back."""
        rows = self.conn.execute(
            "SELECT l.line_no, sum(l.qty) FROM sales s JOIN sale_lines l ON l.sale_id = s.id "
            "WHERE s.original_sale_id = ? GROUP BY l.line_no",
            (sale_id,),
        )
        return {int(a): int(b) for a, b in rows}

    def refunded_by_tender(self, sale_id: str) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT p.tender, -sum(p.amount_fen) FROM sales s JOIN payments p ON p.sale_id = s.id "
            "WHERE s.original_sale_id = ? GROUP BY p.tender",
            (sale_id,),
        )
        return {str(a): int(b) for a, b in rows}

    def count_reprint(self, receipt_no: int) -> int:
        self.conn.execute(
            "UPDATE sales SET reprints = reprints + 1 WHERE receipt_no = ?", (receipt_no,)
        )
        return int(self._one("SELECT reprints FROM sales WHERE receipt_no = ?", (receipt_no,)))

    def list_sales(self, *, day: str | None = None, limit: int | None = 50) -> list[dict[str, Any]]:
        """The newest completed sales and refunds first; limit None: all of them."""
        sql = (
            "SELECT receipt_no, kind, id, completed_at, business_day, cashier, total_fen, "
            "original_sale_id FROM sales"
        )
        args: tuple[Any, ...] = ()
        if day:
            sql += " WHERE business_day = ?"
            args = (day,)
        sql += " ORDER BY receipt_no DESC LIMIT ?"
        limit = -1 if limit is None else limit  # SQLite: a negative LIMIT is no limit
        cols = (
            "receipt_no",
            "kind",
            "id",
            "completed_at",
            "business_day",
            "cashier",
            "total_fen",
            "original_sale_id",
        )
        return [dict(zip(cols, r, strict=True)) for r in self.conn.execute(sql, (*args, limit))]

    # ---- cash, voids, audit, suspended ----------------------------------------------------

    def insert_cash_move(
        self, shift_id: int, kind: str, amount_fen: int, reason: str, user: str, at: str
    ) -> None:
        self.conn.execute(
            "INSERT INTO cash_moves(shift_id, kind, amount_fen, reason, user, at) "
            "VALUES(?,?,?,?,?,?)",
            (shift_id, kind, amount_fen, reason, user, at),
        )

    def insert_void(
        self,
        shift_id: int | None,
        kind: str,
        sale_id: str,
        cashier: str,
        reason: str,
        qty: int,
        amount_fen: int,
        at: str,
    ) -> None:
        self.conn.execute(
            "INSERT INTO voids(shift_id, kind, sale_id, cashier, reason, qty, amount_fen, at) "
            "VALUES(?,?,?,?,?,?,?,?)",
            (shift_id, kind, sale_id, cashier, reason, qty, amount_fen, at),
        )

    def insert_audit(
        self,
        action: str,
        user: str,
        approver: str | None,
        reason: str,
        details: Mapping[str, Any],
        at: str,
    ) -> None:
        self.conn.execute(
            "INSERT INTO audit(at, action, user, approver, reason, details) VALUES(?,?,?,?,?,?)",
            (at, action, user, approver, reason, json.dumps(details, ensure_ascii=False)),
        )

    def suspend(self, cashier: str, label: str, data: Mapping[str, Any], at: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO suspended_sales(created_at, cashier, label, data) VALUES(?,?,?,?)",
            (at, cashier, label, json.dumps(data, ensure_ascii=False)),
        )
        return int(cur.lastrowid or 0)

    def suspended(self) -> list[dict[str, Any]]:
        cols = ("id", "created_at", "cashier", "label", "data")
        rows = self.conn.execute(
            "SELECT id, created_at, cashier, label, data FROM suspended_sales ORDER BY id"
        )
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def take_suspended(self, sid: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT data FROM suspended_sales WHERE id = ?", (sid,)).fetchone()
        if row is None:
            return None
        self.conn.execute("DELETE FROM suspended_sales WHERE id = ?", (sid,))
        data: dict[str, Any] = json.loads(row[0])
        return data

    # ---- reports and verification ---------------------------------------------------------

    def shift_figures(self, shift_id: int) -> dict[str, Any]:
        from .reports_sql import shift_figures

        return shift_figures(self.conn, shift_id)

    def period_figures(self, first_day: str, last_day: str) -> dict[str, Any]:
        from .reports_sql import period_figures

        return period_figures(self.conn, first_day, last_day)

    def sales_rows_for_verify(self) -> Iterator[dict[str, Any]]:
        """Each sales row with what its own lines and payments add up to, and its journal
        entry, so verification can tell an edit in the report tables from the journal."""
        sql = """
          SELECT s.id, s.kind, s.receipt_no, s.total_fen, s.journal_seq, j.ref_id, j.payload,
                 j.entry_hash,
                 (SELECT coalesce(sum(amount_fen), 0) FROM sale_lines WHERE sale_id = s.id),
                 (SELECT coalesce(sum(qty), 0) FROM sale_lines WHERE sale_id = s.id),
                 (SELECT count(*) FROM sale_lines WHERE sale_id = s.id),
                 (SELECT coalesce(sum(amount_fen - change_fen), 0) FROM payments
                   WHERE sale_id = s.id),
                 (SELECT count(*) FROM outbox WHERE entry_hash = j.entry_hash AND entry_hash IS NOT NULL)
          FROM sales s LEFT JOIN journal j ON j.seq = s.journal_seq ORDER BY s.receipt_no"""
        cols = (
            "id",
            "kind",
            "receipt_no",
            "total_fen",
            "journal_seq",
            "ref_id",
            "payload",
            "entry_hash",
            "lines_fen",
            "lines_qty",
            "lines_count",
            "payments_fen",
            "outbox_events",
        )
        for row in self.conn.execute(sql):
            yield dict(zip(cols, row, strict=True))

    def journal_refs_without_sale(self) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT seq FROM journal WHERE seq NOT IN (SELECT journal_seq FROM sales) "
                "ORDER BY seq"
            )
        ]
