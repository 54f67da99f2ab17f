"""The one rule for which Ed25519 public keys a till or the cloud may trust
(pos_app.domain.ed25519_keys), on the known bad points and on real keys."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pos_app.domain.ed25519_keys import is_acceptable_public_key, public_key_problem

# The eight points of order dividing 8, canonically encoded: the list of "Taming the many
# EdDSAs" (Chalkias, Garillot, Nikolaenko, eprint 2020/1244) and libsodium's blocklist.
SMALL_ORDER = {
    "identity (order 1)": "0100000000000000000000000000000000000000000000000000000000000000",
    "order 2": "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "order 4, x even": "0000000000000000000000000000000000000000000000000000000000000000",
    "order 4, x odd": "0000000000000000000000000000000000000000000000000000000000000080",
    "order 8 a": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "order 8 a'": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "order 8 b": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "order 8 b'": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
}
# RFC 8032 test 1's public key, and the same point plus the order-8 point "order 8 a"
# (computed once; its [L]-multiple is that order-8 point, not the identity).
RFC8032_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
MIXED_ORDER = "9158312a9a8d6e3b34c891d6d61444f8b8211c5117ebad15bdb0bd68b07e0245"
NON_CANONICAL = {
    "y = p (0 spelled non-canonically)": "ed" + "ff" * 30 + "7f",
    "y = p + 1 (the identity, non-canonical)": "ee" + "ff" * 30 + "7f",
    "y = 2^255 - 1": "ff" * 31 + "7f",
    "identity with the sign bit set": "01" + "00" * 30 + "80",
    "order 2 with the sign bit set": "ec" + "ff" * 31,
}


@pytest.mark.parametrize("name", SMALL_ORDER)
def test_small_order_points_are_refused(name: str) -> None:
    raw = bytes.fromhex(SMALL_ORDER[name])
    problem = public_key_problem(raw)
    assert problem is not None and ("small-order" in problem or "identity" in problem), problem
    assert not is_acceptable_public_key(raw)


def test_the_identity_key_is_the_attack_the_library_lets_through() -> None:
    """Why the check exists: OpenSSL verifies `01 00…00 ‖ 00…00` for any message under it."""
    identity = Ed25519PublicKey.from_public_bytes(bytes.fromhex(SMALL_ORDER["identity (order 1)"]))
    identity.verify(bytes([1]) + bytes(63), b"a forged receipt of 999999.00")
    assert "identity" in (
        public_key_problem(bytes.fromhex(SMALL_ORDER["identity (order 1)"])) or ""
    )


def test_a_mixed_order_point_is_refused() -> None:
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(MIXED_ORDER))  # the library takes it
    assert "mixed-order" in (public_key_problem(bytes.fromhex(MIXED_ORDER)) or "")


@pytest.mark.parametrize("name", NON_CANONICAL)
def test_non_canonical_encodings_are_refused(name: str) -> None:
    problem = public_key_problem(bytes.fromhex(NON_CANONICAL[name]))
    assert problem is not None and "canonical" in problem, problem


def test_off_curve_and_wrong_length_are_refused() -> None:
    assert "curve" in (public_key_problem((2).to_bytes(32, "little")) or "")
    assert "32 raw bytes" in (public_key_problem(bytes(31)) or "")


def test_real_keys_are_accepted() -> None:
    assert public_key_problem(bytes.fromhex(RFC8032_KEY)) is None
    for _ in range(20):
        raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        assert is_acceptable_public_key(raw), raw.hex()
