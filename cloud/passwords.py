"""The passwords of the cloud's people (console users, associates): scrypt, memory-hard.

N=2^15, r=8, p=1: 32 MiB and ~0.1 s a check, so a burst of sign-ins cannot take the server's
memory (the till's PINs use 2^17: one check at a time there).  The parameters are stored with
each hash (`scrypt$N$r$p$salt$key`), so a later cost applies to new passwords without breaking
old ones.  GUITAI_SCRYPT_N lowers it for test suites only (floor 2^12), as on the till.

`burn` is what a sign-in does for a name nobody has: one check at the same cost as a real
one, so the time of the answer does not tell which names exist."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MAXMEM = 128 << 20


def cost() -> int:
    raw = os.environ.get("GUITAI_SCRYPT_N")
    return max(4096, int(raw)) if raw else SCRYPT_N


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    n, salt = cost(), salt or os.urandom(16)
    key = hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=MAXMEM, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(key).decode()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, key = stored.split("$")
        if algo != "scrypt":
            return False
        expected = base64.b64decode(key)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


_DUMMY: dict[int, str] = {}


def burn(password: str) -> None:
    """One check against a hash of nothing anyone knows, made at today's cost."""
    n = cost()
    if n not in _DUMMY:
        _DUMMY[n] = hash_password(secrets.token_urlsafe(12))
    password_matches(password, _DUMMY[n])
