"""A built-in reader for e-receipt tokens v1 (specs/ereceipt-token-v1.md).

The `receipts` package owns the token; `sync` may not import it, so `guitai cloud serve`
injects `receipts.token` when it is installed and falls back to this reader otherwise.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TOKEN_BYTES = 89


class TokenInvalid(ValueError):
    pass


@dataclass(frozen=True)
class TokenFields:
    version: int
    key_id: bytes
    receipt_no: int
    issued_at: int
    total_fen: int
    sale_digest: bytes
    signature: bytes
    signed: bytes


class BuiltinTokenCodec:
    def decode(self, token_or_url: str) -> TokenFields:
        # Base32 reads in any case (RFC 4648): a link typed or pasted from a phone may arrive
        # lower-cased; receipts.token reads it the same way.
        token = token_or_url.rsplit("/", 1)[-1].upper()
        if not token:
            raise TokenInvalid("no token")
        try:
            raw = base64.b32decode(token + "=" * (-len(token) % 8))
        except ValueError as err:
            raise TokenInvalid(f"not base32: {err}") from err
        if len(raw) != TOKEN_BYTES or raw[0] != 1:
            raise TokenInvalid("not an 89-byte version 1 token")
        _, key_id, receipt_no, issued_at, total = struct.unpack(">B4sIIi", raw[:17])
        return TokenFields(1, key_id, receipt_no, issued_at, total, raw[17:25], raw[25:], raw[:25])

    def verify(self, fields: TokenFields, public_key_raw: bytes) -> None:
        try:
            Ed25519PublicKey.from_public_bytes(public_key_raw).verify(
                fields.signature, fields.signed
            )
        except (InvalidSignature, ValueError) as err:
            raise TokenInvalid("the signature does not verify") from err
