"""Alipay's OpenAPI gateway on loopback: `guitai emulate alipay --port N --app-public-key FILE
--private-key FILE`.

Form-encoded request in, JSON answer out.  Checks each request's RSA2 signature with the app's
public key and signs its answers with its own private key (the till holds the matching public
key as "Alipay's public key").  Behaviours by the last two digits of the payment code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Unpack
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.common.http_emulator import DropConnection, EmulatorOptions, HttpEmulator, Trade
from drivers.common.scenarios import Behaviour
from drivers.common.wallet import fen_from_yuan, yuan

from .driver import response_key, rsa2_sign, rsa2_verify, signing_text


class AlipayEmulator(HttpEmulator):
    name = "alipay-emulator"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        app_public_key: rsa.RSAPublicKey,
        private_key: rsa.RSAPrivateKey,
        app_id: str = "2021000000000001",
        **options: Unpack[EmulatorOptions],
    ) -> None:
        super().__init__(host, port, **options)
        self._app_key = app_public_key
        self._key = private_key
        self.app_id = app_id

    def __repr__(self) -> str:
        return f"AlipayEmulator({self.url}, app_id={self.app_id})"

    def _reply(self, method: str, fields: dict[str, Any]) -> tuple[int, str, bytes]:
        body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        sig = rsa2_sign(self._key, body.encode("utf-8"))
        text = f'{{"{response_key(method)}":{body},"sign":"{sig}"}}'
        return 200, "application/json;charset=utf-8", text.encode("utf-8")

    def _fail(self, method: str, sub: str, msg: str, code: str = "40004") -> tuple[int, str, bytes]:
        return self._reply(
            method, {"code": code, "msg": "Business Failed", "sub_code": sub, "sub_msg": msg}
        )

    def answer(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        try:
            params = dict(
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            )
        except (UnicodeDecodeError, ValueError):
            return 400, "text/plain", b"bad form"
        method = params.get("method", "")
        if (
            params.get("app_id") != self.app_id
            or params.get("sign_type") != "RSA2"
            or not rsa2_verify(self._app_key, signing_text(params), params.get("sign", ""))
        ):
            self.rejected_signatures += 1
            return self._reply(
                method or "error",
                {
                    "code": "40002",
                    "msg": "Invalid Arguments",
                    "sub_code": "isv.invalid-signature",
                    "sub_msg": "验签出错",
                },
            )
        try:
            biz = json.loads(params.get("biz_content", ""))
            assert isinstance(biz, dict)
        except (json.JSONDecodeError, AssertionError):
            return self._fail(method, "ACQ.INVALID_PARAMETER", "biz_content 无效")
        routes: dict[str, tuple[str, Callable[[str, dict[str, Any]], tuple[int, str, bytes]]]] = {
            "alipay.trade.pay": ("pay", self._pay),
            "alipay.trade.query": ("query", self._query),
            "alipay.trade.cancel": ("reverse", self._reverse),
            "alipay.trade.refund": ("refund", self._refund),
        }
        route = routes.get(method)
        if route is None:
            return self._fail(method, "isv.invalid-method", "不存在的方法名", code="40002")
        step, handle = route
        self.calls.append(step)
        return handle(method, biz)

    def answer_get(self, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        # The gateway takes the same signed parameters as a GET query string (a widely used
        # Python SDK sends its synchronous calls that way): check and answer it as the form.
        route, _, query = path.partition("?")
        return self.answer(route, query.encode("utf-8"), headers)

    def _pay(self, method: str, biz: dict[str, Any]) -> tuple[int, str, bytes]:
        code = str(biz.get("auth_code", ""))
        if biz.get("scene") != "bar_code" or not (
            code.isdigit() and 16 <= len(code) <= 24 and 25 <= int(code[:2]) <= 30
        ):
            return self._fail(
                method, "ACQ.PAYMENT_AUTH_CODE_INVALID", "支付失败，获取顾客账户信息失败"
            )
        otn = str(biz.get("out_trade_no", ""))
        try:
            amount = fen_from_yuan(str(biz.get("total_amount", "")))
        except ValueError:
            return self._fail(method, "ACQ.INVALID_PARAMETER", "金额无效")
        with self.lock:
            if otn in self.trades:
                return self._fail(method, "ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
            b = self.pay_behaviour(code)
            if b is Behaviour.BUSY:
                return self._fail(method, "ACQ.SYSTEM_ERROR", "系统错误", code="20000")
            state = {
                Behaviour.DECLINE: "failed",
                Behaviour.INSUFFICIENT: "failed",
                Behaviour.USER_PAYING: "paying",
                Behaviour.USER_PAYING_FOREVER: "paying",
            }.get(b, "paid")
            t = Trade(otn, amount, code[-4:], state, self.next_trade_no("2026112522001"), b)
            self.trades[otn] = t
        if b is Behaviour.NO_ANSWER:
            self.no_answer()
        if b is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        if b is Behaviour.DECLINE:
            return self._fail(method, "ACQ.PAYMENT_FAIL", "支付失败")
        if b is Behaviour.INSUFFICIENT:
            return self._fail(method, "ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足")
        if state == "paying":
            return self._reply(
                method,
                {
                    "code": "10003",
                    "msg": "order success pay inprocess",
                    "out_trade_no": otn,
                    "trade_no": t.trade_no,
                },
            )
        return self._reply(
            method,
            {
                "code": "10000",
                "msg": "Success",
                "trade_no": t.trade_no,
                "out_trade_no": otn,
                "buyer_logon_id": "159****" + t.auth_code_tail,
                "total_amount": yuan(amount),
                "receipt_amount": yuan(amount),
                "gmt_payment": "2026-11-25 12:00:00",
            },
        )

    def _query(self, method: str, biz: dict[str, Any]) -> tuple[int, str, bytes]:
        fault = self.step_fault("query")
        if fault is Behaviour.BUSY:
            return self._fail(method, "ACQ.SYSTEM_ERROR", "系统错误", code="20000")
        if fault is Behaviour.NO_ANSWER:
            self.no_answer()
        t = self.trades.get(str(biz.get("out_trade_no", "")))
        if t is None:
            return self._fail(method, "ACQ.TRADE_NOT_EXIST", "交易不存在")
        with self.lock:
            t.queries += 1
            if (
                t.state == "paying"
                and t.behaviour is Behaviour.USER_PAYING
                and t.queries >= self.paying_queries
            ):
                t.state = "paid"
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        status = {
            "paying": "WAIT_BUYER_PAY",
            "paid": "TRADE_SUCCESS",
            "failed": "TRADE_CLOSED",
            "closed": "TRADE_CLOSED",
            "refunded": "TRADE_SUCCESS",
        }[t.state]
        return self._reply(
            method,
            {
                "code": "10000",
                "msg": "Success",
                "trade_no": t.trade_no,
                "out_trade_no": t.out_trade_no,
                "trade_status": status,
                "total_amount": yuan(t.amount_fen),
            },
        )

    def _reverse(self, method: str, biz: dict[str, Any]) -> tuple[int, str, bytes]:
        fault = self.step_fault("reverse")
        if fault is Behaviour.BUSY:
            return self._reply(
                method,
                {
                    "code": "20000",
                    "msg": "Service Currently Unavailable",
                    "sub_code": "ACQ.SYSTEM_ERROR",
                    "retry_flag": "Y",
                },
            )
        if fault is Behaviour.NO_ANSWER:
            self.no_answer()
        otn = str(biz.get("out_trade_no", ""))
        t = self.trades.get(otn)
        action = "close"
        if t is not None:
            with self.lock:
                if t.state == "paid":
                    action = "refund"
                if t.state in ("paid", "paying", "failed"):
                    t.state = "closed"
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        return self._reply(
            method,
            {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": otn,
                "retry_flag": "N",
                "action": action,
            },
        )

    def _refund(self, method: str, biz: dict[str, Any]) -> tuple[int, str, bytes]:
        fault = self.step_fault("refund")
        if fault is Behaviour.BUSY:
            return self._fail(method, "ACQ.SYSTEM_ERROR", "系统错误", code="20000")
        if fault is Behaviour.NO_ANSWER:
            self.no_answer()
        t = self.trades.get(str(biz.get("out_trade_no", "")))
        if t is None or t.state not in ("paid", "refunded"):
            return self._fail(method, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        rno = str(biz.get("out_request_no", ""))
        try:
            fee = fen_from_yuan(str(biz.get("refund_amount", "")))
        except ValueError:
            return self._fail(method, "ACQ.INVALID_PARAMETER", "金额无效")
        with self.lock:
            if rno not in t.refunds:
                if fee <= 0 or sum(t.refunds.values()) + fee > t.amount_fen:
                    return self._fail(method, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
                t.refunds[rno] = fee
                t.state = "refunded"
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        return self._reply(
            method,
            {
                "code": "10000",
                "msg": "Success",
                "trade_no": t.trade_no,
                "out_trade_no": t.out_trade_no,
                "fund_change": "Y",
                "refund_fee": yuan(sum(t.refunds.values())),
            },
        )
