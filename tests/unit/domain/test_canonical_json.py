"""canonical() writes json.dumps' bytes (sorted keys, compact, no ASCII escaping) exactly:
the hash chain and every e-receipt token are computed over them.  orjson writes them when the
payload holds only plain JSON types; anything else goes to json.dumps, which writes or refuses
it as it always did (issue 17)."""

from __future__ import annotations

import dataclasses
import enum
import json
import uuid
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.domain import journal
from pos_app.domain.journal import FloatInPayload, canonical


def _stdlib(data: Any) -> Any:
    """json.dumps' bytes, or the type of what it raised."""
    try:
        return json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
    except (TypeError, ValueError) as err:  # UnicodeEncodeError is a ValueError
        return type(err)


def _ours(data: Any) -> Any:
    try:
        return canonical(data)
    except (TypeError, ValueError) as err:
        return type(err)


def test_orjson_is_the_path_a_plain_payload_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without this, every other test here would pass on json.dumps alone."""
    monkeypatch.setattr(journal, "json", None)  # the fallback would now raise
    assert canonical({"b": [1, "é", None, True, (2,)], "a": {}}) == (
        '{"a":{},"b":[1,"é",null,true,[2]]}'.encode()
    )
    assert journal._reject_floats({"a": [1, "x", None, True, (2, {"b": "c"})]}) is True
    assert journal._reject_floats({"a": OrderedDict(b=1)}) is False


def test_every_character_is_written_as_json_writes_it() -> None:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for i in range(0, len(chars), 4096):
        run = chars[i : i + 4096]
        data: dict[str, Any] = {c + "k": [c] for c in run[::61]}  # keys sorted by code point
        data["".join(run)] = "".join(run)
        assert journal._reject_floats(data) is True
        assert canonical(data) == _stdlib(data)


class Colour(enum.Enum):
    RED = "red"


class Size(enum.IntEnum):
    M = 2


class Tender(enum.StrEnum):
    CASH = "cash"


@dataclasses.dataclass
class Line:
    sku: str


@pytest.mark.parametrize(
    "data",
    [
        {"b": 1, "a": [None, True, False, 0, -1, 2**63 - 1, -(2**63), 2**64 - 1]},
        {"z": {"y": {"x": [], "w": {}}}, "": "", "é": '\x00\x1f\x7f\u2028"\\/'},
        {"t": (1, ("a", {"k": ()}))},
        {"n": 2**64},  # beyond orjson's 64 bits
        {"n": -(2**63) - 1},
        {"s": "\ud800"},  # a lone surrogate: refused when encoded, as before
        {"k": {1: "a non-string key"}},
        {"k": {1: "x", "a": "mixed keys"}},
        {"e": Colour.RED},  # orjson would write these: json refuses them, and still does
        {"d": datetime(2026, 1, 1, tzinfo=UTC)},
        {"u": uuid.UUID(int=1)},
        {"l": Line("X")},
        {"i": Size.M},  # a subclass of int or str: json's text
        {"t": Tender.CASH},
        {"o": OrderedDict([("b", 1), ("a", 2)])},
        {"deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
    ],
)
def test_a_payload_is_written_or_refused_as_json_does(data: Any) -> None:
    assert _ours(data) == _stdlib(data)


def test_nesting_beyond_orjsons_limit_is_written_by_json() -> None:
    data: Any = 1
    for _ in range(300):
        data = {"k": [data]}
    assert canonical(data) == _stdlib(data)


def test_a_float_anywhere_is_refused_with_its_path() -> None:
    with pytest.raises(FloatInPayload, match=r"\$\.lines\[1\]\.qty"):
        canonical({"lines": [{"qty": 1}, {"qty": 1.0}]})


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_json)
def test_any_json_value_is_written_as_json_writes_it(data: Any) -> None:
    assert _ours({"v": data}) == _stdlib({"v": data})
