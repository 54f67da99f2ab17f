"""Console accounts: passwords hashed with scrypt (memory-hard), roles, and lockout.

scrypt N=2^15, r=8, p=1: 32 MiB and ~0.1 s a check, so a burst of sign-ins cannot take the
server's memory (the till's PINs use 2^17: one check at a time there).  Passwords are at
least 10 characters, unlike 4-digit PINs.  The parameters are stored with each hash, so a
later cost applies to new passwords without breaking old ones.
GUITAI_SCRYPT_N lowers it for test suites only (floor 2^12), as on the till.

After MAX_FAILURES wrong passwords in a row an account is locked for LOCK_FOR; the answer to
an unknown name and to a wrong password is the same (no way to learn which names exist).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..common import ApiError, _now_iso
from ..db import CloudDB

ROLES = ("hq", "store-manager")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 10


def _cost() -> int:
    raw = os.environ.get("GUITAI_SCRYPT_N")
    return max(4096, int(raw)) if raw else SCRYPT_N


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    n, salt = _cost(), salt or os.urandom(16)
    key = hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=128 << 20, dklen=32
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
            maxmem=128 << 20,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


# A hash of nothing anyone knows: an unknown name costs the same time as a wrong password.
_DUMMY = "scrypt$4096$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


@dataclass(frozen=True)
class Viewer:
    """Who is signed in: hq sees every store; a store manager only theirs."""

    username: str
    role: str
    stores: frozenset[str]

    @property
    def hq(self) -> bool:
        return self.role == "hq"

    def may_see(self, store_id: str) -> bool:
        return self.hq or store_id in self.stores


class SignInRefused(Exception):
    def __init__(self, locked_until: str | None = None) -> None:
        super().__init__("sign-in refused")
        self.locked_until = locked_until


class Accounts:
    def __init__(self, db: CloudDB, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    def add(self, username: str, role: str, password: str, stores: Sequence[str]) -> Viewer:
        """Add an account, or change an existing one's role, stores and password."""
        if (
            not username
            or len(username) > 64
            or not username.replace("-", "").replace("_", "").replace(".", "").isalnum()
        ):
            raise ApiError(
                400,
                "bad_username",
                "A console user name is 1 to 64 letters, digits, '-', '_' or '.' / "
                "用户名为 1 到 64 位字母、数字、-、_ 或 .",
            )
        if role not in ROLES:
            raise ApiError(
                400, "bad_role", "The role is hq or store-manager / 角色为 hq 或 store-manager"
            )
        if role == "store-manager" and not stores:
            raise ApiError(
                400,
                "stores_required",
                "A store manager needs at least one --store S / 店长账号至少需要一个 --store",
            )
        if len(password) < MIN_PASSWORD:
            raise ApiError(
                400,
                "weak_password",
                f"The password needs at least {MIN_PASSWORD} characters / "
                f"密码至少需要 {MIN_PASSWORD} 个字符",
            )
        hashed = hash_password(password)
        at = _now_iso(self.now())
        with self.db.tx() as tx:
            for s in stores:
                if tx.execute("SELECT 1 FROM stores WHERE store_id = ?", (s,)).fetchone() is None:
                    raise ApiError(
                        404,
                        "unknown_store",
                        f"No store {s}: add it with `guitai cloud store add` / 没有门店 {s}",
                    )
            tx.execute(
                "INSERT INTO console_users(username, role, password_hash, failures, "
                "created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT(username) DO "
                "UPDATE SET role = excluded.role, password_hash = excluded.password_hash, "
                "failures = 0, locked_until = NULL, updated_at = excluded.updated_at",
                (username, role, hashed, at, at),
            )
            tx.execute("DELETE FROM console_user_stores WHERE username = ?", (username,))
            tx.executemany(
                "INSERT INTO console_user_stores(username, store_id) VALUES (?, ?)",
                [(username, s) for s in dict.fromkeys(stores)],
            )
            # a changed password or role ends the account's sessions
            tx.execute("DELETE FROM console_sessions WHERE username = ?", (username,))
        return Viewer(username, role, frozenset(stores))

    def viewer(self, username: str) -> Viewer | None:
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT role FROM console_users WHERE username = ?", (username,)
            ).fetchone()
            if row is None:
                return None
            stores = tx.execute(
                "SELECT store_id FROM console_user_stores WHERE username = ?", (username,)
            ).fetchall()
        return Viewer(username, str(row[0]), frozenset(str(s[0]) for s in stores))

    def sign_in(self, username: str, password: str) -> Viewer:
        """The account's viewer, or SignInRefused (wrong name or password, or locked)."""
        now = self.now()
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT password_hash, failures, locked_until FROM console_users "
                "WHERE username = ?",
                (username,),
            ).fetchone()
        if row is None:
            password_matches(password, _DUMMY)
            raise SignInRefused()
        stored, failures, locked_until = str(row[0]), int(row[1]), row[2]
        if locked_until and locked_until > _now_iso(now):
            raise SignInRefused(str(locked_until))
        if not password_matches(password, stored):
            failures += 1
            until = _now_iso(now + LOCK_FOR) if failures >= MAX_FAILURES else None
            with self.db.tx() as tx:
                tx.execute(
                    "UPDATE console_users SET failures = ?, locked_until = ? WHERE username = ?",
                    (0 if until else failures, until, username),
                )
            raise SignInRefused(until)
        with self.db.tx() as tx:
            tx.execute(
                "UPDATE console_users SET failures = 0, locked_until = NULL WHERE username = ?",
                (username,),
            )
        viewer = self.viewer(username)
        if viewer is None:  # removed meanwhile
            raise SignInRefused()
        return viewer
