"""The payment_attempts and payment_providers tables (migration 0003_payments).

Writes run in the caller's unit of work (PaymentService commits each attempt's state before
it talks to a terminal or provider; the sale's commit attaches its approvals).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from datetime import datetime
from typing import Any

from pos_app.domain.errors import StateError
from pos_app.domain.payments import AttemptState, PaymentAttempt

COLUMNS = (
    "id",
    "kind",
    "sale_id",
    "original_id",
    "tender",
    "amount_fen",
    "state",
    "provider",
    "out_trade_no",
    "provider_ref",
    "auth_code_masked",
    "card_type",
    "masked_pan",
    "terminal_ref",
    "slip",
    "started_at",
    "updated_at",
    "error",
)


def _row(a: PaymentAttempt) -> tuple[Any, ...]:
    d = {name: getattr(a, name, None) for name in COLUMNS}
    d["state"] = str(a.state)
    d["slip"] = json.dumps(list(a.slip), ensure_ascii=False)
    d["started_at"] = a.started_at.isoformat()
    d["updated_at"] = a.updated_at.isoformat()
    return tuple(d[name] for name in COLUMNS)


def _attempt(row: sqlite3.Row | tuple[Any, ...]) -> PaymentAttempt:
    d = dict(zip(COLUMNS, row, strict=True))
    d["state"] = AttemptState(d["state"])
    d["slip"] = tuple(json.loads(d["slip"] or "[]"))
    d["started_at"] = datetime.fromisoformat(d["started_at"])
    d["updated_at"] = datetime.fromisoformat(d["updated_at"])
    return PaymentAttempt(**d)


class SqlitePaymentAttempts:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def insert(self, attempt: PaymentAttempt) -> None:
        marks = ",".join("?" * len(COLUMNS))
        self.conn.execute(
            f"INSERT INTO payment_attempts ({','.join(COLUMNS)}) VALUES ({marks})",
            _row(attempt),
        )

    def update(self, attempt: PaymentAttempt) -> None:
        sets = ",".join(f"{c} = ?" for c in COLUMNS[1:])
        values = _row(attempt)
        cur = self.conn.execute(
            f"UPDATE payment_attempts SET {sets} WHERE id = ?", (*values[1:], values[0])
        )
        if cur.rowcount != 1:
            raise StateError(f"No payment attempt {attempt.id}", f"找不到支付记录 {attempt.id}")

    def get(self, attempt_id: str) -> PaymentAttempt | None:
        row = self.conn.execute(
            f"SELECT {','.join(COLUMNS)} FROM payment_attempts WHERE id = ?", (attempt_id,)
        ).fetchone()
        return _attempt(row) if row else None

    def in_states(self, states: Collection[AttemptState]) -> list[PaymentAttempt]:
        marks = ",".join("?" * len(states))
        rows = self.conn.execute(
            f"SELECT {','.join(COLUMNS)} FROM payment_attempts WHERE state IN ({marks}) "
            "ORDER BY started_at, id",
            [str(s) for s in states],
        ).fetchall()
        return [_attempt(r) for r in rows]

    def list(self, *, limit: int = 50, sale_id: str | None = None) -> list[PaymentAttempt]:
        where, args = ("WHERE sale_id = ?", [sale_id]) if sale_id else ("", [])
        rows = self.conn.execute(
            f"SELECT {','.join(COLUMNS)} FROM payment_attempts {where} "
            "ORDER BY started_at DESC, id LIMIT ?",
            [*args, limit],
        ).fetchall()
        return [_attempt(r) for r in rows]

    def attach(self, attempt_id: str, sale_id: str, at: datetime) -> None:
        cur = self.conn.execute(
            "UPDATE payment_attempts SET state = 'attached', sale_id = ?, updated_at = ? "
            "WHERE id = ? AND state = 'approved'",
            (sale_id, at.isoformat(), attempt_id),
        )
        if cur.rowcount != 1:
            row = self.conn.execute(
                "SELECT state FROM payment_attempts WHERE id = ?", (attempt_id,)
            ).fetchone()
            state = row[0] if row else "missing"
            raise StateError(
                f"Payment {attempt_id} is {state}, not approved: it cannot be attached to "
                f"sale {sale_id}",
                f"支付记录 {attempt_id} 状态为 {state}，不能关联到销售 {sale_id}",
            )

    def claimed_refs(self, provider: str, except_id: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT provider_ref FROM payment_attempts WHERE provider = ? AND id != ? "
            "AND provider_ref IS NOT NULL",
            (provider, except_id),
        ).fetchall()
        return {r[0] for r in rows}

    def refunded_fen(self, original_id: str) -> int:
        row = self.conn.execute(
            "SELECT COALESCE(SUM(amount_fen), 0) FROM payment_attempts "
            "WHERE original_id = ? AND kind = 'refund' "
            "AND state IN ('started', 'unknown', 'approved', 'attached')",
            (original_id,),
        ).fetchone()
        return int(row[0])


# Fields of a provider's settings that are credentials: sealed in the database (secrets.py).
SECRET_FIELDS = frozenset({"key"})


class SqlitePaymentProviders:
    """payment_providers: URL and settings per provider; credentials are stored sealed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._box: Any = None

    def _secrets(self) -> Any:
        from pos_app.adapters.secrets import SecretBox

        if self._box is None:
            self._box = SecretBox.for_connection(self.conn)
        return self._box

    def put(self, name: str, url: str, settings: dict[str, Any], at: datetime) -> None:
        stored = {
            k: self._secrets().seal(str(v), f"{name}.{k}") if k in SECRET_FIELDS else v
            for k, v in settings.items()
        }
        self.conn.execute(
            "INSERT INTO payment_providers (name, url, settings, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET url = excluded.url, settings = excluded.settings, "
            "updated_at = excluded.updated_at",
            (name, url, json.dumps(stored, sort_keys=True), at.isoformat()),
        )

    def get(self, name: str) -> tuple[str, dict[str, Any]] | None:
        from pos_app.adapters.secrets import is_sealed

        row = self.conn.execute(
            "SELECT url, settings FROM payment_providers WHERE name = ?", (name,)
        ).fetchone()
        if not row:
            return None
        settings = json.loads(row[1])
        for k, v in settings.items():
            if k in SECRET_FIELDS and is_sealed(v):
                settings[k] = self._secrets().open(v, f"{name}.{k}")
        return row[0], settings

    def names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM payment_providers ORDER BY name")]
