"""Which raw Ed25519 public keys a till or the cloud may trust (specs/sync-protocol.md 1.1).

RFC 8032 verification, as OpenSSL (and so `cryptography`) implements it, accepts any point on
the curve as a public key.  Under a small-order key such as the identity, the signature
`R = identity, S = 0` verifies for every message: whoever enrolls that key signs anything
without a private key.  A key is acceptable only when it is the canonical encoding (y < p; no
sign bit on x = 0) of a point of the prime-order subgroup other than the identity, checked
here by decoding the point and computing [L]P.  Pure integer arithmetic: the domain imports
no crypto library, and the check runs once per key, not per signature (about a millisecond).
"""

from __future__ import annotations

from functools import lru_cache

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # the prime order of the base point
D = -121665 * pow(121666, P - 2, P) % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)

_Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z
_IDENTITY: _Point = (0, 1, 1, 0)


def _decode(raw: bytes) -> tuple[int, int] | str:
    """(x, y) of a canonically encoded point, or why the bytes are not one (RFC 8032 5.1.3)."""
    n = int.from_bytes(raw, "little")
    sign, y = n >> 255, n & ((1 << 255) - 1)
    if y >= P:
        return "it is not a canonical encoding (y is not below p)"
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        x = x * _SQRT_M1 % P
        if (v * x * x - u) % P != 0:
            return "it is not a point on the Ed25519 curve"
    if x == 0 and sign:
        return "it is not a canonical encoding (sign bit set on x = 0)"
    if x & 1 != sign:
        x = P - x
    return x, y


def _add(a: _Point, b: _Point) -> _Point:
    # Complete addition for a = -1 (Hisil-Wong-Carter-Dawson 2008): also doubles.
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * D * t1 * t2 % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return e * f % P, g * h % P, f * g % P, e * h % P


def _mul(k: int, pt: _Point) -> _Point:
    out = _IDENTITY
    while k:
        if k & 1:
            out = _add(out, pt)
        pt = _add(pt, pt)
        k >>= 1
    return out


def _is_identity(pt: _Point) -> bool:
    x, y, z, _ = pt
    return x % P == 0 and (y - z) % P == 0


# Remembered per key: the cloud checks the issuing till's key on every e-receipt page and
# every signed request (receipts.token.verify_token, cloud/gate.py), and this arithmetic is
# about 2 ms of a page's 4; a chain has a few thousand tills.
@lru_cache(maxsize=8192)
def public_key_problem(raw: bytes) -> str | None:
    """None when `raw` is an acceptable Ed25519 public key, else why it is not (English)."""
    if len(raw) != 32:
        return f"an Ed25519 public key is 32 raw bytes, not {len(raw)}"
    decoded = _decode(raw)
    if isinstance(decoded, str):
        return decoded
    x, y = decoded
    pt: _Point = (x, y, 1, x * y % P)
    if _is_identity(pt):
        return "it is the identity point (a signature under it verifies for any message)"
    if _is_identity(_mul(8, pt)):
        return "it is a small-order point (a signature under it can be forged)"
    if not _is_identity(_mul(L, pt)):
        return "it is a mixed-order point (it has a small-order component)"
    return None


def is_acceptable_public_key(raw: bytes) -> bool:
    return public_key_problem(raw) is None
