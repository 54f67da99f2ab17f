"""An aggregator acquirer on loopback: `guitai emulate aggregator --port N [--vendor-sn S
--vendor-key K]`.

Speaks the Upay-shaped terminal API of driver.py: checks every request's `Authorization: sn sign`
(the vendor's key for activation, the terminal's key for the rest), activates terminals with its
activation code, rotates a terminal's key on check-in, and takes WeChat, Alipay, UnionPay QR and
digital RMB payment codes.  Behaviours by the last two digits of the payment code, as the other
emulators (drivers/common/scenarios.py).
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any, Unpack

from drivers.common.http_emulator import DropConnection, EmulatorOptions, HttpEmulator, Trade
from drivers.common.scenarios import Behaviour

from .driver import encode, sign

Reply = tuple[int, str, bytes]

PAY_FAILS = {
    Behaviour.DECLINE: ("EXTERNAL_SERVICE_EXCEPTION", "交易错误：用户账户异常"),
    Behaviour.INSUFFICIENT: ("INSUFFICIENT_FUND", "余额不足"),
}
# The wallet a payment code belongs to, by prefix: the acquirer routes it the same way.
WALLETS = (("wechat", 10, 15), ("alipay", 25, 30), ("unionpay", 62, 62), ("ecny", 1, 1))


def wallet_of(code: str) -> str | None:
    if not (code.isascii() and code.isdigit() and 16 <= len(code) <= 24):
        return None
    head = int(code[:2])
    return next((name for name, lo, hi in WALLETS if lo <= head <= hi), None)


class AggregatorEmulator(HttpEmulator):
    name = "aggregator-emulator"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        vendor_sn: str = "91800001",
        vendor_key: str | None = None,
        activation_code: str | None = None,
        **options: Unpack[EmulatorOptions],
    ) -> None:
        super().__init__(host, port, **options)
        self.vendor_sn = vendor_sn
        self.vendor_key = vendor_key or secrets.token_hex(16)
        self.activation_code = activation_code or str(10_000_000 + secrets.randbelow(89_999_999))
        # terminal_sn → its keys: the newest first; the previous one stays good until the new
        # one is used, so a check-in whose answer was lost does not lock the till out.
        self.terminals: dict[str, list[str]] = {}
        self.wallets: dict[str, str] = {}  # client_sn → wallet, for tests

    def __repr__(self) -> str:
        return f"AggregatorEmulator({self.url}, vendor_sn={self.vendor_sn})"

    @staticmethod
    def _json(top: str, **fields: Any) -> Reply:
        return 200, "application/json;charset=utf-8", encode({"result_code": top, **fields})

    def _error(self, top: str, code: str, msg: str) -> Reply:
        return self._json(top, error_code=code, error_message=msg)

    def _biz(self, result: str, data: dict[str, Any] | None = None, **err: str) -> Reply:
        biz: dict[str, Any] = {"result_code": result, **err}
        if data is not None:
            biz["data"] = data
        return self._json("200", biz_response=biz)

    def _signed_by(self, headers: dict[str, str], body: bytes) -> tuple[str, str] | None:
        """(sn, key) whose signature the request carries, or None."""
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        sn, _, given = auth.strip().partition(" ")
        keys = [self.vendor_key] if sn == self.vendor_sn else list(self.terminals.get(sn, []))
        for key in keys:
            if hmac.compare_digest(given.strip().lower(), sign(body, key)):
                return sn, key
        return None

    def answer(self, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        signer = self._signed_by(headers, body)
        if signer is None:
            self.rejected_signatures += 1
            return self._error("400", "ILLEGAL_SIGN", "签名错误")
        try:
            req = json.loads(body)
            assert isinstance(req, dict)
        except (json.JSONDecodeError, UnicodeDecodeError, AssertionError):
            return self._error("400", "INVALID_PARAMS", "参数错误")
        sn, key = signer
        if path == "/terminal/activate":
            if sn != self.vendor_sn:
                return self._error("400", "ILLEGAL_SIGN", "激活须用服务商序列号签名")
            return self._activate(req)
        if sn == self.vendor_sn or req.get("terminal_sn") != sn:
            return self._error("400", "INVALID_TERMINAL", "终端错误")
        with self.lock:
            keys = self.terminals[sn]
            if key == keys[0] and len(keys) > 1:
                del keys[1:]  # the new key is in use: the old one is retired
        routes: dict[str, tuple[str, Callable[[dict[str, Any]], Reply]]] = {
            "/terminal/checkin": ("checkin", self._checkin),
            "/upay/v2/pay": ("pay", self._pay),
            "/upay/v2/query": ("query", self._query),
            "/upay/v2/cancel": ("reverse", self._cancel),
            "/upay/v2/revoke": ("reverse", self._cancel),
            "/upay/v2/refund": ("refund", self._refund),
        }
        route = routes.get(path)
        if route is None:
            return 404, "text/plain", b"no such API"
        step, handle = route
        self.calls.append(step)
        return handle(req)

    def _activate(self, req: dict[str, Any]) -> Reply:
        if not req.get("app_id") or not req.get("device_id"):
            return self._error("400", "INVALID_PARAMS", "参数错误：缺少 app_id 或 device_id")
        if str(req.get("code", "")) != self.activation_code:
            return self._error("400", "INVALID_PARAMS", "激活码错误或已过期")
        terminal_sn = self.next_trade_no("100")
        key = secrets.token_hex(16)
        with self.lock:
            self.terminals[terminal_sn] = [key]
        return self._json("200", biz_response={"terminal_sn": terminal_sn, "terminal_key": key})

    def _checkin(self, req: dict[str, Any]) -> Reply:
        sn = str(req["terminal_sn"])
        key = secrets.token_hex(16)
        with self.lock:
            self.terminals[sn] = [key, self.terminals[sn][0]]
        return self._json("200", biz_response={"terminal_sn": sn, "terminal_key": key})

    def _data(self, t: Trade, status: str, order_status: str) -> dict[str, Any]:
        return {
            "sn": t.trade_no,
            "client_sn": t.out_trade_no,
            "status": status,
            "order_status": order_status,
            "total_amount": str(t.amount_fen),
            "net_amount": str(t.amount_fen - sum(t.refunds.values())),
            "payway_name": self.wallets.get(t.out_trade_no, ""),
        }

    def _pay(self, req: dict[str, Any]) -> Reply:
        code = str(req.get("dynamic_id", ""))
        csn = str(req.get("client_sn", ""))
        amount = str(req.get("total_amount", ""))
        wallet = wallet_of(code)
        if not csn or not amount.isdigit() or int(amount) <= 0:
            return self._error("400", "INVALID_PARAMS", "参数错误")
        if wallet is None:
            return self._biz("PAY_FAIL", error_code="INVALID_BARCODE", error_message="付款码无效")
        with self.lock:
            if csn in self.trades:
                return self._biz("FAIL", error_code="CLIENT_SN_REPEAT", error_message="订单号重复")
            b = self.pay_behaviour(code)
            if b is Behaviour.BUSY:
                return self._error("500", "UNKNOWN_SYSTEM_ERROR", "系统错误")
            state = {
                Behaviour.DECLINE: "failed",
                Behaviour.INSUFFICIENT: "failed",
                Behaviour.USER_PAYING: "paying",
                Behaviour.USER_PAYING_FOREVER: "paying",
            }.get(b, "paid")
            t = Trade(csn, int(amount), code[-4:], state, self.next_trade_no("789"), b)
            self.trades[csn] = t
            self.wallets[csn] = wallet
        if b is Behaviour.NO_ANSWER:
            self.no_answer()
        if b is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        if b in PAY_FAILS:
            code_, msg = PAY_FAILS[b]
            with self.lock:
                t.state = "closed"  # PAY_FAIL: failed, and the order is cancelled
            return self._biz(
                "PAY_FAIL",
                self._data(t, "FAIL_CANCELED", "PAY_CANCELED"),
                error_code=code_,
                error_message=msg,
            )
        if state == "paying":
            return self._biz("PAY_IN_PROGRESS", self._data(t, "IN_PROG", "CREATED"))
        return self._biz("PAY_SUCCESS", self._data(t, "SUCCESS", "PAID"))

    def _order_status(self, t: Trade) -> str:
        if t.state == "refunded":
            return "REFUNDED" if sum(t.refunds.values()) >= t.amount_fen else "PARTIAL_REFUNDED"
        return {"paying": "CREATED", "paid": "PAID", "failed": "PAY_CANCELED"}.get(
            t.state, "CANCELED"
        )

    def _query(self, req: dict[str, Any]) -> Reply:
        fault = self.step_fault("query")
        if fault is Behaviour.BUSY:
            return self._error("500", "UNKNOWN_SYSTEM_ERROR", "系统错误")
        if fault is Behaviour.NO_ANSWER:
            self.no_answer()
        t = self.trades.get(str(req.get("client_sn", "")))
        if t is None:
            return self._biz("FAIL", error_code="UPAY_ORDER_NOT_EXISTS", error_message="订单不存在")
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
        status = "IN_PROG" if t.state == "paying" else "SUCCESS"
        return self._biz("SUCCESS", self._data(t, status, self._order_status(t)))

    def _cancel(self, req: dict[str, Any]) -> Reply:
        fault = self.step_fault("reverse")
        if fault is Behaviour.BUSY:
            return self._biz(
                "CANCEL_ERROR", error_code="UNKNOWN_SYSTEM_ERROR", error_message="系统错误"
            )
        if fault is Behaviour.NO_ANSWER:
            self.no_answer()
        t = self.trades.get(str(req.get("client_sn", "")))
        if t is None:
            return self._biz("FAIL", error_code="UPAY_ORDER_NOT_EXISTS", error_message="订单不存在")
        with self.lock:
            was_paying = t.state == "paying"
            if t.state in ("paid", "paying", "failed"):
                t.state = "closed"  # a paid order's money goes back to the customer
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        result = "CANCEL_ABORT_SUCCESS" if was_paying else "CANCEL_SUCCESS"
        return self._biz(result, self._data(t, "SUCCESS", "CANCELED"))

    def _refund(self, req: dict[str, Any]) -> Reply:
        fault = self.step_fault("refund")
        if fault is Behaviour.BUSY:
            return self._biz(
                "REFUND_ERROR", error_code="UNKNOWN_SYSTEM_ERROR", error_message="系统错误"
            )
        if fault is Behaviour.NO_ANSWER:
            self.no_answer()
        t = self.trades.get(str(req.get("client_sn", "")))
        if t is None or t.state not in ("paid", "refunded"):
            return self._biz(
                "FAIL", error_code="UPAY_ORDER_NOT_REFUNDABLE", error_message="订单状态错误"
            )
        rno = str(req.get("refund_request_no", ""))
        fee = str(req.get("refund_amount", ""))
        with self.lock:
            if rno not in t.refunds:
                if (
                    not rno
                    or not fee.isdigit()
                    or int(fee) <= 0
                    or (sum(t.refunds.values()) + int(fee) > t.amount_fen)
                ):
                    return self._biz(
                        "FAIL",
                        error_code="UPAY_REFUND_AMOUNT_EXCEEDED",
                        error_message="退款金额超过可退金额",
                    )
                t.refunds[rno] = int(fee)
                t.state = "refunded"
        if fault is Behaviour.DROP_AFTER_APPROVAL:
            raise DropConnection
        return self._biz("REFUND_SUCCESS", self._data(t, "SUCCESS", self._order_status(t)))
