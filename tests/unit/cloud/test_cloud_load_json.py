"""common.load_json keeps the decoder's own integers unless a body holds a run of 19 digits:
the rule (a number beyond 64 bits is a 400) holds on both paths, at the boundary."""

from __future__ import annotations

import json

import pytest

from cloud.common import ApiError, load_json


@pytest.mark.parametrize(
    "number",
    ["9223372036854775807", "-9223372036854775808", "999999999999999999", "-1", "0"],
)
def test_an_integer_within_64_bits_is_taken(number: str) -> None:
    body = f'{{"events": [{{"x": {number}}}], "s": "a"}}'.encode()
    assert load_json(body, "bad_batch", "{}")["events"][0]["x"] == int(number)


@pytest.mark.parametrize(
    "number",
    ["9223372036854775808", "-9223372036854775809", "100000000000000000000000000000"],
)
def test_an_integer_beyond_64_bits_is_refused(number: str) -> None:
    hash_like = "ab" + "1234567890" * 3  # a run of digits in a string first
    for body in (
        f'{{"h": "{hash_like}", "x": [1, {number}]}}',
        f'{{"h": "{hash_like}", "x": [1,\n  {number}]}}',
        f'{{"x":{number}}}',
        number,
    ):
        with pytest.raises(ApiError) as err:
            load_json(body.encode(), "bad_batch", "{}")
        assert err.value.status == 400 and err.value.code == "bad_batch", body


def test_a_long_run_of_digits_in_a_string_decodes_the_same() -> None:
    """A 20-digit barcode in a string takes the checked path: the same document."""
    doc = {"barcode": "12345678901234567890", "qty": 3, "lines": [{"n": -7}], "e": "0" * 64}
    body = json.dumps(doc).encode()
    assert load_json(body, "bad_batch", "{}") == doc
    assert load_json(body.replace(b"1234567890123", b"1"), "bad_batch", "{}")["qty"] == 3
