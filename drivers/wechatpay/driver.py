"""WeChat Pay v2 payment code (付款码): micropay, orderquery, reverse and refund over XML/HTTPS.

Signing (WeChat Pay v2 "安全规范"): sort the non-empty parameters (except `sign`) by key in ASCII
order, join as `k=v&k=v`, append `&key=API_KEY`, then MD5 (default) or HMAC-SHA256 keyed with the
API key, upper-case hex.  Answers are signed the same way and are checked here.
Recovery rules (hardware-notes §4.5): query when the pay call returns SYSTEMERROR / no answer /
USERPAYING; reverse only after the query gives no definite result.  reverse and refund live under
/secapi/ and need the merchant's client certificate in production (cert=…).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import ssl
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import httpx

from drivers.common.payment_errors import FrameError, TransportError
from drivers.common.wallet import WalletAnswer, WalletStatus

MICROPAY = "/pay/micropay"
ORDERQUERY = "/pay/orderquery"
REVERSE = "/secapi/pay/reverse"
REFUND = "/secapi/pay/refund"
MAX_ANSWER = 64 * 1024


def sign(params: Mapping[str, str], key: str, sign_type: str = "MD5") -> str:
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")
    text += f"&key={key}"
    if sign_type == "HMAC-SHA256":
        return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest().upper()
    if sign_type == "MD5":
        return hashlib.md5(text.encode()).hexdigest().upper()
    raise ValueError(f"unknown WeChat Pay sign_type {sign_type!r}")


def check_sign(params: Mapping[str, str], key: str) -> bool:
    given = params.get("sign", "")
    want = sign(params, key, params.get("sign_type", "MD5") or "MD5")
    return hmac.compare_digest(given.upper(), want)


def to_xml(params: Mapping[str, str]) -> bytes:
    parts = ["<xml>"]
    for k, v in params.items():
        if "]]>" in v:
            raise ValueError(f"{k} contains ']]>'")
        parts.append(f"<{k}><![CDATA[{v}]]></{k}>")
    parts.append("</xml>")
    return "".join(parts).encode("utf-8")


def parse_xml(body: bytes) -> dict[str, str]:
    """A flat <xml><k>v</k>…</xml> document; FrameError for anything else."""
    if len(body) > MAX_ANSWER:
        raise FrameError("WeChat Pay XML too large")
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise FrameError("WeChat Pay XML with a DTD is refused (entity expansion)")
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError) as err:
        raise FrameError(f"not WeChat Pay XML: {err}") from err
    if root.tag != "xml":
        raise FrameError(f"WeChat Pay XML root is <{root.tag}>, want <xml>")
    out: dict[str, str] = {}
    for child in root:
        if len(child):
            raise FrameError(f"nested element <{child.tag}> in WeChat Pay XML")
        out[child.tag] = (child.text or "").strip()
    return out


class WechatPayV2:
    """A merchant's WeChat Pay v2 account.  The API key never appears in repr or logs."""

    def __init__(
        self,
        url: str,
        *,
        appid: str,
        mch_id: str,
        key: str,
        sign_type: str = "MD5",
        timeout: float = 10.0,
        cert: tuple[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if sign_type not in ("MD5", "HMAC-SHA256"):
            raise ValueError("sign_type is MD5 or HMAC-SHA256")
        self.url = url.rstrip("/")
        self.appid, self.mch_id = appid, mch_id
        self._key = key
        self.sign_type = sign_type
        self.timeout = timeout
        self._cert = cert
        self._transport = transport
        self._tls_contexts: dict[bool, ssl.SSLContext] = {}

    def _tls(self, with_cert: bool) -> ssl.SSLContext:
        # Building an SSL context costs tens of milliseconds (it loads the CA bundle): build it
        # once per account, and a second one holding the client certificate for /secapi/.
        ctx = self._tls_contexts.get(with_cert)
        if ctx is None:
            ctx = httpx.create_ssl_context()
            if with_cert and self._cert is not None:
                ctx.load_cert_chain(*self._cert)
            self._tls_contexts[with_cert] = ctx
        return ctx

    def __repr__(self) -> str:
        return f"WechatPayV2(url={self.url!r}, mch_id={self.mch_id!r})"

    def _call(self, path: str, fields: Mapping[str, str]) -> dict[str, str]:
        params = {"appid": self.appid, "mch_id": self.mch_id, "nonce_str": secrets.token_hex(16)}
        params.update(fields)
        if self.sign_type != "MD5":
            params["sign_type"] = self.sign_type
        params["sign"] = sign(params, self._key, self.sign_type)
        try:
            with httpx.Client(
                timeout=self.timeout,
                verify=self._tls(path.startswith("/secapi")),
                transport=self._transport,
            ) as http:
                answer = http.post(
                    self.url + path,
                    content=to_xml(params),
                    headers={"Content-Type": "text/xml; charset=utf-8"},
                )
        except httpx.ConnectError as err:
            raise TransportError(
                f"cannot reach WeChat Pay at {self.url}: {err}", sent=False
            ) from err
        except httpx.HTTPError as err:
            raise TransportError(f"WeChat Pay did not answer: {err}", sent=True) from err
        if answer.status_code != 200:
            raise TransportError(f"WeChat Pay answered HTTP {answer.status_code}", sent=True)
        data = parse_xml(answer.content)
        if data.get("return_code") != "SUCCESS":
            return data  # communication-level failure: not signed
        if not check_sign(data, self._key):
            raise FrameError("WeChat Pay answer has a bad signature")
        return data

    # ---- the API ------------------------------------------------------------------------------

    def micropay(
        self, out_trade_no: str, amount_fen: int, auth_code: str, body: str
    ) -> WalletAnswer:
        data = self._call(
            MICROPAY,
            {
                "body": body,
                "out_trade_no": out_trade_no,
                "total_fee": str(amount_fen),
                "spbill_create_ip": "127.0.0.1",
                "auth_code": auth_code,
            },
        )
        if data.get("return_code") != "SUCCESS":
            # return_code FAIL: the request was refused before any trade was made (signature,
            # parameters): definitely not paid.
            return WalletAnswer(WalletStatus.DECLINED, "RETURN_FAIL", data.get("return_msg", ""))
        if data.get("result_code") == "SUCCESS":
            return WalletAnswer(
                WalletStatus.APPROVED,
                "SUCCESS",
                "",
                data.get("transaction_id"),
                _int(data.get("total_fee")),
            )
        code = data.get("err_code", "")
        msg = data.get("err_code_des", "")
        if code == "USERPAYING":
            return WalletAnswer(WalletStatus.PENDING, code, msg)
        if code in ("SYSTEMERROR", "BANKERROR", ""):
            return WalletAnswer(WalletStatus.UNKNOWN, code, msg)
        return WalletAnswer(WalletStatus.DECLINED, code, msg)

    def orderquery(self, out_trade_no: str) -> WalletAnswer:
        data = self._call(ORDERQUERY, {"out_trade_no": out_trade_no})
        if data.get("return_code") != "SUCCESS":
            return WalletAnswer(WalletStatus.UNKNOWN, "RETURN_FAIL", data.get("return_msg", ""))
        if data.get("result_code") != "SUCCESS":
            code = data.get("err_code", "")
            if code == "ORDERNOTEXIST":
                return WalletAnswer(WalletStatus.NOT_FOUND, code, data.get("err_code_des", ""))
            return WalletAnswer(WalletStatus.UNKNOWN, code, data.get("err_code_des", ""))
        state = data.get("trade_state", "")
        desc = data.get("trade_state_desc", "")
        if state in ("SUCCESS", "REFUND"):
            return WalletAnswer(
                WalletStatus.APPROVED,
                state,
                desc,
                data.get("transaction_id"),
                _int(data.get("total_fee")),
            )
        if state == "USERPAYING":
            return WalletAnswer(WalletStatus.PENDING, state, desc)
        if state in ("CLOSED", "REVOKED"):
            return WalletAnswer(WalletStatus.CLOSED, state, desc)
        if state in ("PAYERROR", "NOTPAY"):
            return WalletAnswer(WalletStatus.DECLINED, state, desc)
        return WalletAnswer(WalletStatus.UNKNOWN, state, desc)

    def reverse(self, out_trade_no: str) -> WalletAnswer:
        data = self._call(REVERSE, {"out_trade_no": out_trade_no})
        if data.get("return_code") != "SUCCESS":
            return WalletAnswer(WalletStatus.UNKNOWN, "RETURN_FAIL", data.get("return_msg", ""))
        if data.get("result_code") == "SUCCESS":
            return WalletAnswer(WalletStatus.CLOSED, "SUCCESS", "", retry=data.get("recall") == "Y")
        code = data.get("err_code", "")
        return WalletAnswer(
            WalletStatus.UNKNOWN,
            code,
            data.get("err_code_des", ""),
            retry=data.get("recall") == "Y" or code == "SYSTEMERROR",
        )

    def refund(
        self, out_trade_no: str, out_refund_no: str, total_fen: int, refund_fen: int
    ) -> WalletAnswer:
        """Idempotent by out_refund_no: sending the same refund again never refunds twice."""
        data = self._call(
            REFUND,
            {
                "out_trade_no": out_trade_no,
                "out_refund_no": out_refund_no,
                "total_fee": str(total_fen),
                "refund_fee": str(refund_fen),
            },
        )
        if data.get("return_code") != "SUCCESS":
            return WalletAnswer(WalletStatus.UNKNOWN, "RETURN_FAIL", data.get("return_msg", ""))
        if data.get("result_code") == "SUCCESS":
            return WalletAnswer(
                WalletStatus.APPROVED,
                "SUCCESS",
                "",
                data.get("refund_id"),
                _int(data.get("refund_fee")),
            )
        code = data.get("err_code", "")
        if code in ("SYSTEMERROR", "BIZERR_NEED_RETRY", ""):
            return WalletAnswer(WalletStatus.UNKNOWN, code, data.get("err_code_des", ""))
        return WalletAnswer(WalletStatus.DECLINED, code, data.get("err_code_des", ""))


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None
