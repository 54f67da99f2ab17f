"""What a scanned code is, and what the till does with it.

Pure and stdlib-only: the scanner drivers return raw strings, the UI's keyboard-wedge decoder
returns raw strings, and both go through `classify()` so every scan is routed the same way.

Kinds (checked in this order):
  ereceipt    the e-receipt QR: base URL + 143-char base32 token (specs/ereceipt-token-v1.md),
              or the bare token a till prints while it has no e-receipt address
  wechat_pay  WeChat Pay payment code (付款码): 18 digits, prefix 10–15
  alipay      Alipay payment code: 16–24 digits, prefix 25–30
  ean13 / ean8 / upca   retail barcodes with a verified check digit
  member      a member code (configurable prefix, default "M") or an 11-digit mobile number
  store       the brand's own code (SKU or in-store label): letters, digits and - _ . /
  invalid     anything else, with the reason (bad check digit, garbage, too long)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class CodeKind(StrEnum):
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    STORE = "store"
    WECHAT_PAY = "wechat_pay"
    ALIPAY = "alipay"
    UNIONPAY_QR = "unionpay_qr"  # 云闪付 payment code: 16–24 digits starting 62
    ECNY = "ecny"  # 数字人民币 payment code: 16–24 digits starting 01
    ERECEIPT = "ereceipt"
    MEMBER = "member"
    INVALID = "invalid"


class Action(StrEnum):
    """What the till does with a scan."""

    ADD_ITEM = "add_item"
    TAKE_PAYMENT = "take_payment"
    OPEN_RECEIPT = "open_receipt"  # return / exchange against the original receipt
    IDENTIFY_MEMBER = "identify_member"
    REJECT = "reject"  # beep, show why, ask to scan again


ROUTES: dict[CodeKind, Action] = {
    CodeKind.EAN13: Action.ADD_ITEM,
    CodeKind.EAN8: Action.ADD_ITEM,
    CodeKind.UPCA: Action.ADD_ITEM,
    CodeKind.STORE: Action.ADD_ITEM,
    CodeKind.WECHAT_PAY: Action.TAKE_PAYMENT,
    CodeKind.ALIPAY: Action.TAKE_PAYMENT,
    CodeKind.UNIONPAY_QR: Action.TAKE_PAYMENT,
    CodeKind.ECNY: Action.TAKE_PAYMENT,
    CodeKind.ERECEIPT: Action.OPEN_RECEIPT,
    CodeKind.MEMBER: Action.IDENTIFY_MEMBER,
    CodeKind.INVALID: Action.REJECT,
}

TOKEN_LENGTH = 143
_BASE32 = re.compile(r"^[A-Z2-7]{143}$")
_DEFAULT_ERECEIPT = re.compile(r"^HTTPS?://[A-Z0-9.\-]+(?::\d+)?/R/([A-Z2-7]{143})$", re.I)
_STORE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_./]{2,47}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAX_LENGTH = 512


@dataclass(frozen=True, slots=True)
class ScannedCode:
    kind: CodeKind
    value: str  # the normalised code (a token for ereceipt, the digits for a barcode)
    raw: str
    reason: str = ""  # why it is invalid (English); reason_zh in Chinese
    reason_zh: str = ""

    @property
    def action(self) -> Action:
        return ROUTES[self.kind]


def gtin_check_digit_ok(digits: str) -> bool:
    """GS1 mod-10 check for EAN-8, UPC-A (12) and EAN-13."""
    if not digits.isdigit() or len(digits) not in (8, 12, 13):
        return False
    body, check = digits[:-1], int(digits[-1])
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10 == check


def _invalid(raw: str, value: str, reason: str, reason_zh: str) -> ScannedCode:
    return ScannedCode(CodeKind.INVALID, value, raw, reason, reason_zh)


def classify(
    raw: str,
    *,
    ereceipt_base_url: str | None = None,
    member_prefix: str = "M",
) -> ScannedCode:
    """Classify one scanned string.  Never raises: garbage becomes INVALID with a reason."""
    if not isinstance(raw, str):
        return _invalid(repr(raw), "", "not text", "不是文本")
    code = raw.strip().strip("\x02\x03")
    if not code:
        return _invalid(raw, "", "empty scan: scan again", "扫描为空：请重新扫描")
    if len(code) > MAX_LENGTH:
        return _invalid(raw, code[:32], "scan too long: scan again", "扫描内容过长：请重新扫描")
    if not code.isprintable():
        return _invalid(
            raw,
            code,
            "unreadable scan (control characters): scan again",
            "扫描内容无法识别：请重新扫描",
        )
    # e-receipt: compare the base URL case-insensitively (QR alphanumeric mode is upper case,
    # phone cameras may hand back lower case), the token exactly.
    if ereceipt_base_url and code.upper().startswith(ereceipt_base_url.upper()):
        token = code[len(ereceipt_base_url) :]
        if _BASE32.match(token):
            return ScannedCode(CodeKind.ERECEIPT, token, raw)
        return _invalid(
            raw, code, "damaged e-receipt QR: scan it again", "电子小票二维码不完整：请重新扫描"
        )
    m = _DEFAULT_ERECEIPT.match(code)
    if m and not ereceipt_base_url:
        return ScannedCode(CodeKind.ERECEIPT, m.group(1), raw)
    if _BASE32.match(code):
        return ScannedCode(CodeKind.ERECEIPT, code, raw)
    if code.isdigit() and code.isascii():
        n, p2 = len(code), int(code[:2]) if len(code) >= 2 else -1
        if n == 18 and 10 <= p2 <= 15:
            return ScannedCode(CodeKind.WECHAT_PAY, code, raw)
        if 16 <= n <= 24 and 25 <= p2 <= 30:
            return ScannedCode(CodeKind.ALIPAY, code, raw)
        # Taken only through an aggregator acquirer (issue 23); the same prefixes as the
        # payment service's routing (domain.payments.tender_for_code).
        if 16 <= n <= 24 and p2 == 62:
            return ScannedCode(CodeKind.UNIONPAY_QR, code, raw)
        if 16 <= n <= 24 and p2 == 1:
            return ScannedCode(CodeKind.ECNY, code, raw)
        if n in (8, 12, 13):
            kind = {8: CodeKind.EAN8, 12: CodeKind.UPCA, 13: CodeKind.EAN13}[n]
            if gtin_check_digit_ok(code):
                return ScannedCode(kind, code, raw)
            return _invalid(
                raw,
                code,
                f"{kind.value.upper()} check digit wrong: scan again",
                f"{kind.value.upper()} 条码校验位错误：请重新扫描",
            )
        if _MOBILE.match(code):
            return ScannedCode(CodeKind.MEMBER, code, raw)
        if n >= 16:
            return _invalid(
                raw,
                code,
                "not a payment code the till accepts: ask the customer "
                "to refresh the WeChat or Alipay code",
                "不是可识别的付款码：请顾客刷新微信或支付宝付款码",
            )
    if member_prefix and code.startswith(member_prefix):
        rest = code[len(member_prefix) :]
        if 4 <= len(rest) <= 32 and rest.isalnum() and rest.isascii() and rest.isdigit():
            return ScannedCode(CodeKind.MEMBER, code, raw)
    if _STORE.match(code):
        return ScannedCode(CodeKind.STORE, code, raw)
    return _invalid(
        raw,
        code,
        "unknown code: scan again or type the item number",
        "无法识别的条码：请重新扫描或手工输入货号",
    )


# The QR alphanumeric mode's 45 characters (ISO/IEC 18004 table 5): the whole e-receipt URL is
# written in them, so it encodes as one alphanumeric segment.
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
# QR version 7 at level M holds 224 alphanumeric characters; the token takes 143 of them, and
# the receipt's QR module size is chosen for version 7.
MAX_ERECEIPT_BASE_CHARS = 224 - TOKEN_LENGTH
_BASE_URL = re.compile(r"^HTTPS?://[A-Z0-9\-]+(\.[A-Z0-9\-]+)*(:\d{1,5})?(/.*)?$")


def ereceipt_base_url(value: str) -> str:
    """The stored form of an e-receipt base URL a person gave: upper case (the QR's
    alphanumeric mode; the cloud answers /R/ as well as /r/), ending in "/" (the token is the
    last path segment).  Raises ValueError saying what is wrong (English)."""
    v = value.strip().upper()
    if not _BASE_URL.match(v):
        raise ValueError("an http(s) URL such as HTTPS://R.BRAND.CN/R/")
    if not v.endswith("/"):
        v += "/"
    bad = sorted({c for c in v if c not in QR_ALPHANUMERIC})
    if bad:
        raise ValueError(
            f"only letters, digits and $%*+-./: fit the receipt's QR code (not {''.join(bad)!r})"
        )
    if len(v) > MAX_ERECEIPT_BASE_CHARS:
        raise ValueError(f"at most {MAX_ERECEIPT_BASE_CHARS} characters, so the QR stays small")
    return v
