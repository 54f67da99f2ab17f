"""The e-receipt token against shared/specs/ereceipt-token-v1.md, including its test vector."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain.errors import GuitaiError
from pos_app.domain.journal import GENESIS, canonical, entry_hash
from receipts import token as tk

SEED = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
PUBLIC = bytes.fromhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")
PAYLOAD = (
    '{"completed_at":"2026-11-25T06:30:00Z","currency":"CNY","lines":[{"amount_fen":29900,'
    '"discount_fen":0,"line_no":1,"name":"男士羊毛夹克 黑 L","qty":1,"sku":"QP-2026-001-BLK-L",'
    '"unit_price_fen":29900}],"payments":[{"amount_fen":30000,"change_fen":100,"tender":"cash"}],'
    '"receipt_no":42,"sale_id":"0b7f6a1e-3c55-4c1e-9a57-2f1d8f6c9e01","store_id":"S001",'
    '"till_no":1,"total_fen":29900}'
)
ENTRY_HASH = "f8856e50c19e6232cb0d15fa7c3671c4bd925c0b49170c280bb50a93f8541ea9"
TOKEN = (
    "AFLEOWVHAAAAAKTLA2AGQAAAOTGPRBLOKDAZ4YRSFPPDW2QICOQDVKI2OTNWC2YOM53IWCNT3EXRCDUO4GDRYXP7I4B6"
    "ZMY5FLZULHGSG2TCPYVZJ2IY3DRGUAQL72GM2YYG3OG4PKUGKBQ"
)
BASE = "HTTPS://R.EXAMPLE.COM/R/"


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


def _lookup(kid: bytes) -> bytes | None:
    return PUBLIC if kid == tk.key_id(PUBLIC) else None


def _issue(key: Ed25519PrivateKey) -> str:
    return tk.issue_token(
        key,
        receipt_no=42,
        issued_at=1795588200,
        total_fen=29900,
        entry_hash=bytes.fromhex(ENTRY_HASH),
    )


def test_vector_payload_hash_key_id_and_token(key: Ed25519PrivateKey) -> None:
    payload = json.loads(PAYLOAD)
    assert canonical(payload).decode() == PAYLOAD
    assert len(canonical(payload)) == 387
    assert entry_hash(GENESIS, payload).hex() == ENTRY_HASH
    assert tk.public_key_raw(key) == PUBLIC
    assert tk.key_id(PUBLIC).hex() == "56475aa7"
    token = _issue(key)
    assert token == TOKEN
    assert len(token) == tk.TOKEN_CHARS == 143
    url = tk.receipt_url(BASE, token)
    assert len(url) == 167
    assert tk.qr_version(url) == 7


def test_decode_and_verify_the_vector() -> None:
    fields = tk.verify(BASE + TOKEN, _lookup)
    assert fields.version == 1
    assert fields.key_id == bytes.fromhex("56475aa7")
    assert (fields.receipt_no, fields.issued_at, fields.total_fen) == (42, 1795588200, 29900)
    assert fields.sale_digest == bytes.fromhex(ENTRY_HASH)[:8]
    assert len(fields.signature) == 64 and len(fields.signed) == 25
    assert tk.decode_token(TOKEN) == fields
    # scanner apps sometimes append a query or fragment
    assert tk.decode_token(BASE + TOKEN + "?from=wechat") == fields
    # a link typed or pasted lower-cased: base32 reads in any case (RFC 4648)
    assert tk.verify((BASE + TOKEN).lower(), _lookup) == fields
    assert tk.decode_token(TOKEN.swapcase()) == fields


def test_negative_total_on_a_refund_round_trips(key: Ed25519PrivateKey) -> None:
    token = tk.issue_token(
        key, receipt_no=43, issued_at=1795600000, total_fen=-29900, entry_hash=bytes(32)
    )
    fields = tk.verify(token, _lookup)
    assert fields.total_fen == -29900 and fields.receipt_no == 43


def test_every_changed_byte_fails_verification() -> None:
    raw = base64.b32decode(TOKEN + "=" * (-len(TOKEN) % 8))
    assert len(raw) == 89
    for i in range(89):
        for flip in (0x01, 0x80):
            altered = bytearray(raw)
            altered[i] ^= flip
            text = base64.b32encode(bytes(altered)).decode().rstrip("=")
            with pytest.raises(tk.TokenError) as err:
                tk.verify(BASE + text, _lookup)
            message = str(err.value)
            if i == 0:
                assert "version" in message
            elif 1 <= i <= 4:
                assert "unknown till" in message
            else:
                assert "this receipt has been altered" in message
                assert err.value.message_zh == "该小票已被篡改：签名验证失败"


def test_unknown_key_id_says_so() -> None:
    with pytest.raises(tk.TokenError, match="receipt from an unknown till") as err:
        tk.verify(TOKEN, lambda kid: None)
    assert "56475aa7" in str(err.value)
    assert "未知收银机" in err.value.message_zh
    assert isinstance(err.value, GuitaiError)


def test_verify_token_with_another_tills_key_fails() -> None:
    other = tk.public_key_raw(Ed25519PrivateKey.from_private_bytes(bytes(32)))
    with pytest.raises(tk.TokenError, match="altered or comes from another till"):
        tk.verify_token(tk.decode_token(TOKEN), other)
    # a lookup that hands back another till's key for this id is caught by the key id check
    with pytest.raises(tk.TokenError, match="altered or comes from another till"):
        tk.verify(TOKEN, lambda kid: other)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no e-receipt token"),
        (BASE, "no e-receipt token"),
        ("HELLO-WORLD", "not base32 text"),
        (TOKEN.lower()[:-1] + "!", "not base32 text"),
        (TOKEN[:-1], "142 characters"),
        (TOKEN + "A", "144 characters"),
        (TOKEN[:100], "100 characters"),
        (TOKEN[:-1] + "R", "not canonical"),
        ("A" * 143, "version 0 is not supported"),
    ],
)
def test_bad_tokens_have_clear_reasons(text: str, reason: str) -> None:
    with pytest.raises(tk.TokenError, match=reason):
        tk.verify(text, lambda kid: PUBLIC)


def test_wrong_version_is_named(key: Ed25519PrivateKey) -> None:
    raw = bytearray(base64.b32decode(TOKEN + "=" * (-len(TOKEN) % 8)))
    raw[0] = 4  # version 3 is the top-up receipt's (test_receipts_topup_token.py)
    with pytest.raises(tk.TokenError, match="version 4 is not supported") as err:
        tk.decode_token(base64.b32encode(bytes(raw)).decode().rstrip("="))
    assert "1、2" in err.value.message_zh


# The spec's "Version 2" section: a gift receipt's token, same key and sale as the vector above.
GIFT_TOKEN = (
    "AJLEOWVHAAAAAKTLA2AGQAAAAAAPRBLOKDAZ4YRSA7UJWBAWMYD2UACPTKUUAEZCGF3OQIPEYUKSWWFPD3MROPGUORCZ"
    "3NFUMNNBY47VY2JWAE2SDTDMLWDMWNNWXXAVTROFQJRRAGMD2CA"
)


def test_gift_token_vector(key: Ed25519PrivateKey) -> None:
    token = tk.issue_gift_token(
        key, receipt_no=42, issued_at=1795588200, entry_hash=bytes.fromhex(ENTRY_HASH)
    )
    assert token == GIFT_TOKEN
    assert len(token) == 143
    raw = base64.b32decode(token + "=" * (-len(token) % 8))
    assert raw[0] == 0x02 and raw[13:17] == bytes(4)
    fields = tk.verify(BASE + token, _lookup)
    assert fields.version == 2 and fields.gift
    assert (fields.receipt_no, fields.issued_at, fields.total_fen) == (42, 1795588200, 0)
    # the same sale as the version 1 vector: receipt, time and journal digest agree
    v1 = tk.decode_token(TOKEN)
    assert not v1.gift
    assert (v1.key_id, v1.sale_digest) == (fields.key_id, fields.sale_digest)
    assert tk.qr_version(tk.receipt_url(BASE, token)) == 7


def test_a_version_1_token_relabelled_version_2_does_not_verify() -> None:
    raw = bytearray(base64.b32decode(TOKEN + "=" * (-len(TOKEN) % 8)))
    raw[0] = 2
    raw[13:17] = bytes(4)  # the total taken off, as a gift token has it
    with pytest.raises(tk.TokenError, match="this receipt has been altered"):
        tk.verify(base64.b32encode(bytes(raw)).decode().rstrip("="), _lookup)


def test_a_version_2_token_with_a_total_is_refused() -> None:
    raw = bytearray(base64.b32decode(GIFT_TOKEN + "=" * (-len(GIFT_TOKEN) % 8)))
    raw[13:17] = (29900).to_bytes(4, "big")
    with pytest.raises(tk.TokenError, match="carries no total") as err:
        tk.decode_token(base64.b32encode(bytes(raw)).decode().rstrip("="))
    assert "礼品小票" in err.value.message_zh


def test_every_changed_byte_of_a_gift_token_fails_verification() -> None:
    raw = base64.b32decode(GIFT_TOKEN + "=" * (-len(GIFT_TOKEN) % 8))
    for i in range(89):
        altered = bytearray(raw)
        altered[i] ^= 0x01
        with pytest.raises(tk.TokenError):
            tk.verify(base64.b32encode(bytes(altered)).decode().rstrip("="), _lookup)


def test_issue_rejects_values_that_do_not_fit(key: Ed25519PrivateKey) -> None:
    for kwargs in (
        {"receipt_no": -1},
        {"receipt_no": 2**32},
        {"issued_at": -5},
        {"total_fen": 2**31},
        {"entry_hash": b"short"},
    ):
        args = {"receipt_no": 1, "issued_at": 0, "total_fen": 0, "entry_hash": bytes(32)}
        args.update(kwargs)
        with pytest.raises(tk.TokenError):
            tk.issue_token(key, **args)  # type: ignore[arg-type]


def test_receipt_url_needs_an_upper_case_alphanumeric_base() -> None:
    with pytest.raises(tk.TokenError, match="upper case"):
        tk.receipt_url("https://r.example.com/r/", TOKEN)
    assert tk.receipt_url(BASE, TOKEN) == BASE + TOKEN


def test_qr_is_one_alphanumeric_segment_at_level_m() -> None:
    import qrcode.constants
    import qrcode.util

    qr = tk.qr_code(BASE + TOKEN)
    assert qr.error_correction == qrcode.constants.ERROR_CORRECT_M
    assert [seg.mode for seg in qr.data_list] == [qrcode.util.MODE_ALPHA_NUM]
    assert qr.version == 7 and len(tk.qr_matrix(BASE + TOKEN)) == 45
    # the library left to itself would split digit runs out of an alphanumeric URL
    auto = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    auto.add_data(BASE + TOKEN)
    auto.make(fit=True)
    assert auto.version >= 7


def test_key_id_needs_a_raw_public_key() -> None:
    with pytest.raises(tk.TokenError, match="32 raw bytes"):
        tk.key_id(b"\x00" * 31)
    assert tk.key_id(PUBLIC) == hashlib.sha256(PUBLIC).digest()[:4]
