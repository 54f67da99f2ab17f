"""An aggregator acquirer's terminal API (聚合支付), in the shape of Shouqianba's "Upay" Web API.

JSON over HTTP(S), UTF-8.  Every request is signed over its exact body bytes:
`sign = MD5(body + key)` (lower-case hex), sent as `Authorization: <sn> <sign>`.  Activation
(/terminal/activate) is signed with the vendor's sn/key and turns an activation code into a
terminal_sn/terminal_key; every other call (check-in, pay, query, cancel, revoke, refund) is
signed with the terminal's sn/key, and check-in hands out a new terminal key.

An answer is `{"result_code": "200", "biz_response": {...}}`; any other top-level result_code
(400 INVALID_PARAMS / INVALID_TERMINAL / ILLEGAL_SIGN, 500 UNKNOWN_SYSTEM_ERROR) means the
request itself failed.  biz_response.result_code says what became of the trade: *_SUCCESS,
*_FAIL (definitely not done), *_IN_PROGRESS (still running: query), *_ERROR (unknown: query,
then cancel).  Answers carry no signature in this API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from drivers.common.payment_errors import FrameError, TransportError
from drivers.common.wallet import WalletAnswer, WalletStatus

ACTIVATE = "/terminal/activate"
CHECKIN = "/terminal/checkin"
PAY = "/upay/v2/pay"
QUERY = "/upay/v2/query"
CANCEL = "/upay/v2/cancel"
REVOKE = "/upay/v2/revoke"
REFUND = "/upay/v2/refund"
MAX_ANSWER = 64 * 1024

S = WalletStatus

# order_status of a query: what became of the money.
_ORDER = {
    "PAID": S.APPROVED,
    "PARTIAL_REFUNDED": S.APPROVED,  # it was paid; part went back by a refund
    "REFUNDED": S.APPROVED,
    "REFUND_INPROGRESS": S.APPROVED,
    "REFUND_ERROR": S.APPROVED,
    "CREATED": S.PENDING,  # the customer is still confirming
    "PAY_CANCELED": S.CLOSED,
    "CANCELED": S.CLOSED,
    "PAY_ERROR": S.UNKNOWN,
    "CANCEL_INPROGRESS": S.UNKNOWN,
    "CANCEL_ERROR": S.UNKNOWN,
}


def sign(body: bytes, key: str) -> str:
    return hashlib.md5(body + key.encode("utf-8")).hexdigest()


def authorization(sn: str, body: bytes, key: str) -> str:
    return f"{sn} {sign(body, key)}"


def encode(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Terminal:
    terminal_sn: str
    terminal_key: str

    def __repr__(self) -> str:  # the key never shows in a log or a traceback
        return f"Terminal(terminal_sn={self.terminal_sn!r})"


def _post(
    url: str,
    path: str,
    fields: Mapping[str, Any],
    sn: str,
    key: str,
    timeout: float,
    transport: httpx.BaseTransport | None,
) -> tuple[str, dict[str, Any]]:
    """(top-level result_code, the whole answer)."""
    body = encode(fields)
    headers = {
        "Content-Type": "application/json",
        "Authorization": authorization(sn, body, key),
    }
    try:
        with httpx.Client(timeout=timeout, transport=transport) as http:
            answer = http.post(url.rstrip("/") + path, content=body, headers=headers)
    except httpx.ConnectError as err:
        raise TransportError(f"cannot reach the acquirer at {url}: {err}", sent=False) from err
    except httpx.HTTPError as err:
        raise TransportError(f"the acquirer did not answer: {err}", sent=True) from err
    if len(answer.content) > MAX_ANSWER:
        raise FrameError("the acquirer's answer is too large")
    try:
        data = json.loads(answer.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise FrameError(f"the acquirer answered HTTP {answer.status_code}, not JSON") from err
    if not isinstance(data, dict) or "result_code" not in data:
        raise FrameError("the acquirer's answer has no result_code")
    return str(data["result_code"]), data


def _biz(data: dict[str, Any]) -> tuple[str, str, str, dict[str, Any]]:
    biz = data.get("biz_response")
    if not isinstance(biz, dict):
        raise FrameError("the acquirer's answer has no biz_response")
    inner = biz.get("data")
    return (
        str(biz.get("result_code", "")),
        str(biz.get("error_code", "")),
        str(biz.get("error_message", "")),
        inner if isinstance(inner, dict) else {},
    )


def _int(value: object) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() else None


def activate(
    url: str,
    *,
    vendor_sn: str,
    vendor_key: str,
    app_id: str,
    code: str,
    device_id: str,
    timeout: float = 10.0,
    transport: httpx.BaseTransport | None = None,
) -> Terminal:
    """Turn an activation code into this till's terminal_sn/terminal_key (signed by the
    vendor).  Raises TransportError/FrameError, or ValueError with the acquirer's reason."""
    fields = {"app_id": app_id, "code": code, "device_id": device_id}
    top, data = _post(url, ACTIVATE, fields, vendor_sn, vendor_key, timeout, transport)
    return _terminal(top, data)


def _terminal(top: str, data: dict[str, Any]) -> Terminal:
    if top != "200":
        raise ValueError(f"{data.get('error_code', top)}: {data.get('error_message', '')}")
    biz = data.get("biz_response")
    if not isinstance(biz, dict) or not biz.get("terminal_sn") or not biz.get("terminal_key"):
        raise FrameError("the acquirer's answer has no terminal_sn/terminal_key")
    return Terminal(str(biz["terminal_sn"]), str(biz["terminal_key"]))


