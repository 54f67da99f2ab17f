"""The till's hash chain over completed sales and refunds (specs/ereceipt-token-v1.md).

canonical(payload) = UTF-8 JSON, keys sorted, separators (",", ":"), no ASCII escaping,
integers only.  entry_hash = SHA-256(prev_entry_hash (32 raw bytes) || canonical(payload)).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

GENESIS = bytes(32)


class FloatInPayload(TypeError):
    pass


def _reject_floats(value: Any) -> bool:
    """Raise FloatInPayload on a float; True when the payload holds nothing but dicts, lists,
    tuples, str, int, bool and None of exactly those types (what canonical() hands orjson)."""
    # On the hot path of every sale: an explicit stack and exact type checks (isinstance
    # against the Mapping ABC costs more than the JSON encoding itself), and no path strings:
    # building one per value cost as much again, so the path is found only for the error.
    plain = True
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is float:
            raise FloatInPayload(
                f"float at {_float_path(value)}: payloads carry integers only (money in fen)"
            )
        if t is dict or isinstance(v, Mapping):
            plain = plain and t is dict
            for x in v.values():
                if type(x) not in _LEAVES:
                    stack.append(x)
        elif t is list or t is tuple:
            for x in v:
                if type(x) not in _LEAVES:
                    stack.append(x)
        else:  # a subclass of a leaf type, or anything else: json.dumps decides, as before
            plain = False
    return plain


def _float_path(value: Any) -> str:
    """Where the first float is (in _reject_floats' order), for the error message."""
    stack = [("$", value)]
    while stack:
        path, v = stack.pop()
        t = type(v)
        if t is float:
            return path
        if t is dict or isinstance(v, Mapping):
            stack.extend((f"{path}.{k}", x) for k, x in v.items() if type(x) not in _LEAVES)
        elif t is list or t is tuple:
            stack.extend((f"{path}[{i}]", x) for i, x in enumerate(v) if type(x) not in _LEAVES)
    return "$"


_LEAVES = (str, int, bool, type(None))


def canonical(payload: Mapping[str, Any]) -> bytes:
    if _reject_floats(payload):
        # orjson writes json.dumps' exact bytes for these types with sorted keys (UTF-8 byte
        # order is code point order; the same escapes, checked over every code point in
        # tests/unit/domain/test_canonical_json.py) at a tenth of its cost, which every sale
        # paid once (issue 17).  What it refuses (a key that is not a str, an integer beyond
        # 64 bits, a lone surrogate, nesting deeper than 255) goes to json.dumps, which
        # encodes or refuses it as it always did.
        try:
            return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(prev: bytes, payload: Mapping[str, Any] | bytes) -> bytes:
    """payload: the payload, or its canonical bytes when the caller already has them."""
    if len(prev) != 32:
        raise ValueError("prev_entry_hash must be 32 bytes")
    body = payload if isinstance(payload, bytes) else canonical(payload)
    return hashlib.sha256(prev + body).digest()


@dataclass(frozen=True, slots=True)
class JournalEntry:
    seq: int
    kind: str  # "sale" | "refund"
    ref_id: str
    payload_json: str  # the canonical text as stored
    prev_hash: str  # hex
    entry_hash: str  # hex


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(entries: Iterable[JournalEntry]) -> list[ChainProblem]:
    """Walk the chain in order; report every entry that was edited, inserted, deleted or moved.

    An edited payload changes its own hash; a deleted or reordered entry breaks the link to the
    next one; a gap in `seq` shows a deletion even when the chain was re-hashed after it.
    """
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    for e in entries:
        if e.seq != expected_seq:
            problems.append(
                ChainProblem(
                    e.seq,
                    f"sequence jumps from {expected_seq - 1} to {e.seq}: "
                    "an entry was deleted or inserted",
                )
            )
        expected_seq = e.seq + 1
        if e.prev_hash != prev.hex():
            problems.append(
                ChainProblem(
                    e.seq,
                    "does not link to the entry before it (deleted, inserted or reordered entry)",
                )
            )
        try:
            payload = json.loads(e.payload_json)
            recomputed = entry_hash(bytes.fromhex(e.prev_hash), payload)
        except (ValueError, TypeError) as err:
            problems.append(ChainProblem(e.seq, f"payload is unreadable: {err}"))
            prev = bytes.fromhex(e.entry_hash) if len(e.entry_hash) == 64 else GENESIS
            continue
        if canonical(payload).decode("utf-8") != e.payload_json:
            problems.append(ChainProblem(e.seq, "payload is not in canonical form (edited)"))
        if recomputed.hex() != e.entry_hash:
            problems.append(ChainProblem(e.seq, "payload does not match its hash (edited entry)"))
        prev = bytes.fromhex(e.entry_hash)
    return problems
