"""The code classifier (pos_app/domain/codes.py): every kind, check digits, garbage."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.codes import (
    Action,
    CodeKind,
    classify,
    ereceipt_base_url,
    gtin_check_digit_ok,
)

TOKEN = (
    "AFLEOWVHAAAAAKTLA2AGQAAAOTGPRBLOKDAZ4YRSFPPDW2QICOQDVKI2OTNWC2YOM53IWCNT3EXRCDUO4GDRYXP"
    "7I4B6ZMY5FLZULHGSG2TCPYVZJ2IY3DRGUAQL72GM2YYG3OG4PKUGKBQ"
)
BASE = "HTTPS://R.EXAMPLE.COM/R/"


@pytest.mark.parametrize(
    ("raw", "kind", "action"),
    [
        ("6901234567892", CodeKind.EAN13, Action.ADD_ITEM),
        ("96385074", CodeKind.EAN8, Action.ADD_ITEM),
        ("036000291452", CodeKind.UPCA, Action.ADD_ITEM),
        ("QP-2026-001-BLK-L", CodeKind.STORE, Action.ADD_ITEM),
        ("134567890123456789", CodeKind.WECHAT_PAY, Action.TAKE_PAYMENT),
        ("101234567890123456", CodeKind.WECHAT_PAY, Action.TAKE_PAYMENT),
        ("151234567890123456", CodeKind.WECHAT_PAY, Action.TAKE_PAYMENT),
        ("2812345678901234", CodeKind.ALIPAY, Action.TAKE_PAYMENT),
        ("281234567890123456", CodeKind.ALIPAY, Action.TAKE_PAYMENT),
        ("301234567890123456789012", CodeKind.ALIPAY, Action.TAKE_PAYMENT),
        (BASE + TOKEN, CodeKind.ERECEIPT, Action.OPEN_RECEIPT),
        (BASE.lower() + TOKEN, CodeKind.ERECEIPT, Action.OPEN_RECEIPT),
        ("13812345678", CodeKind.MEMBER, Action.IDENTIFY_MEMBER),
        ("M00012345", CodeKind.MEMBER, Action.IDENTIFY_MEMBER),
        ("6901234567893", CodeKind.INVALID, Action.REJECT),  # bad check digit
        ("161234567890123456", CodeKind.INVALID, Action.REJECT),  # 18 digits, prefix 16
        ("", CodeKind.INVALID, Action.REJECT),
        ("\x00\x01garbage", CodeKind.INVALID, Action.REJECT),
        ("商品", CodeKind.INVALID, Action.REJECT),
        (BASE + TOKEN[:-5], CodeKind.INVALID, Action.REJECT),  # truncated e-receipt
        ("9" * 600, CodeKind.INVALID, Action.REJECT),
    ],
)
def test_kinds(raw: str, kind: CodeKind, action: Action) -> None:
    code = classify(raw, ereceipt_base_url=BASE if raw.upper().startswith(BASE) else None)
    assert code.kind == kind and code.action == action
    if kind == CodeKind.INVALID:
        assert code.reason and code.reason_zh


def test_ereceipt_without_configured_base_and_token_value() -> None:
    code = classify(f"HTTPS://RECEIPTS.BRAND.CN/R/{TOKEN}\r\n")
    assert code.kind == CodeKind.ERECEIPT and code.value == TOKEN
    assert len(base64.b32decode(TOKEN + "=" * (-len(TOKEN) % 8))) == 89


def test_bare_token_of_a_till_without_an_e_receipt_address() -> None:
    code = classify(TOKEN)
    assert code.kind == CodeKind.ERECEIPT and code.value == TOKEN
    assert classify(TOKEN[:-1]).kind == CodeKind.INVALID


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("https://r.brand.cn/r", "HTTPS://R.BRAND.CN/R/"),
        (" HTTP://127.0.0.1:8700/R/ ", "HTTP://127.0.0.1:8700/R/"),
    ],
)
def test_ereceipt_base_url_is_stored_upper_case_with_a_slash(value: str, stored: str) -> None:
    assert ereceipt_base_url(value) == stored


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("ftp://r.brand.cn/", "http(s) URL"),
        ("https://r.brand.cn/r?x=1", "only letters"),
        ("https://" + "a" * 80 + ".cn/", "at most 81"),
    ],
)
def test_ereceipt_base_url_refuses_what_a_qr_cannot_hold(value: str, why: str) -> None:
    with pytest.raises(ValueError, match=re.escape(why)):
        ereceipt_base_url(value)


def test_check_digits() -> None:
    assert gtin_check_digit_ok("4006381333931")
    assert not gtin_check_digit_ok("4006381333932")
    assert not gtin_check_digit_ok("12345")


@given(st.text(max_size=200))
def test_classify_never_raises(raw: str) -> None:
    assert classify(raw).kind in set(CodeKind)
