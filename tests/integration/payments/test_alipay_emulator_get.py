"""The Alipay emulator answers the gateway's signed GET query on gateway.do as it answers the
POST form (a widely used Python SDK sends its synchronous calls as GET): same signature check,
a wrong key refused."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from payments_rig import alipay_code, keys

from drivers.alipay.driver import new_key, rsa2_sign, signing_text
from drivers.alipay.emulator import AlipayEmulator


@pytest.fixture
def emu() -> Iterator[AlipayEmulator]:
    k = keys()
    e = AlipayEmulator(app_public_key=k["app"].public_key(), private_key=k["alipay"])
    e.start()
    try:
        yield e
    finally:
        e.stop()


def _query(app_id: str, signer, method: str, biz: dict) -> dict[str, str]:  # type: ignore[no-untyped-def]
    params = {
        "app_id": app_id,
        "method": method,
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "version": "1.0",
        "timestamp": "2026-12-06 12:00:00",
        "biz_content": json.dumps(biz, ensure_ascii=False),
    }
    params["sign"] = rsa2_sign(signer, signing_text(params))
    return params


def test_signed_get_pays_and_queries_like_the_post_form(emu: AlipayEmulator) -> None:
    pay = {
        "out_trade_no": "GET-1",
        "scene": "bar_code",
        "auth_code": alipay_code(),
        "total_amount": "12.34",
        "subject": "测试",
    }
    got = httpx.get(
        emu.url + "/gateway.do", params=_query(emu.app_id, keys()["app"], "alipay.trade.pay", pay)
    )
    assert got.status_code == 200
    body = got.json()["alipay_trade_pay_response"]
    assert body["code"] == "10000", body
    assert emu.paid_total() == 1234
    q = _query(emu.app_id, keys()["app"], "alipay.trade.query", {"out_trade_no": "GET-1"})
    answer = httpx.get(emu.url + "/gateway.do", params=q).json()["alipay_trade_query_response"]
    assert answer["trade_status"] == "TRADE_SUCCESS"


def test_signed_get_with_a_wrong_key_is_refused(emu: AlipayEmulator) -> None:
    q = _query(emu.app_id, new_key(), "alipay.trade.query", {"out_trade_no": "GET-1"})
    got = httpx.get(emu.url + "/gateway.do", params=q)
    assert got.status_code == 200
    assert got.json()["alipay_trade_query_response"]["sub_code"] == "isv.invalid-signature"
    assert emu.rejected_signatures == 1
