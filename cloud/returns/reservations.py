"""`POST /v1/returns/reservations` and `POST /v1/returns/releases`: a till about to refund a
sale of another store (or another till) holds the quantities first, before any money moves.

A reservation is one serialising UPDATE per line, `… WHERE refunded + reserved + qty <=
sold`: two stores racing for the last unit both reach the line's row, one waits for the
other's commit and then finds nothing left (PostgreSQL re-reads the row it waited for; SQLite
has one writer).  Idempotent by the refund id: the same request again gets the same answer.
A reservation not committed by its refund event within RESERVE_MINUTES is given back by the
next call that looks (ledger.py commits it on ingest); the till releases it at once when the
refund does not go through."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from ..common import ApiError, _now_iso, load_json
from ..db import CloudDB, Tx

RESERVE_MINUTES = 10
EXPECTED = "{refund_id, sale_id, lines: [{line_no, qty}]}"


def _refund_id(body: Any) -> str:
    value = body.get("refund_id") if isinstance(body, dict) else None
    try:
        if isinstance(value, str) and str(uuid.UUID(value)) == value.lower():
            return value.lower()
    except ValueError:
        pass
    raise ApiError(400, "bad_request", "refund_id must be the refund's UUID")


def _whole(value: Any) -> Any:
    """1.0 is the integer 1 (JSON Schema's `integer`)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**31


def _lines(body: dict[str, Any]) -> list[tuple[int, int]]:
    """(line_no, qty) in line order; a line named twice asks for both quantities."""
    lines = body.get("lines")
    out: dict[int, int] = {}
    if isinstance(lines, list) and lines:
        for ln in lines:
            no = _whole(ln.get("line_no")) if isinstance(ln, dict) else None
            qty = _whole(ln.get("qty")) if isinstance(ln, dict) else None
            if not (_count(no) and _count(qty)):
                break
            out[no] = out.get(no, 0) + qty
        else:
            return sorted(out.items())
    raise ApiError(
        400, "bad_request", f"Send {EXPECTED}: line_no and qty positive integers (below 2^31)"
    )


class ReturnReservations:
    def __init__(
        self, db: CloudDB, now: Callable[[], datetime], minutes: int = RESERVE_MINUTES
    ) -> None:
        self.db = db
        self.now = now
        self.minutes = minutes

    def reserve(self, device_id: str, raw_body: bytes) -> dict[str, Any]:
        body = load_json(raw_body, "bad_request", EXPECTED)
        refund_id = _refund_id(body)
        sale_id = body.get("sale_id")
        if not isinstance(sale_id, str) or not sale_id:
            raise ApiError(400, "bad_request", f"Send {EXPECTED}: sale_id a string")
        lines = _lines(body)
        now = self.now()
        with self.db.tx() as tx:
            release_expired(tx, _now_iso(now))
            held = _reservation(tx, refund_id)
            if held:
                if (
                    held["sale_id"] != sale_id
                    or held["lines"] != lines
                    or (held["device_id"] != device_id)
                ):
                    raise ApiError(
                        409,
                        "refund_id_reused",
                        "This refund id already reserved other lines: make a new refund id",
                    )
                return _answer(refund_id, sale_id, lines, held["state"], held["expires_at"])
            if (
                tx.execute("SELECT 1 FROM return_sales WHERE sale_id = ?", (sale_id,)).fetchone()
                is None
            ):
                raise ApiError(
                    404,
                    "unknown_sale",
                    "The cloud has no such sale (not synced yet): try again once the selling "
                    "till has synced",
                )
            expires = _now_iso(now + timedelta(minutes=self.minutes))
            for line_no, qty in lines:
                taken = tx.execute(
                    "UPDATE return_lines SET reserved_qty = reserved_qty + ? WHERE sale_id = ? "
                    "AND line_no = ? AND refunded_qty + reserved_qty + ? <= sold_qty",
                    (qty, sale_id, line_no, qty),
                ).rowcount
                if taken != 1:
                    _refuse(tx, sale_id, line_no, qty)
                cur = tx.execute(
                    "INSERT INTO return_reservations(refund_id, line_no, sale_id, device_id, qty, "
                    "state, expires_at, at) VALUES (?, ?, ?, ?, ?, 'held', ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (refund_id, line_no, sale_id, device_id, qty, expires, _now_iso(now)),
                )
                if cur.rowcount != 1:  # the same refund id reserved by a request racing this one
                    raise ApiError(
                        409, "refund_id_reused", "This refund id is being reserved already"
                    )
        return _answer(refund_id, sale_id, lines, "held", expires)

    def release(self, device_id: str, raw_body: bytes) -> dict[str, Any]:
        body = load_json(raw_body, "bad_request", "{refund_id}")
        refund_id = _refund_id(body)
        with self.db.tx() as tx:
            held = _reservation(tx, refund_id)
            if not held:
                return {"refund_id": refund_id, "released": False, "state": None}
            if held["device_id"] != device_id:
                raise ApiError(409, "not_yours", "Only the till that reserved it may release it")
            if held["state"] == "committed":
                raise ApiError(
                    409, "refund_completed", "The refund was completed: it cannot be released"
                )
            released = False
            for line_no, _qty in held["lines"]:
                released |= _give_back(tx, refund_id, line_no)
        return {"refund_id": refund_id, "released": released, "state": "released"}


def _reservation(tx: Tx, refund_id: str) -> dict[str, Any] | None:
    rows = tx.execute(
        "SELECT line_no, qty, sale_id, device_id, state, expires_at FROM return_reservations "
        "WHERE refund_id = ? ORDER BY line_no",
        (refund_id,),
    ).fetchall()
    if not rows:
        return None
    return {
        "lines": [(int(r[0]), int(r[1])) for r in rows],
        "sale_id": rows[0][2],
        "device_id": rows[0][3],
        "state": rows[0][4],
        "expires_at": rows[0][5],
    }


def _give_back(tx: Tx, refund_id: str, line_no: int) -> bool:
    """One held line back to returnable; False when another transaction got there first."""
    row = tx.execute(
        "UPDATE return_reservations SET state = 'released' WHERE refund_id = ? AND line_no = ? "
        "AND state = 'held' RETURNING sale_id, qty",
        (refund_id, line_no),
    ).fetchone()
    if row is None:
        return False
    tx.execute(
        "UPDATE return_lines SET reserved_qty = reserved_qty - ? WHERE sale_id = ? AND line_no = ?",
        (int(row[1]), row[0], line_no),
    )
    return True


def release_expired(tx: Tx, now_iso: str) -> None:
    for refund_id, line_no in tx.execute(
        "SELECT refund_id, line_no FROM return_reservations WHERE state = 'held' "
        "AND expires_at <= ?",
        (now_iso,),
    ).fetchall():
        _give_back(tx, refund_id, int(line_no))


def returnable(tx: Tx, sale_id: str, now_iso: str) -> list[dict[str, int]] | None:
    """`GET /v1/receipts/{token}`'s `returns`: per line, sold, refunded, held and left
    (reservations past their time are given back first)."""
    release_expired(tx, now_iso)
    rows = tx.execute(
        "SELECT line_no, sold_qty, refunded_qty, reserved_qty FROM return_lines "
        "WHERE sale_id = ? ORDER BY line_no",
        (sale_id,),
    ).fetchall()
    if not rows:
        return None
    out = []
    for line_no, sold, refunded, reserved in rows:
        refunded = min(int(refunded), int(sold))
        out.append(
            {
                "line_no": int(line_no),
                "sold_qty": int(sold),
                "refunded_qty": refunded,
                "reserved_qty": int(reserved),
                "returnable_qty": max(0, int(sold) - refunded - int(reserved)),
            }
        )
    return out


def _refuse(tx: Tx, sale_id: str, line_no: int, qty: int) -> None:
    row = tx.execute(
        "SELECT sold_qty, refunded_qty, reserved_qty FROM return_lines WHERE sale_id = ? "
        "AND line_no = ?",
        (sale_id, line_no),
    ).fetchone()
    if row is None:
        raise ApiError(404, "unknown_line", f"The sale has no line {line_no}")
    left = max(0, int(row[0]) - int(row[1]) - int(row[2]))
    raise ApiError(
        409,
        "not_returnable",
        f"Line {line_no}: only {left} of {int(row[0])} can still be returned (refunded "
        f"{min(int(row[1]), int(row[0]))}, held by a return in progress {int(row[2])}), "
        f"asked for {qty}",
    )


def _answer(
    refund_id: str, sale_id: str, lines: list[tuple[int, int]], state: str, expires_at: str
) -> dict[str, Any]:
    return {
        "refund_id": refund_id,
        "sale_id": sale_id,
        "state": state,
        "expires_at": expires_at,
        "lines": [{"line_no": n, "qty": q} for n, q in lines],
    }
