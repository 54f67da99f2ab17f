"""What the cloud recomputes of one event before it accepts it (docs/events.md invariants):
its envelope and shape, a sale's or refund's sums, its entry hash and its link in the till's
chain.  Pure: no database (ingest.py stores a batch with these verdicts)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pos_app.domain import events as ev
from pos_app.domain.journal import FloatInPayload, entry_hash

from .event_shapes import shape_problem
from .sorted_json import sorted_json

GENESIS_HEX = "0" * 64


class Reject(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _int(d: Mapping[str, Any], key: str, where: str, i: int | None = None) -> int:
    """d[key] when an integer; `where` (and the list index `i`) say where, for the error
    only: built on every call, the path string cost more than the check (issue 18)."""
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool):
        at = where if i is None else f"{where}[{i}]"
        raise Reject("bad_payload", f"{at}.{key} must be an integer, got {v!r}")
    return v


def _seq(e: Mapping[str, Any]) -> int | None:
    """The event's seq when it is an integer; `true` is not 1 (PostgreSQL refused the
    comparison of a bigint with a boolean: a 500 the till would retry forever)."""
    seq = e.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def check_envelope(e: Any) -> None:
    if not isinstance(e, dict):
        raise Reject("bad_event", "an event must be a JSON object")
    for key, typ in (("type", str), ("occurred_at", str), ("payload", dict)):
        if not isinstance(e.get(key), typ):
            raise Reject("bad_event", f"event field {key!r} is missing or has the wrong type")
    seq = _seq(e)
    if seq is None or seq < 1:
        raise Reject("bad_event", "event seq must be a positive integer")
    schema = e.get("schema", 1)
    if isinstance(schema, bool) or schema != ev.SCHEMA_VERSION:
        raise Reject("unsupported_schema", f"schema {e.get('schema')!r} is not supported")
    if e["type"] not in ev.ALL_TYPES:
        raise Reject("unknown_type", f"event type {e['type']!r} is not part of the protocol")
    problem = shape_problem(e["type"], e["payload"])
    if problem is not None:
        raise Reject("bad_payload", problem)


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
        qty = _int(line, "qty", "lines", i)
        unit = _int(line, "unit_price_fen", "lines", i)
        amount = _int(line, "amount_fen", "lines", i)
        if qty <= 0:
            raise Reject("bad_line", f"line {line.get('line_no', i)} has quantity {qty}")
        if kind == ev.SALE_COMPLETED:
            discount = _int(line, "discount_fen", "lines", i)
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
        amount = _int(pay, "amount_fen", "payments", i)
        change = pay.get("change_fen", 0)
        if not isinstance(change, int) or change < 0:
            raise Reject("bad_payload", f"payments[{i}].change_fen must be a non-negative integer")
        if change and pay.get("tender") != "cash":
            raise Reject("tender_mismatch", f"only cash gives change (payments[{i}])")
        paid += amount - change
    if paid != total:
        raise Reject("tender_mismatch", f"payments add up to {paid} fen but total_fen is {total}")


def _fast_canonical(payload: Any) -> bytes:
    """journal.canonical for a payload parsed with parse_float=Decimal: json.dumps refuses
    the Decimal, so the float check needs no walk of its own (a third of the cloud's time
    per event).  test_sync_ingest checks it equals journal.canonical."""
    try:
        return _canonical_text(payload).encode("utf-8")
    except TypeError as err:
        raise Reject("float_in_payload", "payloads carry integers only (money in fen)") from err


def _canonical_text(payload: Any) -> str:
    # a payload of a push's body (no plain float: common.load_json), so orjson may write it
    return sorted_json(payload, _stdlib_canonical)


def _stdlib_canonical(payload: Any) -> str:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _canonical_or_none(payload: Any) -> str | None:
    """The canonical text of a payload parsed with parse_float=Decimal, or None when it holds
    what canonical JSON refuses (a float, NaN): then check_hash says why, as before.  It is
    also the text stored (_dump gives the same bytes for such a payload), so an event's
    payload is encoded once, not once to hash and again to store."""
    try:
        return _canonical_text(payload)
    except (TypeError, ValueError):
        return None


def check_hash(
    e: Mapping[str, Any], floats_as_decimal: bool = False, canonical: str | None = None
) -> tuple[str, str]:
    prev, claimed = e.get("prev_entry_hash"), e.get("entry_hash")
    if not (
        isinstance(prev, str)
        and isinstance(claimed, str)
        and len(prev) == 64
        and len(claimed) == 64
    ):
        raise Reject("missing_hash", "sales and refunds must carry prev_entry_hash and entry_hash")
    try:
        if floats_as_decimal:
            text = _fast_canonical(e["payload"]) if canonical is None else canonical.encode()
            recomputed = hashlib.sha256(bytes.fromhex(prev) + text).hexdigest()
        else:
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


def _hex64(value: Any) -> str | None:
    if isinstance(value, str) and len(value) == 64:
        try:
            bytes.fromhex(value)
        except ValueError:
            return None
        return value.lower()
    return None


def _chained(e: Mapping[str, Any]) -> bool:
    return isinstance(e.get("type"), str) and e["type"] in ev.CHAINED


def check_event(
    e: Mapping[str, Any],
    store_id: str,
    till_no: int,
    head: str,
    floats_as_decimal: bool = False,
    canonical: str | None = None,
) -> None:
    """Raise Reject when the event does not add up (chained events: hashes, till, sums, link).
    `canonical`: the payload's canonical text when the caller has it already."""
    check_envelope(e)
    if e["type"] not in ev.CHAINED:
        return
    p = e["payload"]
    prev, _ = check_hash(e, floats_as_decimal, canonical)
    if p.get("store_id") != store_id or p.get("till_no") != till_no:
        raise Reject(
            "wrong_till",
            f"the payload says store {p.get('store_id')} till {p.get('till_no')} but this "
            f"device is {store_id} till {till_no}",
        )
    check_sums(e["type"], p)
    if prev != head:
        raise Reject(
            "chain_break",
            f"prev_entry_hash {prev[:16]}… does not follow the last entry {head[:16]}… of this "
            "till (an entry is missing, was deleted or reordered)",
        )
