"""sorted_json writes what the stdlib's json.dumps(sort_keys, compact, ensure_ascii=False)
writes, byte for byte (entry hashes are computed over it and stored rows compared), and
hands what orjson would write differently or refuses back to the stdlib."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from cloud.common import JsonConstant, _dump, load_json
from cloud.event_checks import Reject, _canonical_or_none, _fast_canonical
from cloud.sorted_json import sorted_json


def _stdlib(data: Any) -> str:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def test_every_character_is_written_as_the_stdlib_writes_it() -> None:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for i in range(0, len(chars), 4096):
        run = chars[i : i + 4096]
        data: dict[str, Any] = {c + "k": [c] for c in run[::61]}  # sorted by code point
        data["".join(run)] = "".join(run)
        assert sorted_json(data, _stdlib) == _stdlib(data)


@pytest.mark.parametrize(
    "data",
    [
        {"b": 1, "a": [None, True, False, 0, -1, 2**63 - 1, -(2**63), 2**64 - 1]},
        {"z": {"y": {"x": [], "w": {}}}, "": "", "é": '\x00\x1f\x7f\u2028"\\'},
        [{"k": "v"}, [], "s"],
    ],
)
def test_a_payload_is_written_as_the_stdlib_writes_it(data: Any) -> None:
    assert sorted_json(data, _stdlib) == _stdlib(data)


@pytest.mark.parametrize(
    "data",
    [
        {"total_fen": Decimal("1.5")},
        {"n": JsonConstant("NaN")},
        {"n": 2**64},
        {"n": -(2**63) - 1},
        {"s": "\ud800"},
        {1: "a non-string key"},
    ],
)
def test_what_orjson_refuses_goes_to_the_stdlib(data: Any) -> None:
    """The stdlib writes it (or raises) as it did: same text, same exception."""
    try:
        expected: Any = _dump(data)
    except (TypeError, ValueError) as err:
        expected = type(err)
    try:
        got: Any = sorted_json(data, _dump)
    except (TypeError, ValueError) as err:
        got = type(err)
    assert got == expected


def test_a_bodys_nan_and_infinity_are_floats_orjson_refuses() -> None:
    """A float would be written by orjson without complaint, and differently (NaN as null):
    a push's body holds none, so its payloads' canonical text is the stdlib's or refused."""
    body = b'{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1.5}'
    data = load_json(body, "bad_batch", "{}", decimal_floats=True)
    assert [type(data[k]) for k in "abc"] == [JsonConstant] * 3
    assert str(data["a"]) == "nan" and data["b"] == float("inf") and data["c"] == float("-inf")
    assert data["d"] == Decimal("1.5")
    for value in data.values():
        assert _canonical_or_none({"total_fen": value}) is None
    with pytest.raises(ValueError):  # as before: allow_nan=False's (check_hash words it)
        _fast_canonical({"total_fen": data["a"]})
    with pytest.raises(Reject) as err:
        _fast_canonical({"total_fen": data["d"]})
    assert err.value.code == "float_in_payload"
    assert type(load_json(body, "bad_batch", "{}")["a"]) is float  # other bodies: unchanged
