"""Console accounts: passwords hashed with scrypt (memory-hard), roles, and lockout.

The hashing is cloud/passwords.py (shared with the associates' accounts).  Passwords are at
least 10 characters, unlike 4-digit PINs.

After MAX_FAILURES wrong passwords in a row an account is locked for LOCK_FOR; the answer to
an unknown name and to a wrong password is the same (no way to learn which names exist).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..common import ApiError, _now_iso
from ..db import CloudDB
from ..passwords import burn, hash_password, password_matches

ROLES = ("hq", "store-manager")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 10


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
            burn(password)  # the same time as a wrong password: no name can be probed
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
