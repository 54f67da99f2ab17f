"""common.load_json reads a body with orjson when orjson reads it as the stdlib does (a
container without floats, nesting at most MAX_JSON_DEPTH), and with the stdlib otherwise: the
same document, the same types, the same key order, the same 400 and its message."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

import cloud.common
from cloud.common import MAX_JSON_DEPTH, ApiError, JsonConstant, load_json

PLAIN = [
    {"events": [{"id": "e1", "seq": 1, "payload": {"lines": [{"qty": 2, "sku": "A"}]}}]},
    {"s": "男士羊毛夹克 黑 L", "n": None, "t": True, "f": False, "neg": -0, "big": 2**62},
    {"emoji": "😀", "esc": 'a"b\\c\u0000\u001f\t\n', "empty": {}, "list": [[], [{}]]},
    [1, "two", {"three": [3]}],
    {"e": "0e12", "h": "1e5", "dot": "1.5", "time": "10:15:30.123+08:00"},  # float-like text
]


def _stdlib(body: bytes, decimal_floats: bool = False) -> Any:
    """What the stdlib alone reads (load_json's path before orjson)."""
    return json.loads(
        body,
        parse_float=Decimal if decimal_floats else float,
        parse_constant=JsonConstant if decimal_floats else None,
    )


def _same(a: Any, b: Any) -> bool:
    """Equal, of the same types, keys in the same order, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) or repr(a) == repr(b)  # NaN != NaN


@pytest.mark.parametrize("doc", PLAIN)
@pytest.mark.parametrize("separators", [(",", ":"), (", ", ": ")])
def test_a_body_without_floats_is_read_as_the_stdlib_reads_it(
    doc: Any, separators: tuple[str, str]
) -> None:
    body = json.dumps(doc, ensure_ascii=False, separators=separators).encode()
    for decimal_floats in (False, True):
        assert _same(load_json(body, "bad_batch", "{}", decimal_floats=decimal_floats), doc)
    escaped = json.dumps(doc, ensure_ascii=True).encode()  # \\uXXXX, surrogate pairs
    assert _same(load_json(escaped, "bad_batch", "{}"), _stdlib(escaped))


def test_a_batch_is_read_without_the_stdlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """A push's batch (no floats, 18-digit integers at most) never reaches json.loads."""

    def refuse(*args: Any, **kw: Any) -> Any:
        raise AssertionError("json.loads was called")

    monkeypatch.setattr(cloud.common.json, "loads", refuse)
    doc = {"events": [{"id": f"e{i}", "seq": i, "payload": {"total_fen": 4900}} for i in range(50)]}
    body = json.dumps(doc, separators=(",", ":")).encode()
    assert load_json(body, "bad_batch", "{}", decimal_floats=True) == doc


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": 1.5, "b": [1, 2e3]}',
        b'{"deep": [[[{"x": -0.0}]]]}',
        b"[1E5]",
        b'{"a": NaN, "b": [Infinity, -Infinity]}',
    ],
)
def test_a_body_with_a_float_is_read_by_the_stdlib(body: bytes) -> None:
    for decimal_floats in (False, True):
        got = load_json(body, "bad_batch", "{}", decimal_floats=decimal_floats)
        want = _stdlib(body, decimal_floats)
        assert _same(got, want)


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": 1, "a": 2}',  # the last of a repeated key
        b'"\\ud800"',  # a lone surrogate, escaped
        b'["\\ud83d\\ude00", "\xed\xa0\x80"]',  # a pair; an encoded lone surrogate
        b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark
        '{"a": "b"}'.encode("utf-16"),
        b"7",
        b"null",
    ],
)
def test_what_orjson_refuses_or_reads_otherwise_is_read_as_before(body: bytes) -> None:
    assert _same(load_json(body, "bad_batch", "{}"), _stdlib(body))


@pytest.mark.parametrize(
    "body",
    [b"{", b"[1,]", b'{"a": 1} x', b'"a\x01"', b"\x0c{}", b"{'a': 1}", b'{"a": 1e999999}'],
)
def test_a_bad_body_is_refused_with_the_stdlibs_message(body: bytes) -> None:
    try:
        json.loads(body, parse_float=Decimal)
        reason = ""
    except ValueError as err:
        reason = str(err)
    with pytest.raises(ApiError) as got:
        load_json(body, "bad_batch", "{events}", decimal_floats=True)
    assert got.value.status == 400 and got.value.code == "bad_batch"
    if reason:
        assert got.value.message == f"The body is not JSON ({reason}): send {{events}}"


def test_nesting_is_capped_on_both_paths() -> None:
    def nested(levels: int, leaf: str) -> bytes:
        return ("[" * levels + leaf + "]" * levels).encode()

    assert load_json(nested(MAX_JSON_DEPTH, "1"), "bad_batch", "{}") is not None
    for leaf in ("1", "1.5"):
        with pytest.raises(ApiError) as got:
            load_json(nested(MAX_JSON_DEPTH + 1, leaf), "bad_batch", "{}")
        assert "nests deeper than" in got.value.message
    # a number out of range inside a body nested too deep: the stdlib's answer, as before
    body = nested(MAX_JSON_DEPTH + 1, "1e30")
    with pytest.raises(ApiError) as got:
        load_json(body, "bad_batch", "{}")
    assert "out of range" in got.value.message
