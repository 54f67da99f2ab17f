"""Two per-push costs cut (issue 18): the event ids checked by a regular expression instead of
building a UUID each (cloud/service._is_uuid), and the push's answer written by orjson
(cloud/push.PushAnswer).  Each gives exactly the old answer."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from starlette.responses import JSONResponse

from cloud import service
from cloud.push import PushAnswer


def _old_is_uuid(value: Any) -> bool:
    """The check as it was: a 36-character text that uuid.UUID reads and writes back as is
    (case aside)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


GOOD = "0f8fad5b-d9cb-469f-a165-70867728950e"
IDS: list[Any] = [
    GOOD,
    GOOD.upper(),
    "0F8fad5b-D9cb-469f-a165-70867728950E",
    GOOD + "\n",
    GOOD[:-1],
    GOOD + "0",
    "{" + GOOD[1:-1] + "}",
    "urn:uuid:" + GOOD[9:],
    GOOD.replace("-", ""),
    GOOD.replace("-", "_"),
    GOOD.replace("-", "")[:32] + "0000",
    "0f8fad5b-d9cb-469f-a165-7086772895_e",
    "0f8fad5b-d9cb-469f-a165-70867728950g",
    "0f8fad5b-d9cb-469f-a165-7086772895٣e",  # an Arabic-Indic digit: int() reads it
    "0f8fad5b-d9cb-469f-a165-7086772895０e",  # a fullwidth digit
    "0f8fad5b-d9cb-469f-a165-70867728950\u212a",  # KELVIN SIGN: lower() is "k"
    "0f8fad5b-d9cb-469f-a165-70867728950\u0130",  # lower() is two characters
    "0f8fad5b d9cb-469f-a165-70867728950e",
    "+f8fad5b-d9cb-469f-a165-70867728950e",
    " 0f8fad5b-d9cb-469f-a165-70867728950",
    "",
    None,
    7,
    b"0f8fad5b-d9cb-469f-a165-70867728950e",
    ["0f8fad5b-d9cb-469f-a165-70867728950e"],
]


@pytest.mark.parametrize("value", IDS)
def test_an_event_id_is_judged_as_before(value: Any) -> None:
    assert service._is_uuid(value) is _old_is_uuid(value)


def test_random_ids_are_judged_as_before() -> None:
    for _ in range(2000):
        text = str(uuid.uuid4())
        for v in (text, text.upper(), text[:35] + "-", text.replace("-", "x", 1)):
            assert service._is_uuid(v) is _old_is_uuid(v)


def test_an_event_id_is_checked_without_building_a_uuid(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("uuid.UUID built")

    batch = [{"id": str(uuid.uuid4())} for _ in range(5)]
    monkeypatch.setattr(service.uuid, "UUID", refused)
    assert service._is_uuid(GOOD)
    service.check_batch(batch)


def _answer(reason: str) -> dict[str, Any]:
    return {
        "accepted": [GOOD],
        "duplicates": [],
        "rejected": [{"id": GOOD, "code": "bad_event", "reason": reason}],
        "contiguous_seq": 2**63 - 1,
    }


def test_the_push_answer_is_written_as_starlette_writes_it() -> None:
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for reason in (text, '"quoted" \\ back\tslash\n', "南京西路店", ""):
        content = _answer(reason)
        assert PushAnswer(content).body == JSONResponse(content).body


def test_what_orjson_refuses_is_answered_as_before() -> None:
    for content in (_answer("lone \ud800 surrogate"), {**_answer(""), "contiguous_seq": 2**64}):
        try:
            expected: Any = JSONResponse(content).body
        except Exception as err:
            expected = type(err)
        try:
            got: Any = PushAnswer(content).body
        except Exception as err:
            got = type(err)
        assert got == expected


def test_the_push_answer_is_not_written_by_the_stdlib(monkeypatch: pytest.MonkeyPatch) -> None:
    import starlette.responses

    def refused(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("json.dumps called")

    monkeypatch.setattr(starlette.responses.json, "dumps", refused)
    assert json.loads(PushAnswer(_answer("x")).body)["rejected"][0]["reason"] == "x"
