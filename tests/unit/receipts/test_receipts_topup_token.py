"""The top-up receipt's token (version 3) against docs/specs/ereceipt-token-v1.md "Version 3:
top-up receipts": its test vector byte for byte, and a sale verifier that names a top-up
receipt and how it is refunded instead of a generic error."""

from __future__ import annotations

import base64
import hashlib
import json

import paths
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain.journal import canonical
from pos_app.domain.topups import receipt_digest
from receipts import token as tk

SEED = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
PUBLIC = bytes.fromhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")
BOOKING = (
    '{"bonus_fen":5000,"member_id":"M0000123","paid_fen":50000,"tender":"wechat",'
    '"topup_id":"5f0c2a9e8d7b4c1a9e3f6b2d1c0a8e74"}'
)
BOOKING_SHA256 = "17dd691f78ddbb6583e503386c085de9571ed0a4a489ec9cd8e3297b32d45541"
TOKEN = (
    "ANLEOWVHAAAAAB3LA2AGQAAAYNIBPXLJD54N3O3FHBTCM43V65BKTSFJZYWKSXR6SMFE5VI57TGB6NKIXWGCRNQH"
    "XUL66BOWTUBQYOMYBDSLJEDUM5OM7EDX3RZ7OHPV7QUJCYEJW6CZ2BY"
)
BASE = "HTTPS://R.EXAMPLE.COM/R/"
SPEC = paths.ROOT / "docs" / "specs" / "ereceipt-token-v1.md"


def _issue() -> str:
    booking = json.loads(BOOKING)
    return tk.issue_topup_token(
        Ed25519PrivateKey.from_private_bytes(SEED),
        topup_no=7,
        issued_at=1795588200,
        paid_fen=50000,
        digest=receipt_digest(**booking),
    )


def test_the_spec_carries_the_version_3_vector_this_test_reproduces() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    section = spec[spec.index("## Version 3: top-up receipts") :]
    for text in (BOOKING, BOOKING_SHA256, TOKEN, "`17dd691f78ddbb65`", "(122 bytes)"):
        assert text in section
    # the shared contract's text is kept word for word above the project's section
    shared = (paths.ROOT.parent / "shared" / "specs" / "ereceipt-token-v1.md").resolve()
    if shared.exists():
        assert spec.startswith(shared.read_text(encoding="utf-8"))


def test_the_version_3_vector_byte_for_byte() -> None:
    booking = json.loads(BOOKING)
    assert canonical(booking).decode() == BOOKING and len(canonical(booking)) == 122
    assert hashlib.sha256(canonical(booking)).hexdigest() == BOOKING_SHA256
    assert receipt_digest(**booking).hex() == BOOKING_SHA256[:16]
    token = _issue()
    assert token == TOKEN
    raw = base64.b32decode(TOKEN + "=" * (-len(TOKEN) % 8))
    assert raw[0] == 3 and raw[1:5] == tk.key_id(PUBLIC)
    assert int.from_bytes(raw[5:9]) == 7 and int.from_bytes(raw[13:17], signed=True) == 50000
    assert raw[17:25].hex() == BOOKING_SHA256[:16]
    assert len(BASE + TOKEN) == 167 and tk.qr_version(BASE + TOKEN) == 7


def test_all_versions_read_and_verify_a_top_up_token() -> None:
    fields = tk.decode_token(BASE + TOKEN, versions=tk.ALL_VERSIONS)
    assert fields.topup and not fields.gift
    assert (fields.receipt_no, fields.issued_at, fields.total_fen) == (7, 1795588200, 50000)
    tk.verify_token(fields, PUBLIC)


def test_a_sale_verifier_names_a_top_up_receipt_and_how_it_is_refunded() -> None:
    with pytest.raises(tk.TopUpReceiptToken) as err:
        tk.verify(BASE + TOKEN, lambda kid: PUBLIC)
    assert err.value.code == "topup_receipt"
    assert "top-up receipt (top-up No. 000007)" in err.value.message
    assert "guitai member topup-refund 7" in err.value.message
    assert "储值充值凭证" in err.value.message_zh and "退充值" in err.value.message_zh


def test_a_sale_token_relabelled_version_3_does_not_verify() -> None:
    raw = bytearray(base64.b32decode(TOKEN + "=" * (-len(TOKEN) % 8)))
    raw[0] = 1
    relabelled = base64.b32encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(tk.TokenError, match="altered"):
        tk.verify(relabelled, lambda kid: PUBLIC)
