"""Alipay payment code (当面付条码支付): alipay.trade.pay (scene=bar_code), alipay.trade.query,
alipay.trade.cancel and alipay.trade.refund through the OpenAPI gateway, signed RSA2.

RSA2 = SHA256withRSA (PKCS#1 v1.5) over the request parameters except `sign` and empty values,
sorted by key, joined as `k=v&k=v` (raw values, not URL-encoded), base64.  The answer is JSON
`{"<method>_response": {...}, "sign": "..."}`; the signature covers the exact text of the
`<method>_response` object as sent, so we cut that substring out before parsing it.
Recovery rules (hardware-notes §4.5): query on 10003 (waiting for the buyer) / 20000 (system
error) / no answer; cancel only once the query gives no definite result.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypedDict, Unpack

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from drivers.common.payment_errors import FrameError, TransportError
from drivers.common.wallet import WalletAnswer, WalletStatus, fen_from_yuan, yuan

CHINA = timezone(timedelta(hours=8))
MAX_ANSWER = 64 * 1024


def signing_text(params: Mapping[str, str]) -> bytes:
    return "&".join(
        f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != ""
    ).encode("utf-8")


def rsa2_sign(private_key: rsa.RSAPrivateKey, data: bytes) -> str:
    return base64.b64encode(private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa2_verify(public_key: rsa.RSAPublicKey, data: bytes, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        public_key.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the Alipay app key must be an RSA private key")
    return key


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the Alipay public key must be an RSA public key")
    return key


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def response_key(method: str) -> str:
    return method.replace(".", "_") + "_response"


def split_answer(text: str, method: str) -> tuple[dict[str, Any], str, str | None]:
    """(response object, its exact JSON text, sign) of a gateway answer; FrameError if bad."""
    if len(text) > MAX_ANSWER:
        raise FrameError("Alipay answer too large")
    try:
        whole = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise FrameError(f"Alipay answer is not JSON: {err}") from err
    if not isinstance(whole, dict):
        raise FrameError("Alipay answer is not a JSON object")
    key = response_key(method)
    body = whole.get(key, whole.get("error_response"))
    if not isinstance(body, dict):
        raise FrameError(f"Alipay answer has no {key}")
    sig = whole.get("sign")
    if sig is not None and not isinstance(sig, str):
        raise FrameError("Alipay answer's sign is not a string")
    name = key if key in whole else "error_response"
    marker = f'"{name}":'
    start = text.find(marker)
    if start < 0:
        raise FrameError(f"Alipay answer: cannot locate {name} in the text (odd spacing?)")
    pos = start + len(marker)
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    try:
        _, end = json.JSONDecoder().raw_decode(text, pos)
    except json.JSONDecodeError as err:
        raise FrameError(f"Alipay answer: {err}") from err
    for field in ("code", "msg", "sub_code", "sub_msg"):
        if field in body and not isinstance(body[field], str):
            raise FrameError(f"Alipay answer: {field} is not a string")
    return body, text[pos:end], sig


class ClientOptions(TypedDict, total=False):
    """AlipayClient's optional settings, passed through by from_files."""

    timeout: float
    transport: httpx.BaseTransport | None


