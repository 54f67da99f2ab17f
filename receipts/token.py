"""The signed e-receipt token, versions 1 and 2 (`shared/specs/ereceipt-token-v1.md`).

89 bytes, big-endian: version (1) | key_id (4) | receipt_no (4, unsigned) | issued_at (4,
unsigned Unix seconds) | total_fen (4, signed) | sale_digest (8) | Ed25519 signature (64) over
bytes 0-24.  The token is the upper-case RFC 4648 base32 of those bytes without `=` padding
(143 characters); the URL is the enrolment's upper-case base URL + token, so the whole URL
fits the QR alphanumeric character set and encodes as QR version 7 at error correction M.
Reading accepts the token in any case: RFC 4648 base32 is case-insensitive by design, and a
URL typed or pasted from a phone often arrives lower-cased (a QR code itself cannot hold lower
case, so this never gives one receipt two QR texts).

Version 2 is the gift receipt's token: the version 1 layout with byte 0 = 0x02 and total_fen 0,
so the QR that goes with a present does not tell what was paid, while any till can still verify
it offline and find the sale for an exchange.  Verifiers accept both versions.

Version 3 is the stored-value top-up receipt's token (issue 23): the version 1 layout with byte
0 = 0x03, receipt_no = the till's top-up number (its own sequence, not a sale's), total_fen =
the amount paid and sale_digest = `pos_app.domain.topups.receipt_digest` of the booking the
cloud holds too.  Sale verifiers do not accept it (a top-up is no sale to look up or return):
decoding one with the default versions raises `TopUpReceiptToken`, which says how a top-up is
refunded; `decode_token(..., versions=ALL_VERSIONS)` reads it (the cloud's page).

This is a contract with the cloud: never change version 1; add a version instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pos_app.domain.ed25519_keys import public_key_problem
from pos_app.domain.errors import GuitaiError

VERSION = 1
GIFT_VERSION = 2
VERSIONS = (VERSION, GIFT_VERSION)
TOPUP_VERSION = 3
ALL_VERSIONS = (VERSION, GIFT_VERSION, TOPUP_VERSION)
TOKEN_BYTES = 89
SIGNED_BYTES = 25
TOKEN_CHARS = 143
_HEADER = struct.Struct(">B4sIIi8s")  # version, key_id, receipt_no, issued_at, total_fen, digest
assert _HEADER.size == SIGNED_BYTES

# The QR alphanumeric mode's 45 characters (ISO/IEC 18004 table 5).
_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

# Module size in printer dots for the e-receipt QR (version 7 = 45 modules + 4 quiet modules on
# each side = 53 modules).  At 203 dpi (8 dots/mm): 58 mm paper (384 dots) gets 7 dots = 0.875 mm
# per module, a 39 mm symbol (371 dots with its quiet zone); 80 mm paper (576 dots) gets 8 dots
# = 1.0 mm per module, a 45 mm symbol (424 dots).  Epson TM-T88 (180 dpi, 512 dots on 80 mm)
# gets 8 dots = 1.13 mm per module.  Phone cameras read modules of 0.25 mm and
# up; bigger modules survive thermal fade and a crumpled receipt.
QR_DOTS_PER_MODULE = {384: 7, 512: 8, 576: 8}
QR_VERSION = 7
QR_QUIET_MODULES = 4


class TokenError(GuitaiError):
    """An e-receipt token that cannot be read or does not verify."""

    code = "bad_receipt_token"


class TopUpReceiptToken(TokenError):
    """A top-up receipt's token (version 3) where a sale's was expected: it is refunded as a
    top-up, never returned as a sale."""

    code = "topup_receipt"


@dataclass(frozen=True, slots=True)
class TokenFields:
    version: int
    key_id: bytes
    receipt_no: int
    issued_at: int
    total_fen: int
    sale_digest: bytes
    signature: bytes
    signed: bytes  # bytes 0-24, what the signature covers

    @property
    def gift(self) -> bool:
        """A gift receipt's token (version 2): its total is 0, not the sale's."""
        return self.version == GIFT_VERSION

    @property
    def topup(self) -> bool:
        """A stored-value top-up receipt's token (version 3): receipt_no is the top-up's."""
        return self.version == TOPUP_VERSION


def key_id(public_key_raw: bytes) -> bytes:
    """First 4 bytes of SHA-256 of the raw 32-byte Ed25519 public key."""
    if len(public_key_raw) != 32:
        raise TokenError(
            f"an Ed25519 public key is 32 raw bytes, got {len(public_key_raw)}",
            f"Ed25519 公钥应为 32 字节，实际为 {len(public_key_raw)} 字节",
        )
    return hashlib.sha256(public_key_raw).digest()[:4]


def public_key_raw(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_range(name: str, value: int, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise TokenError(
            f"{name} {value!r} does not fit the e-receipt token (allowed {lo}..{hi})",
            f"{name} {value!r} 超出电子小票凭证的范围（{lo}..{hi}）",
        )


def issue_token(
    private_key: Ed25519PrivateKey,
    *,
    receipt_no: int,
    issued_at: int,
    total_fen: int,
    entry_hash: bytes,
) -> str:
    """Sign a version-1 token: 143 upper-case base32 characters, no padding."""
    return _sign(VERSION, private_key, receipt_no, issued_at, total_fen, entry_hash)


def issue_gift_token(
    private_key: Ed25519PrivateKey,
    *,
    receipt_no: int,
    issued_at: int,
    entry_hash: bytes,
) -> str:
    """Sign a version-2 (gift receipt) token: as version 1 with total_fen 0."""
    return _sign(GIFT_VERSION, private_key, receipt_no, issued_at, 0, entry_hash)


def issue_topup_token(
    private_key: Ed25519PrivateKey,
    *,
    topup_no: int,
    issued_at: int,
    paid_fen: int,
    digest: bytes,
) -> str:
    """Sign a version-3 (top-up receipt) token."""
    return _sign(TOPUP_VERSION, private_key, topup_no, issued_at, paid_fen, digest)


def _sign(
    version: int,
    private_key: Ed25519PrivateKey,
    receipt_no: int,
    issued_at: int,
    total_fen: int,
    entry_hash: bytes,
) -> str:
    _check_range("receipt_no", receipt_no, 0, 0xFFFFFFFF)
    _check_range("issued_at", issued_at, 0, 0xFFFFFFFF)
    _check_range("total_fen", total_fen, -(2**31), 2**31 - 1)
    if len(entry_hash) < 8:
        raise TokenError(
            "entry_hash must be the sale's 32-byte journal hash",
            "entry_hash 必须是该笔交易 32 字节的日志哈希",
        )
    signed = _HEADER.pack(
        version,
        key_id(public_key_raw(private_key)),
        receipt_no,
        issued_at,
        total_fen,
        bytes(entry_hash[:8]),
    )
    raw = signed + private_key.sign(signed)
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def receipt_url(base_url: str, token: str) -> str:
    """The URL printed in the QR.  The base URL must be upper case QR-alphanumeric text."""
    bad = sorted({c for c in base_url if c not in QR_ALPHANUMERIC})
    if bad:
        raise TokenError(
            f"e-receipt base URL {base_url!r} has characters outside the QR alphanumeric set "
            f"({''.join(bad)!r}); write it in upper case, e.g. HTTPS://R.EXAMPLE.COM/R/",
            f"电子小票地址 {base_url!r} 含有二维码字母数字模式以外的字符（{''.join(bad)!r}）；"
            "请使用大写，例如 HTTPS://R.EXAMPLE.COM/R/",
        )
    return base_url + token


def _strip_url(token_or_url: str) -> str:
    text = token_or_url.strip()
    # Everything up to the last "/" is the base URL (a token never contains "/").  A query or
    # fragment some scanner app appends is dropped.
    for sep in ("?", "#"):
        text = text.split(sep, 1)[0]
    return text.rsplit("/", 1)[-1]


def decode_token(token_or_url: str, *, versions: tuple[int, ...] = VERSIONS) -> TokenFields:
    """Read a token (or the whole QR URL) without checking the signature."""
    token = _strip_url(token_or_url).upper()
    if not token:
        raise TokenError(
            "no e-receipt token found (the text is empty or ends with '/')",
            "未找到电子小票凭证（内容为空或以“/”结尾）",
        )
    if not set(token) <= _BASE32:
        raise TokenError(
            "this is not an e-receipt token: it is not base32 text (letters A-Z and digits "
            "2-7; scan the QR code on the receipt again)",
            "这不是电子小票凭证：不是 base32 编码（字母 A-Z 与数字 2-7；请重新扫描小票上的二维码）",
        )
    if len(token) != TOKEN_CHARS:
        raise TokenError(
            f"this is not an e-receipt token: it has {len(token)} characters, a version-1 "
            f"or version-2 token has {TOKEN_CHARS} (the QR may be cut off; scan it again)",
            f"这不是有效的电子小票凭证：长度为 {len(token)} 个字符，应为 {TOKEN_CHARS} 个"
            "（二维码可能不完整，请重新扫描）",
        )
    try:
        raw = base64.b32decode(token + "=" * (-len(token) % 8))
    except (binascii.Error, ValueError) as err:
        raise TokenError(
            "this is not an e-receipt token: it is not base32 text",
            "这不是电子小票凭证：不是 base32 编码",
        ) from err
    if base64.b32encode(raw).decode("ascii").rstrip("=") != token:
        # b32decode ignores the unused low bits of the last character; a token is valid only in
        # its one canonical spelling, so two different QR texts never name the same bytes.
        raise TokenError(
            "this is not an e-receipt token: its last character is not canonical base32",
            "这不是有效的电子小票凭证：最后一个字符不是规范的 base32 编码",
        )
    version, kid, receipt_no, issued_at, total_fen, digest = _HEADER.unpack(raw[:SIGNED_BYTES])
    if version == TOPUP_VERSION and version not in versions:
        raise TopUpReceiptToken(
            f"this is a stored-value top-up receipt (top-up No. {receipt_no:06d}), not a sale "
            f"receipt: refund it with `guitai member topup-refund {receipt_no} --user MANAGER` "
            "or on the members desk (会员 → 退充值)",
            f"这是储值充值凭证（充值单号 {receipt_no:06d}），不是购物小票：请用 guitai member "
            f"topup-refund {receipt_no} --user 店长 或在会员界面（会员 → 退充值）办理退充值",
        )
    if version not in versions:
        raise TokenError(
            f"e-receipt token version {version} is not supported (this till reads versions "
            "1, 2 and 3); update the till software",
            f"不支持第 {version} 版电子小票凭证（本机支持第 1、2、3 版）；请升级收银软件",
        )
    if version == GIFT_VERSION and total_fen != 0:
        # A version 2 token never carries an amount: one that does was not issued by a till.
        raise TokenError(
            "this receipt has been altered: a gift receipt's token carries no total",
            "该小票已被篡改：礼品小票凭证不含金额",
        )
    return TokenFields(
        version=version,
        key_id=kid,
        receipt_no=receipt_no,
        issued_at=issued_at,
        total_fen=total_fen,
        sale_digest=digest,
        signature=raw[SIGNED_BYTES:],
        signed=raw[:SIGNED_BYTES],
    )


def verify_token(fields: TokenFields, public_key_raw: bytes, *, key_checked: bool = False) -> None:
    """Check the signature with the issuing till's raw public key; raise if it does not hold.
    `key_checked`: the caller already found the key acceptable (the cloud keeps each till
    key's verdict: cloud/key_checks.py), so its point arithmetic is not run again."""
    if key_id(public_key_raw) != fields.key_id:
        raise TokenError(
            f"this receipt has been altered or comes from another till: its key id "
            f"{fields.key_id.hex()} does not match the key given ({key_id(public_key_raw).hex()})",
            f"该小票已被篡改或来自其他收银机：密钥编号 {fields.key_id.hex()} 与所给密钥"
            f"（{key_id(public_key_raw).hex()}）不符",
        )
    problem = None if key_checked else public_key_problem(public_key_raw)
    if problem is not None:
        # Under a small-order key the signature `R = identity, S = 0` verifies for any token.
        raise TokenError(
            f"this receipt cannot be verified: the issuing till's key is not acceptable "
            f"({problem}); ask head office to revoke that till",
            "无法验证该小票：签发收银机的公钥不合格（可伪造签名）；请联系总部注销该收银机",
        )
    try:
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(fields.signature, fields.signed)
    except InvalidSignature as err:
        raise TokenError(
            "this receipt has been altered: its signature does not verify",
            "该小票已被篡改：签名验证失败",
        ) from err


def verify(token_or_url: str, key_lookup: Callable[[bytes], bytes | None]) -> TokenFields:
    """Decode, find the issuer's public key by key id, and verify the signature."""
    fields = decode_token(token_or_url)
    public = key_lookup(fields.key_id)
    if public is None:
        raise TokenError(
            f"receipt from an unknown till (key id {fields.key_id.hex()}); sync the till "
            "keys or ask head office",
            f"来自未知收银机的小票（密钥编号 {fields.key_id.hex()}）；请同步收银机密钥或联系总部",
        )
    verify_token(fields, public)
    return fields


def qr_code(url: str) -> Any:
    """A `qrcode.QRCode` for the URL: alphanumeric mode, error correction M, no border.

    The `qrcode` library chooses modes itself (and may split a long digit run into numeric
    mode); we hand it one explicit alphanumeric segment so the symbol is what the spec sizes:
    version 7 for a 167-character URL.
    """
    import qrcode
    import qrcode.util

    bad = sorted({c for c in url if c not in QR_ALPHANUMERIC})
    if bad:
        raise TokenError(
            f"the e-receipt URL has characters outside the QR alphanumeric set ({''.join(bad)!r})",
            f"电子小票地址含有二维码字母数字模式以外的字符（{''.join(bad)!r}）",
        )
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(qrcode.util.QRData(url.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    return qr


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules (True = dark), without quiet zone."""
    matrix: list[list[bool]] = qr_code(url).get_matrix()
    return matrix


def qr_version(url: str) -> int:
    version: int = qr_code(url).version
    return version
