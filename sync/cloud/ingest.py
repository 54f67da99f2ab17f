"""What the cloud recomputes before it accepts an event (docs/events.md invariants)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pos_app.domain import events as ev
from pos_app.domain.journal import FloatInPayload, entry_hash

GENESIS_HEX = "0" * 64


class Reject(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _int(d: Mapping[str, Any], key: str, where: str) -> int:
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool):
        raise Reject("bad_payload", f"{where}.{key} must be an integer, got {v!r}")
    return v


def check_envelope(e: Any) -> None:
    if not isinstance(e, dict):
        raise Reject("bad_event", "an event must be a JSON object")
    for key, typ in (("type", str), ("occurred_at", str), ("payload", dict)):
        if not isinstance(e.get(key), typ):
            raise Reject("bad_event", f"event field {key!r} is missing or has the wrong type")
    if not isinstance(e.get("seq"), int) or e["seq"] < 1:
        raise Reject("bad_event", "event seq must be a positive integer")
    if e.get("schema", 1) != ev.SCHEMA_VERSION:
        raise Reject("unsupported_schema", f"schema {e.get('schema')!r} is not supported")
    if e["type"] not in ev.ALL_TYPES:
        raise Reject("unknown_type", f"event type {e['type']!r} is not part of the protocol")


def check_sums(kind: str, p: Mapping[str, Any]) -> None:
    total = _int(p, "total_fen", "payload")
    _int(p, "receipt_no", "payload")
    lines, payments = p.get("lines"), p.get("payments")
    if not isinstance(lines, list) or not isinstance(payments, list):
        raise Reject("bad_payload", "payload needs `lines` and `payments` lists")
    line_sum = 0
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            raise Reject("bad_payload", f"line {i} is not an object")
        qty = _int(line, "qty", f"lines[{i}]")
        unit = _int(line, "unit_price_fen", f"lines[{i}]")
        amount = _int(line, "amount_fen", f"lines[{i}]")
        if qty <= 0:
            raise Reject("bad_line", f"line {line.get('line_no', i)} has quantity {qty}")
        if kind == ev.SALE_COMPLETED:
            discount = _int(line, "discount_fen", f"lines[{i}]")
            if amount != qty * unit - discount:
                raise Reject(
                    "line_sum_mismatch",
                    f"line {line.get('line_no', i)}: {qty} × {unit} − {discount} ≠ amount {amount}",
                )
        elif amount < 0:
            raise Reject("bad_line", f"refund line {line.get('line_no', i)} has a negative amount")
        line_sum += amount
    expected = total if kind == ev.SALE_COMPLETED else -total
    if line_sum != expected:
        raise Reject("total_mismatch", f"lines add up to {line_sum} fen but total_fen is {total}")
    paid = 0
    for i, pay in enumerate(payments):
        if not isinstance(pay, dict):
            raise Reject("bad_payload", f"payment {i} is not an object")
        amount = _int(pay, "amount_fen", f"payments[{i}]")
        change = pay.get("change_fen", 0)
        if not isinstance(change, int) or change < 0:
            raise Reject("bad_payload", f"payments[{i}].change_fen must be a non-negative integer")
        if change and pay.get("tender") != "cash":
            raise Reject("tender_mismatch", f"only cash gives change (payments[{i}])")
        paid += amount - change
    if paid != total:
        raise Reject("tender_mismatch", f"payments add up to {paid} fen but total_fen is {total}")


def check_hash(e: Mapping[str, Any]) -> tuple[str, str]:
    prev, claimed = e.get("prev_entry_hash"), e.get("entry_hash")
    if not (
        isinstance(prev, str)
        and isinstance(claimed, str)
        and len(prev) == 64
        and len(claimed) == 64
    ):
        raise Reject("missing_hash", "sales and refunds must carry prev_entry_hash and entry_hash")
    try:
        recomputed = entry_hash(bytes.fromhex(prev), e["payload"]).hex()
    except FloatInPayload as err:
        raise Reject("float_in_payload", str(err)) from err
    except ValueError as err:
        raise Reject("missing_hash", f"hash is not hex: {err}") from err
    if recomputed != claimed.lower():
        raise Reject(
            "hash_mismatch",
            f"entry_hash does not match the payload (recomputed {recomputed[:16]}…): "
            "the payload was altered after it was hashed",
        )
    return prev.lower(), claimed.lower()
