"""WeChat Pay v2 on loopback: `guitai emulate wechatpay --port N --mch-id ID --key KEY`.

Checks every request's signature with the merchant's API key (MD5 or HMAC-SHA256) and signs its
answers the same way.  Behaviours by the last two digits of the payment code (scenarios.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Unpack

from drivers.common.http_emulator import DropConnection, EmulatorOptions, HttpEmulator, Trade
from drivers.common.payment_errors import FrameError
from drivers.common.scenarios import Behaviour

from .driver import check_sign, parse_xml, sign, to_xml

FAIL_CODES = {
    Behaviour.DECLINE: ("TRADE_ERROR", "交易错误：用户账户异常"),
    Behaviour.INSUFFICIENT: ("NOTENOUGH", "余额不足"),
    Behaviour.BUSY: ("SYSTEMERROR", "系统超时"),
}


class WechatPayEmulator(HttpEmulator):
    name = "wechatpay-emulator"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        mch_id: str = "1900000109",
        key: str = "test-key",
        appid: str = "wx0000000000000000",
        **options: Unpack[EmulatorOptions],
    ) -> None:
        super().__init__(host, port, **options)
        self.mch_id, self._key, self.appid = mch_id, key, appid

    def __repr__(self) -> str:
        return f"WechatPayEmulator({self.url}, mch_id={self.mch_id})"

    def _reply(self, fields: dict[str, str], sign_type: str) -> tuple[int, str, bytes]:
        out = {
            "return_code": "SUCCESS",
            "return_msg": "OK",
            "appid": self.appid,
            "mch_id": self.mch_id,
            "nonce_str": secrets.token_hex(8),
        }
        out.update(fields)
        if sign_type != "MD5":
            out["sign_type"] = sign_type
        out["sign"] = sign(out, self._key, sign_type)
        return 200, "text/xml; charset=utf-8", to_xml(out)

    def _fail(self, code: str, des: str, sign_type: str) -> tuple[int, str, bytes]:
        return self._reply(
            {"result_code": "FAIL", "err_code": code, "err_code_des": des}, sign_type
        )

    def answer(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        try:
            req = parse_xml(body)
        except FrameError as err:
            return 200, "text/xml", to_xml({"return_code": "FAIL", "return_msg": str(err)[:80]})
        sign_type = req.get("sign_type", "MD5") or "MD5"
        if (
            req.get("mch_id") != self.mch_id
            or sign_type not in ("MD5", "HMAC-SHA256")
            or not check_sign(req, self._key)
        ):
            self.rejected_signatures += 1
            return 200, "text/xml", to_xml({"return_code": "FAIL", "return_msg": "签名错误"})
        routes: dict[str, tuple[str, Callable[[dict[str, str], str], tuple[int, str, bytes]]]] = {
            "/pay/micropay": ("pay", self._pay),
            "/pay/orderquery": ("query", self._query),
            "/secapi/pay/reverse": ("reverse", self._reverse),
            "/secapi/pay/refund": ("refund", self._refund),
        }
        route = routes.get(path)
        if route is None:
            return 404, "text/plain", b"no such API"
        step, handle = route
        self.calls.append(step)
        return handle(req, sign_type)

    def _pay(self, req: dict[str, str], st: str) -> tuple[int, str, bytes]:
        code = req.get("auth_code", "")
        if not (len(code) == 18 and code.isdigit() and 10 <= int(code[:2]) <= 15):
            return self._fail("AUTH_CODE_INVALID", "付款码无效", st)
        otn = req.get("out_trade_no", "")
        if not otn or not req.get("total_fee", "").isdigit():
            return self._fail("PARAM_ERROR", "参数错误", st)
        with self.lock:
            if otn in self.trades:
                t = self.trades[otn]
                if t.state == "paid":
                    return self._fail("ORDERPAID", "订单已支付", st)
                return self._fail("OUT_TRADE_NO_USED", "商户订单号重复", st)
            b = self.pay_behaviour(code)
            if b is Behaviour.BUSY:
                return self._fail("SYSTEMERROR", "系统超时", st)
            state = {
                Behaviour.DECLINE: "failed",
                Behaviour.INSUFFICIENT: "failed",
                Behaviour.USER_PAYING: "paying",
                Behaviour.USER_PAYING_FOREVER: "paying",
            }.get(b, "paid")
            t = Trade(otn, int(req["total_fee"]), code[-4:], state, self.next_trade_no("4200"), b)
            self.trades[otn] = t
        if b is Behaviour.NO_ANSWER:
            self.no_answer()
        if b is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        if b in FAIL_CODES:
            return self._fail(*FAIL_CODES[b], st)
        if state == "paying":
            return self._fail("USERPAYING", "需要用户输入支付密码", st)
        return self._reply(
            {
                "result_code": "SUCCESS",
                "openid": "oEmu" + t.auth_code_tail,
                "trade_type": "MICROPAY",
                "bank_type": "CMC",
                "total_fee": str(t.amount_fen),
                "transaction_id": t.trade_no,
                "out_trade_no": otn,
                "time_end": "20261125120000",
            },
            st,
        )

    def _apply_step_fault(self, step: str) -> None:
        f = self.step_fault(step)
        if f is Behaviour.NO_ANSWER:
            self.no_answer()

    def _query(self, req: dict[str, str], st: str) -> tuple[int, str, bytes]:
        fault = self.step_fault("query")
        if fault is Behaviour.BUSY:
            return self._fail("SYSTEMERROR", "系统错误", st)
        self._apply_step_fault("query")
        t = self.trades.get(req.get("out_trade_no", ""))
        if t is None:
            return self._fail("ORDERNOTEXIST", "此交易订单号不存在", st)
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
        trade_state = {
            "paying": "USERPAYING",
            "paid": "SUCCESS",
            "failed": "PAYERROR",
            "closed": "REVOKED",
            "refunded": "REFUND",
        }[t.state]
        fields = {
            "result_code": "SUCCESS",
            "trade_state": trade_state,
            "out_trade_no": t.out_trade_no,
            "total_fee": str(t.amount_fen),
            "trade_state_desc": trade_state,
        }
        if t.state in ("paid", "refunded"):
            fields["transaction_id"] = t.trade_no
        return self._reply(fields, st)

    def _reverse(self, req: dict[str, str], st: str) -> tuple[int, str, bytes]:
        fault = self.step_fault("reverse")
        if fault is Behaviour.BUSY:
            return self._reply(
                {
                    "result_code": "FAIL",
                    "err_code": "SYSTEMERROR",
                    "err_code_des": "系统错误",
                    "recall": "Y",
                },
                st,
            )
        self._apply_step_fault("reverse")
        t = self.trades.get(req.get("out_trade_no", ""))
        if t is not None:
            with self.lock:
                if t.state in ("paid", "paying", "failed"):
                    t.state = "closed"  # a paid trade is refunded to the customer by the reverse
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        return self._reply({"result_code": "SUCCESS", "recall": "N"}, st)

    def _refund(self, req: dict[str, str], st: str) -> tuple[int, str, bytes]:
        fault = self.step_fault("refund")
        if fault is Behaviour.BUSY:
            return self._fail("SYSTEMERROR", "系统错误", st)
        self._apply_step_fault("refund")
        t = self.trades.get(req.get("out_trade_no", ""))
        if t is None or t.state not in ("paid", "refunded"):
            return self._fail("TRADE_STATE_ERROR", "订单状态错误", st)
        rno = req.get("out_refund_no", "")
        fee = int(req.get("refund_fee", "0") or 0)
        with self.lock:
            if rno not in t.refunds:
                if fee <= 0 or sum(t.refunds.values()) + fee > t.amount_fen:
                    return self._fail("INVALID_REQ_TOO_MUCH", "退款金额超过订单金额", st)
                t.refunds[rno] = fee
                t.state = "refunded"
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        return self._reply(
            {
                "result_code": "SUCCESS",
                "out_refund_no": rno,
                "refund_id": f"50{t.trade_no[4:]}{list(t.refunds).index(rno):02d}",
                "refund_fee": str(t.refunds[rno]),
            },
            st,
        )
