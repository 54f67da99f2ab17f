"""Shared bits of the cloud service: its error type and small helpers."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson


class ApiError(Exception):
    """An answer other than 2xx: HTTP status, snake_case code, human sentence."""

    def __init__(self, status: int, code: str, message: str, message_zh: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.message_zh = message_zh  # a page's answer a customer reads: Chinese as well


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_RUN = b"0" * 19


def _long_number(body: bytes) -> bool:
    """Whether the body holds a number of 19 digits or more.  A JSON number starts the
    document or follows `[`, `:` or `,` (whitespace and its sign aside): so a run of digits
    inside a hex hash (a batch holds a hundred hashes, and about one run in two batches) is
    not taken for one; a string that looks like one (`"a:1234…"`) only costs the slow path.
    Runs are found with bytes.find on the digits mapped to "0" (a regular expression took
    longer than the decoding it saved)."""
    flat = body.translate(_DIGITS_AS_ZERO)
    at = flat.find(_RUN)
    while at >= 0:
        i = at - 1
        while i >= 0 and flat[i] == 0x30:  # back to the run's first digit
            i -= 1
        if i >= 0 and flat[i] == 0x2D:  # -
            i -= 1
        while i >= 0 and flat[i] in b" \t\r\n":
            i -= 1
        if i < 0 or flat[i] in b"[:,":
            return True
        end = at + len(_RUN)
        while end < len(flat) and flat[end] == 0x30:
            end += 1
        at = flat.find(_RUN, end)
    return False


def int64(text: str) -> int:
    """json.loads(parse_int=...): an integer SQLite can store, else ValueError (a 400).
    Without it a 20-digit number in a request reached SQLite as OverflowError: a 500."""
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"integer {text[:30]} is out of range")
    return value


def _now_iso(now: datetime) -> str:
    return now.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def code_hash(code: str) -> str:
    norm = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(norm.encode()).hexdigest()


MAX_JSON_DEPTH = 32  # far above what a till sends (a Z report in a batch nests about 8)


def json_depth_exceeds(data: Any, limit: int) -> bool:
    """True when containers nest deeper than `limit`.  Level by level, without recursion (no
    depth can crash it) and without a tuple per node: about half of json.loads' own time on
    a full 500-sale batch."""
    return not _nests_within(data, limit, floats=True)


def _number(decimal_floats: bool) -> Any:
    """json.loads(parse_float=...): like int64, for a number written with a fraction or an
    exponent.  JSON has one kind of number (RFC 8259; JSON Schema's `integer` is any number
    without a fraction, 1e30 included): the cloud's rule is on the value, so a number beyond
    64 bits is refused however it is written."""
    convert = Decimal if decimal_floats else float

    def parse(text: str) -> Any:
        value = convert(text)
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError(f"number {text[:30]} is out of range")
        return value

    return parse


class JsonConstant(float):
    """NaN, Infinity or -Infinity in a body read with decimal_floats: a float like any other
    (json.dumps writes and refuses it as before), of a type orjson refuses, so a body read
    that way holds no float that sorted_json.py would write differently from the stdlib."""


def load_json(body: bytes, code: str, expected: str, *, decimal_floats: bool = False) -> Any:
    """A request body as JSON, or ApiError 400 `code` saying what to send (`expected`).

    Bad input is never a 5xx (a till retries 5xx forever): json.loads raises RecursionError
    on deep nesting, and a body just under the interpreter's limit would raise it later in
    json.dumps or a walk of the payload, so depth is capped here, where the body comes in."""
    # An integer of at most 18 digits is within 64 bits: unless the body holds a number of 19
    # digits or more, the decoder's own C integers are kept.  parse_int calls back into
    # Python for every integer (a batch of 50 sales holds ~1,400): that was more than half of
    # decoding a batch.  (A string that looks like one, `"a:1234…"`, takes the checked path.)
    long_number = _long_number(body)
    if not long_number:
        fast = _orjson_read(body)
        if fast is not None:
            return fast
    parse_int = int64 if long_number else None
    try:
        data = json.loads(
            body,
            parse_int=parse_int,
            parse_float=_number(decimal_floats),
            parse_constant=JsonConstant if decimal_floats else None,
        )
    except RecursionError as err:
        raise ApiError(
            400, code, f"The body nests deeper than {MAX_JSON_DEPTH} levels: send {expected}"
        ) from err
    except ValueError as err:  # also UnicodeDecodeError and the numbers' range errors
        raise ApiError(400, code, f"The body is not JSON ({err}): send {expected}") from err
    if type(data) in (dict, list) and json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise ApiError(
            400, code, f"The body nests deeper than {MAX_JSON_DEPTH} levels: send {expected}"
        )
    return data


def _orjson_read(body: bytes) -> dict[str, Any] | list[Any] | None:
    """The body as json.loads above reads it, read by orjson (issue 18: ~4× faster, the
    stdlib's decoding was the largest single cost of a push in a served worker), or None when
    the stdlib must read it.  orjson's reading is the stdlib's for an object or array that
    nests at most MAX_JSON_DEPTH levels and holds no float and no integer of 19 digits or
    more (the caller's check): strings, integers, true/false/null and key order (the last of
    a repeated key) come out the same.  A float is read differently (the stdlib here reads a
    fraction as Decimal or a range-checked float), so a body holding one goes to the stdlib;
    so does whatever orjson refuses and the stdlib may take (NaN, a UTF-8 BOM, a lone
    surrogate, UTF-16) or refuses with its own message, and a body nested too deep (the
    stdlib's path gives its answer, whatever else the body holds)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict and type(data) is not list:
        return None  # a scalar body: rare, and cheap to read again
    return data if _nests_within(data, MAX_JSON_DEPTH, floats=False) else None


def _nests_within(data: Any, limit: int, *, floats: bool) -> bool:
    """Whether containers nest at most `limit` levels and, unless `floats`, no value is a
    float (what orjson reads as the stdlib does): one walk, level by level, looking at the
    set of each container's value types (~1.3 µs an event more than a depth walk alone)."""
    level, depth = [data], 1
    while level:
        if depth > limit:
            return False
        deeper: list[Any] = []
        for node in level:
            children = node.values() if type(node) is dict else node
            kinds = set(map(type, children))
            if not floats and float in kinds:
                return False
            if dict in kinds or list in kinds:
                deeper += [c for c in children if type(c) is dict or type(c) is list]
        level, depth = deeper, depth + 1
    return True
