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
import itertools
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


def check_pin_strength(pin: str) -> None:
    """Refuse a PIN that is among the first anyone would guess: one digit repeated (0000),
    a run up or down the digits (1234, 123456, 4321, 9876), or two digits alternating (1212).
    NIST SP 800-63B asks verifiers to refuse such "repetitive or sequential" secrets."""
    check_pin_format(pin)
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in itertools.pairwise(digits)}
    alternating = len(set(pin[0::2])) == 1 and len(set(pin[1::2])) == 1
    if (len(steps) == 1 and steps <= {-1, 0, 1}) or alternating:
        raise InvalidInput(
            "That PIN is too easy to guess (repeated digits, a run like 1234 or 4321, or "
            "two digits alternating): choose another PIN of 4 to 8 digits",
            "该 PIN 太容易被猜到（重复数字、1234 或 4321 这样的连续数字、两个数字交替）："
            "请另选一个 4 到 8 位数字的 PIN",
        )


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


def refuse_if_locked(user: User, now: datetime) -> None:
    """A locked-out user is refused before any PIN is checked (even the right one)."""
    if user.locked_until and now < user.locked_until:
        wait = int((user.locked_until - now).total_seconds()) + 1
        raise LockedOut(
            f"Too many wrong PINs for {user.name}: try again in {wait} s or ask a manager "
            f"(`guitai user unlock {user.name}`)",
            f"{user.name} 的 PIN 错误次数过多，请 {wait} 秒后再试或请店长解锁",
        )


def lockout_until(failures: int, now: datetime) -> datetime | None:
    delay = lockout_seconds(failures)
    return now + timedelta(seconds=delay) if delay else None


def wrong_pin_error(name: str, locked_until: datetime | None, now: datetime) -> AccessDenied:
    """One answer for a wrong PIN and for a name that is not a user, so that the answer does
    not tell which names exist."""
    if locked_until:
        wait = int((locked_until - now).total_seconds())
        return LockedOut(
            f"Wrong user name or PIN; {name} is locked for {wait} s (or ask a manager)",
            f"用户名或 PIN 错误；{name} 已锁定 {wait} 秒（或请店长解锁）",
        )
    return AccessDenied(
        f"Wrong user name or PIN for {name}: check both and try again "
        f"({FREE_FAILURES} wrong PINs in a row lock the user)",
        f"用户名或 PIN 错误（{name}）：请检查后重试（连续错 {FREE_FAILURES} 次将被锁定）",
    )


def disabled_error(name: str) -> AccessDenied:
    return AccessDenied(
        f"User {name} is disabled: ask a manager to run `guitai user enable {name}`",
        f"用户 {name} 已停用：请店长运行 guitai user enable {name} 重新启用",
    )


def dummy_hash(n: int = SCRYPT_N) -> str:
    """A hash no PIN matches, with the cost of a real one: a name that is not a user takes
    as long to refuse as a wrong PIN."""
    b64 = base64.b64encode
    salt, dk = b64(os.urandom(16)).decode(), b64(os.urandom(32)).decode()
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${salt}${dk}"
