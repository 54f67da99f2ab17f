"""The types of the payload fields the cloud books from (member ledger, purchases, stock),
checked before an event is accepted: a field of the wrong type rejects that event with
`bad_payload` instead of failing the whole batch with a 500 the till would retry forever
(an `int()` of a list, a dict bound as an SQL parameter, `true` as a PostgreSQL bigint).
Fields the till does not send are not required here; absent fields keep their defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pos_app.domain import events as ev


def _text(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _obj(v: Any) -> bool:
    return v is None or isinstance(v, dict)


def _texts(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _objs(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, dict) for x in v)


def _member(v: Any) -> bool:
    return v is None or (isinstance(v, dict) and _text(v.get("id")))


def _stock_lines(v: Any) -> bool:
    return _objs(v) and all(_int(x["qty"]) for x in v if "qty" in x)


def _send_lines(v: Any) -> bool:
    return _objs(v) and all(isinstance(x.get("sku"), str) and _int(x.get("qty")) for x in v)


Check = Callable[[Any], bool]
_WHAT: dict[Check, str] = {
    _text: "a string",
    _int: "an integer",
    _obj: "an object",
    _texts: "a list of strings",
    _objs: "a list of objects",
    _member: "an object whose id is a string",
    _stock_lines: "a list of objects with integer qty",
    _send_lines: "a list of objects with string sku and integer qty",
}
_POINTS: dict[str, Check] = {"member_id": _text, "points": _int, "sale_id": _text}
SHAPES: dict[str, dict[str, Check]] = {
    ev.SALE_COMPLETED: {
        "sale_id": _text,
        "associate": _text,
        "completed_at": _text,
        "member": _member,
    },
    ev.REFUND_COMPLETED: {
        "refund_id": _text,
        "original_sale_id": _text,
        "associate": _text,
        "completed_at": _text,
        "member": _member,
    },
    ev.MEMBER_ENROLLED: {"member_id": _text, "phone": _text, "associate": _text},
    ev.MEMBER_UPDATED: {
        "member_id": _text,
        "tags": _texts,
        "followups": _objs,
        "followup_done": _obj,
        "coupon_restored": _obj,
    },
    ev.POINTS_EARNED: _POINTS,
    ev.POINTS_REDEEMED: _POINTS,
    ev.STORED_VALUE_DEBITED: {"member_id": _text, "amount_fen": _int, "idempotency_key": _text},
    ev.COUPON_REDEEMED: {
        "member_id": _text,
        "code": _text,
        "sale_id": _text,
        "amount_fen": _int,
    },
    ev.STOCK_MOVED: {
        "lines": _stock_lines,
        "send_lines": _send_lines,
        "doc": _text,
        "to_store": _text,
    },
}


def shape_problem(kind: str, payload: Mapping[str, Any]) -> str | None:
    """Why a payload field has the wrong type for its event type, or None."""
    for key, ok in SHAPES.get(kind, {}).items():
        if key in payload and not ok(payload[key]):
            return f"payload.{key} must be {_WHAT[ok]}, got {str(payload[key])[:40]!r}"
    return None
