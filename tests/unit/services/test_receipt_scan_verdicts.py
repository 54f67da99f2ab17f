"""services/receipt_scan.py on a fake token codec: each verdict a cashier can see, in both
languages, and the original sale only for this till's genuine sales."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from pos_app.domain.errors import GuitaiError
from pos_app.services.receipt_scan import VERDICTS, verify_scan


@dataclass(frozen=True)
class Token:
    key_id: bytes
    receipt_no: int
    total_fen: int


@dataclass
class FakeTokens:
    readable: bool = True
    known: bool = True
    signed: bool = True
    result: dict[str, Any] | None = None

    def decode(self, text: str) -> Token:
        if not self.readable:
            raise GuitaiError("bad base32", "无法解码")
        return Token(b"k1", 7, 12900)

    def public_key(self, key_id: bytes) -> bytes | None:
        return b"pub" if self.known else None

    def check_signature(self, token: Any, public: bytes) -> None:
        if not self.signed:
            raise GuitaiError("signature does not match", "签名不符")

    def verify_receipt(self, text: str) -> dict[str, Any]:
        assert self.result is not None
        return self.result


def original(no: int) -> dict[str, Any]:
    return {"receipt_no": no, "lines": []}


def own(**local: Any) -> dict[str, Any]:
    return {"receipt_no": 7, "total_fen": 12900, "own_till": True, "local_sale": local}


@pytest.mark.parametrize(
    ("tokens", "verdict", "has_original"),
    [
        (FakeTokens(readable=False), "unreadable", False),
        (FakeTokens(known=False), "unknown_till", False),
        (FakeTokens(signed=False), "altered", False),
        (
            FakeTokens(result={"receipt_no": 7, "total_fen": 1, "own_till": False}),
            "genuine_other",
            False,
        ),
        (FakeTokens(result=own(matches=False, reason="total differs")), "altered", False),
        (FakeTokens(result=own(matches=True, kind="refund")), "genuine", False),
        (FakeTokens(result=own(matches=True, kind="sale")), "genuine", True),
    ],
)
def test_each_verdict(tokens: FakeTokens, verdict: str, has_original: bool) -> None:
    out = verify_scan(tokens, original, "  HTTPS://R.EXAMPLE/R/ABC  ")
    en, zh = VERDICTS[verdict]
    assert out["verdict"] == verdict
    assert out["message"].startswith(en) and out["message_zh"].startswith(zh)
    assert (out["original"] == {"receipt_no": 7, "lines": []}) is has_original


def test_the_reason_is_told_in_both_languages() -> None:
    out = verify_scan(FakeTokens(signed=False), original, "x")
    assert out["message"].endswith("(signature does not match)")
    assert out["message_zh"].endswith("（签名不符）")
    assert out["receipt_no"] == 7


def test_another_tills_gift_receipt_says_it_is_one() -> None:
    """Opened on the returns screen from the store's records, it still gives no money back."""
    theirs = {"receipt_no": 7, "total_fen": 0, "own_till": False, "gift": True}
    out = verify_scan(FakeTokens(result=theirs), original, "x")
    assert out["verdict"] == "genuine_other" and out["gift"] is True
