"""Associates' accounts: a password kept as a scrypt hash (cloud/passwords.py), and
a lockout after repeated failures (LOCK_AFTER wrong passwords lock the account LOCK_FOR)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..common import ApiError, _now_iso
from ..db import CloudDB
from ..passwords import burn, hash_password, password_matches

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 8


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


class Accounts:
    def __init__(self, db: CloudDB, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    def add(self, name: str, store: str, password: str) -> dict[str, Any]:
        name = name.strip()
        if not name or len(name) > 64:
            raise ApiError(400, "bad_name", "Give the associate's name (1–64 characters)",
                           "请填写导购姓名（1–64 个字符）")  # fmt: skip
        if len(password) < MIN_PASSWORD:
            raise ApiError(
                400,
                "weak_password",
                f"The password needs at least {MIN_PASSWORD} characters: choose a longer one",
                f"密码至少 {MIN_PASSWORD} 位：请换一个更长的密码",
            )
        pw = hash_password(password)
        with self.db.tx() as tx:
            if not tx.execute("SELECT 1 FROM stores WHERE store_id = ?", (store,)).fetchone():
                raise ApiError(
                    404,
                    "unknown_store",
                    f"No store {store}: add it first with `guitai cloud store add`",
                    f"没有门店 {store}：请先用 guitai cloud store add 添加",
                )
            if tx.execute("SELECT 1 FROM associates WHERE name = ?", (name,)).fetchone():
                raise ApiError(
                    409,
                    "associate_exists",
                    f"An associate {name} exists already: sign-in names are unique in the chain",
                    f"导购 {name} 已存在：登录名在全品牌内唯一",
                )
            tx.execute(
                "INSERT INTO associates(name, store_id, pw_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, store, pw, _now_iso(self.now())),
            )
        return {"name": name, "store_id": store}

    def sign_in(self, name: str, password: str) -> dict[str, str] | None:
        """The associate, or None (unknown, wrong password, or locked: the page says the
        same for all three, so a name cannot be probed)."""
        now = self.now()
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT store_id, pw_hash, failed, locked_until FROM associates WHERE name = ?",
                (name,),
            ).fetchone()
        if row is None:
            burn(password)  # one scrypt, as for a real name
            return None
        store, pw, failed, locked = row
        if locked and _parse(str(locked)) > now:
            return None
        ok = password_matches(password, str(pw))
        with self.db.tx() as tx:
            if ok:
                tx.execute(
                    "UPDATE associates SET failed = 0, locked_until = '' WHERE name = ?", (name,)
                )
                return {"name": name, "store_id": str(store)}
            failed = int(failed) + 1
            until = _now_iso(now + LOCK_FOR) if failed >= LOCK_AFTER else ""
            tx.execute(
                "UPDATE associates SET failed = ?, locked_until = ? WHERE name = ?",
                (0 if until else failed, until, name),
            )
        return None

    def store_of(self, name: str) -> str | None:
        with self.db.tx() as tx:
            row = tx.execute("SELECT store_id FROM associates WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None
