"""Users, roles, PINs and lockout.

PINs are short, so a hash alone cannot protect them (NIST SP 800-63B: low-complexity secrets
are not compromise resistant when hashed).  We hash with scrypt over HMAC(pepper, PIN), where
the pepper is a random secret held on the device outside the database, and throttle guesses
with a growing lockout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import AccessDenied, InvalidInput, LockedOut


class Role(StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"
    TECHNICIAN = "technician"

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text.strip().lower())
        except ValueError as err:
            raise InvalidInput(
                f"Unknown role “{text}”: use cashier, manager or technician",
                f"未知角色“{text}”：请用 cashier、manager 或 technician",
            ) from err


# OWASP: scrypt N=2^17, r=8, p=1.  A till checks one PIN at a time, so ~0.3 s is acceptable;
# tests may lower N through the parameters stored with each hash.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1

FREE_FAILURES = 3
FIRST_LOCKOUT_S = 30
MAX_LOCKOUT_S = 15 * 60


def check_pin_format(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise InvalidInput("A PIN is 4 to 8 digits", "PIN 必须是 4 到 8 位数字")


def hash_pin(pin: str, pepper: bytes, *, n: int = SCRYPT_N, salt: bytes | None = None) -> str:
    check_pin_format(pin)
    salt = salt or os.urandom(16)
    peppered = hmac.new(pepper, pin.encode(), hashlib.sha256).digest()
    dk = hashlib.scrypt(
        peppered, salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=256 * 1024 * 1024, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(dk).decode()}"


def pin_matches(pin: str, pepper: bytes, stored: str) -> bool:
    try:
        algo, n_s, r_s, p_s, salt_b64, dk_b64 = stored.split("$")
        if algo != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(dk_b64)
        peppered = hmac.new(pepper, pin.encode(), hashlib.sha256).digest()
        dk = hashlib.scrypt(
            peppered,
            salt=salt,
            n=int(n_s),
            r=int(r_s),
            p=int(p_s),
            maxmem=256 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(dk, expected)


def lockout_seconds(failures: int) -> int:
    """0 for the first few failures, then 30 s, 60 s, 120 s… capped at 15 minutes."""
    if failures < FREE_FAILURES:
        return 0
    return int(min(MAX_LOCKOUT_S, FIRST_LOCKOUT_S * (1 << min(failures - FREE_FAILURES, 20))))


@dataclass(frozen=True, slots=True)
class User:
    name: str
    roles: frozenset[str]
    pin_hash: str
    failed_attempts: int = 0
    locked_until: datetime | None = None
    active: bool = True

    def has(self, role: Role) -> bool:
        return role.value in self.roles


@dataclass(frozen=True, slots=True)
class PinCheck:
    ok: bool
    failed_attempts: int
    locked_until: datetime | None


def check_pin(user: User, pin: str, pepper: bytes, now: datetime) -> PinCheck:
    """Decide a sign-in attempt; the caller persists failed_attempts/locked_until."""
    if not user.active:
        raise AccessDenied(f"User {user.name} is disabled", f"用户 {user.name} 已停用")
    if user.locked_until and now < user.locked_until:
        wait = int((user.locked_until - now).total_seconds()) + 1
        raise LockedOut(
            f"Too many wrong PINs for {user.name}: try again in {wait} s or ask a manager",
            f"{user.name} 的 PIN 错误次数过多，请 {wait} 秒后再试或联系店长",
        )
    if pin_matches(pin, pepper, user.pin_hash):
        return PinCheck(True, 0, None)
    failures = user.failed_attempts + 1
    delay = lockout_seconds(failures)
    return PinCheck(False, failures, now + timedelta(seconds=delay) if delay else None)


def wrong_pin_error(user: str, check: PinCheck, now: datetime) -> AccessDenied:
    if check.locked_until:
        wait = int((check.locked_until - now).total_seconds())
        return LockedOut(
            f"Wrong PIN for {user}; locked for {wait} s",
            f"{user} 的 PIN 错误，已锁定 {wait} 秒",
        )
    left = FREE_FAILURES - check.failed_attempts
    return AccessDenied(
        f"Wrong PIN for {user} ({left} more tries before a lockout)",
        f"{user} 的 PIN 错误（再错 {left} 次将被锁定）",
    )
