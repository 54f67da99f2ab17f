"""The tests' token helper and the cloud's token reader (receipts.token) against the spec's vector."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import token_for

from pos_app.domain.journal import GENESIS, canonical, entry_hash
from receipts.token import TokenError, decode_token, verify_token
from sync.signing import key_id_of, public_raw

PAYLOAD = {
    "completed_at": "2026-11-25T06:30:00Z",
    "currency": "CNY",
    "lines": [
        {
            "amount_fen": 29900,
            "discount_fen": 0,
            "line_no": 1,
            "name": "男士羊毛夹克 黑 L",
            "qty": 1,
            "sku": "QP-2026-001-BLK-L",
            "unit_price_fen": 29900,
        }
    ],
    "payments": [{"amount_fen": 30000, "change_fen": 100, "tender": "cash"}],
    "receipt_no": 42,
    "sale_id": "0b7f6a1e-3c55-4c1e-9a57-2f1d8f6c9e01",
    "store_id": "S001",
    "till_no": 1,
    "total_fen": 29900,
}
TOKEN = (
    "AFLEOWVHAAAAAKTLA2AGQAAAOTGPRBLOKDAZ4YRSFPPDW2QICOQDVKI2OTNWC2YOM53IWCNT3EXRCDUO4GDRYXP7I4B6ZMY5"
    "FLZULHGSG2TCPYVZJ2IY3DRGUAQL72GM2YYG3OG4PKUGKBQ"
)


def test_spec_vector() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    assert public_raw(key).hex() == (
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
    )
    assert key_id_of(public_raw(key)).hex() == "56475aa7"
    assert len(canonical(PAYLOAD)) == 387
    h = entry_hash(GENESIS, PAYLOAD).hex()
    assert h == "f8856e50c19e6232cb0d15fa7c3671c4bd925c0b49170c280bb50a93f8541ea9"
    assert token_for(key, 42, 1795588200, 29900, h) == TOKEN
    fields = decode_token("HTTPS://R.EXAMPLE.COM/R/" + TOKEN)
    assert (fields.receipt_no, fields.issued_at, fields.total_fen) == (42, 1795588200, 29900)
    assert fields.sale_digest.hex() == h[:16]
    verify_token(fields, public_raw(key))
    with pytest.raises(TokenError):
        verify_token(fields, public_raw(Ed25519PrivateKey.generate()))
    assert decode_token(TOKEN.lower()) == fields  # base32 reads in any case
    with pytest.raises(TokenError):
        decode_token(TOKEN[:-8])
