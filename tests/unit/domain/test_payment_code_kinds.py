"""A scan of a 云闪付 (62…) or 数字人民币 (01…) payment code is a payment code, as the payment
service routes it (issue 23): the tender screen pays with it like a WeChat or Alipay code."""

from __future__ import annotations

import pytest

from pos_app.domain.codes import ROUTES, Action, CodeKind, classify
from pos_app.domain.payments import tender_for_code


@pytest.mark.parametrize(
    ("code", "kind", "tender"),
    [
        ("6200000000000000100", CodeKind.UNIONPAY_QR, "unionpay"),
        ("0100000000000000400", CodeKind.ECNY, "ecny"),
        ("134000000000000100", CodeKind.WECHAT_PAY, "wechat"),
        ("280000000000000200", CodeKind.ALIPAY, "alipay"),
    ],
)
def test_each_wallet_code_is_a_payment(code: str, kind: CodeKind, tender: str) -> None:
    assert classify(code).kind is kind
    assert ROUTES[kind] is Action.TAKE_PAYMENT
    assert tender_for_code(code) == tender


def test_a_long_number_of_no_wallet_is_still_refused() -> None:
    assert classify("9900000000000000100").kind is CodeKind.INVALID