class AlipayClient:
    """An Alipay app (app_id + the app's RSA private key + Alipay's public key).

    Keys are held as objects; repr shows only the gateway and the app id.
    """

    def __init__(
        self,
        url: str,
        *,
        app_id: str,
        private_key: rsa.RSAPrivateKey,
        alipay_public_key: rsa.RSAPublicKey,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.app_id = app_id
        self._key = private_key
        self._alipay_key = alipay_public_key
        self.timeout = timeout
        self._transport = transport
        # built once: an SSL context loads the CA bundle, which costs tens of milliseconds
        self._tls = httpx.create_ssl_context()

    @classmethod
    def from_files(
        cls,
        url: str,
        *,
        app_id: str,
        private_key_file: str | Path,
        alipay_public_key_file: str | Path,
        **options: Unpack[ClientOptions],
    ) -> AlipayClient:
        return cls(
            url,
            app_id=app_id,
            private_key=load_private_key(Path(private_key_file).read_bytes()),
            alipay_public_key=load_public_key(Path(alipay_public_key_file).read_bytes()),
            **options,
        )

    def __repr__(self) -> str:
        return f"AlipayClient(url={self.url!r}, app_id={self.app_id!r})"

    def _call(self, method: str, biz: Mapping[str, Any]) -> dict[str, Any]:
        params = {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "version": "1.0",
            "timestamp": datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = rsa2_sign(self._key, signing_text(params))
        try:
            with httpx.Client(
                timeout=self.timeout, verify=self._tls, transport=self._transport
            ) as http:
                answer = http.post(self.url, data=params)
        except httpx.ConnectError as err:
            raise TransportError(f"cannot reach Alipay at {self.url}: {err}", sent=False) from err
        except httpx.HTTPError as err:
            raise TransportError(f"Alipay did not answer: {err}", sent=True) from err
        if answer.status_code != 200:
            raise TransportError(f"Alipay answered HTTP {answer.status_code}", sent=True)
        try:
            text = answer.content.decode("utf-8")
        except UnicodeDecodeError as err:
            raise FrameError("Alipay answer is not UTF-8") from err
        body, raw, sig = split_answer(text, method)
        # A success must be signed; an error answer may come unsigned (e.g. a gateway error),
        # but when it carries a signature it must verify.
        must_verify = body.get("code") == "10000" or sig
        if must_verify and (not sig or not rsa2_verify(self._alipay_key, raw.encode(), sig)):
            raise FrameError("Alipay answer has a missing or bad signature")
        return body

    @staticmethod
    def _code(body: Mapping[str, Any]) -> tuple[str, str]:
        sub = str(body.get("sub_code") or body.get("code") or "")
        msg = str(body.get("sub_msg") or body.get("msg") or "")
        return sub, msg

    def pay(self, out_trade_no: str, amount_fen: int, auth_code: str, subject: str) -> WalletAnswer:
        body = self._call(
            "alipay.trade.pay",
            {
                "out_trade_no": out_trade_no,
                "scene": "bar_code",
                "auth_code": auth_code,
                "total_amount": yuan(amount_fen),
                "subject": subject,
            },
        )
        code = body.get("code")
        sub, msg = self._code(body)
        if code == "10000":
            return WalletAnswer(
                WalletStatus.APPROVED,
                "10000",
                msg,
                _s(body.get("trade_no")),
                _fen(body.get("total_amount")),
            )
        if code == "10003":
            return WalletAnswer(WalletStatus.PENDING, "10003", msg)
        if code in ("40004", "40002", "40006") and sub != "ACQ.SYSTEM_ERROR":
            # 4000x: the gateway refused the request (bad code, balance, signature, rights):
            # definitely not paid.
            return WalletAnswer(WalletStatus.DECLINED, sub, msg)
        return WalletAnswer(WalletStatus.UNKNOWN, sub, msg)

    def query(self, out_trade_no: str) -> WalletAnswer:
        body = self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        sub, msg = self._code(body)
        if body.get("code") != "10000":
            if sub == "ACQ.TRADE_NOT_EXIST":
                return WalletAnswer(WalletStatus.NOT_FOUND, sub, msg)
            return WalletAnswer(WalletStatus.UNKNOWN, sub, msg)
        status = str(body.get("trade_status", ""))
        if status in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            return WalletAnswer(
                WalletStatus.APPROVED,
                status,
                msg,
                _s(body.get("trade_no")),
                _fen(body.get("total_amount")),
            )
        if status == "WAIT_BUYER_PAY":
            return WalletAnswer(WalletStatus.PENDING, status, msg)
        if status == "TRADE_CLOSED":
            return WalletAnswer(WalletStatus.CLOSED, status, msg)
        return WalletAnswer(WalletStatus.UNKNOWN, status, msg)

    def cancel(self, out_trade_no: str) -> WalletAnswer:
        body = self._call("alipay.trade.cancel", {"out_trade_no": out_trade_no})
        sub, msg = self._code(body)
        if body.get("code") == "10000":
            return WalletAnswer(
                WalletStatus.CLOSED,
                str(body.get("action", "")),
                msg,
                retry=body.get("retry_flag") == "Y",
            )
        return WalletAnswer(WalletStatus.UNKNOWN, sub, msg, retry=body.get("retry_flag") != "N")

    def refund(self, out_trade_no: str, out_request_no: str, refund_fen: int) -> WalletAnswer:
        """Idempotent by out_request_no (the same refund sent again is not refunded twice)."""
        body = self._call(
            "alipay.trade.refund",
            {
                "out_trade_no": out_trade_no,
                "out_request_no": out_request_no,
                "refund_amount": yuan(refund_fen),
            },
        )
        sub, msg = self._code(body)
        if body.get("code") == "10000":
            return WalletAnswer(
                WalletStatus.APPROVED,
                "10000",
                msg,
                _s(body.get("trade_no")),
                _fen(body.get("refund_fee")),
            )
        if body.get("code") == "40004" and sub != "ACQ.SYSTEM_ERROR":
            return WalletAnswer(WalletStatus.DECLINED, sub, msg)
        return WalletAnswer(WalletStatus.UNKNOWN, sub, msg)


def _s(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _fen(v: Any) -> int | None:
    if not isinstance(v, str):
        return None
    try:
        return fen_from_yuan(v)
    except ValueError:
        return None