class UpayClient:
    """One activated terminal.  The terminal key never appears in repr or logs."""

    def __init__(
        self,
        url: str,
        *,
        terminal_sn: str,
        terminal_key: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.terminal_sn = terminal_sn
        self._key = terminal_key
        self.timeout = timeout
        self._transport = transport

    def __repr__(self) -> str:
        return f"UpayClient(url={self.url!r}, terminal_sn={self.terminal_sn!r})"

    def _call(self, path: str, fields: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        body = {"terminal_sn": self.terminal_sn, **fields}
        return _post(
            self.url, path, body, self.terminal_sn, self._key, self.timeout, self._transport
        )

    def checkin(self, device_id: str) -> Terminal:
        """Check in: the acquirer hands out a new terminal key, which this client uses from
        now on.  The caller stores it (the old key stops working once the new one is used)."""
        top, data = self._call(CHECKIN, {"device_id": device_id})
        terminal = _terminal(top, data)
        self.terminal_sn, self._key = terminal.terminal_sn, terminal.terminal_key
        return terminal

    @staticmethod
    def _request_failed(top: str, data: dict[str, Any]) -> WalletAnswer:
        code = str(data.get("error_code", top))
        msg = str(data.get("error_message", ""))
        # 400: the request was refused before any trade was made (parameters, terminal,
        # signature): definitely not done.  500 or anything else: unknown, query first.
        status = S.DECLINED if top == "400" else S.UNKNOWN
        return WalletAnswer(status, code, msg)

    def pay(
        self, client_sn: str, amount_fen: int, dynamic_id: str, subject: str, operator: str
    ) -> WalletAnswer:
        top, data = self._call(
            PAY,
            {
                "client_sn": client_sn,
                "total_amount": str(amount_fen),
                "dynamic_id": dynamic_id,
                "subject": subject,
                "operator": operator,
            },
        )
        if top != "200":
            return self._request_failed(top, data)
        result, code, msg, inner = _biz(data)
        if result == "PAY_SUCCESS":
            return WalletAnswer(
                S.APPROVED, result, msg, inner.get("sn"), _int(inner.get("total_amount"))
            )
        if result in ("PAY_IN_PROGRESS", "FAIL_IN_PROGRESS"):
            return WalletAnswer(S.PENDING, code or result, msg)
        if result in ("PAY_FAIL", "FAIL"):
            return WalletAnswer(S.DECLINED, code or result, msg)
        return WalletAnswer(S.UNKNOWN, code or result, msg)  # PAY_FAIL_ERROR and the unknown

    def query(self, client_sn: str) -> WalletAnswer:
        top, data = self._call(QUERY, {"client_sn": client_sn})
        if top != "200":
            answer = self._request_failed(top, data)
            return WalletAnswer(S.UNKNOWN, answer.code, answer.message)
        result, code, msg, inner = _biz(data)
        if result != "SUCCESS":
            if "NOT_EXIST" in code:
                return WalletAnswer(S.NOT_FOUND, code, msg)
            return WalletAnswer(S.UNKNOWN, code or result, msg)
        order = str(inner.get("order_status", ""))
        status = _ORDER.get(order, S.UNKNOWN)
        trade = inner.get("sn") if status is S.APPROVED else None
        return WalletAnswer(status, order, msg, trade, _int(inner.get("total_amount")))

    def cancel(self, client_sn: str, *, revoke: bool = False) -> WalletAnswer:
        """cancel: undo a payment whose outcome is not known; revoke: undo a paid one."""
        top, data = self._call(REVOKE if revoke else CANCEL, {"client_sn": client_sn})
        if top != "200":
            answer = self._request_failed(top, data)
            return WalletAnswer(S.UNKNOWN, answer.code, answer.message, retry=top != "400")
        result, code, msg, _ = _biz(data)
        if result in ("CANCEL_SUCCESS", "CANCEL_ABORT_SUCCESS"):
            return WalletAnswer(S.CLOSED, result, msg)
        # CANCEL_IN_PROGRESS: call again; CANCEL_ERROR / CANCEL_ABORT_ERROR / FAIL: unknown.
        return WalletAnswer(S.UNKNOWN, code or result, msg, retry=result == "CANCEL_IN_PROGRESS")

    def refund(
        self, client_sn: str, refund_request_no: str, amount_fen: int, operator: str
    ) -> WalletAnswer:
        """Idempotent by refund_request_no: the same refund sent again is never paid twice."""
        top, data = self._call(
            REFUND,
            {
                "client_sn": client_sn,
                "refund_request_no": refund_request_no,
                "refund_amount": str(amount_fen),
                "operator": operator,
            },
        )
        if top != "200":
            answer = self._request_failed(top, data)
            return WalletAnswer(S.UNKNOWN, answer.code, answer.message)
        result, code, msg, inner = _biz(data)
        if result == "REFUND_SUCCESS":
            return WalletAnswer(S.APPROVED, result, msg, inner.get("sn"), amount_fen)
        if result in ("REFUND_IN_PROGRESS", "FAIL_IN_PROGRESS"):
            return WalletAnswer(S.PENDING, code or result, msg)
        if result in ("REFUND_FAIL", "FAIL"):
            return WalletAnswer(S.DECLINED, code or result, msg)
        return WalletAnswer(S.UNKNOWN, code or result, msg)  # REFUND_ERROR
