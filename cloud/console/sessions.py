"""Console sessions: a random session id in a signed cookie with an expiry, its row in
`console_sessions` (the sha256 of the id, never the id itself) holding the user and the
session's CSRF token.

Signing in always makes a new id (a cookie planted before sign-in is never promoted: no
session fixation); signing out deletes the row, so a copied cookie is dead too.  The cookie
is HttpOnly, SameSite=Lax, Path=/console, and Secure when the console is served over https.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..common import _now_iso
from ..db import CloudDB

COOKIE = "gt_console"
LIFETIME = timedelta(hours=8)  # a working day; then sign in again


@dataclass(frozen=True)
class Session:
    sid: str
    username: str
    csrf: str
    expires_at: str


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class Sessions:
    def __init__(self, db: CloudDB, now: Callable[[], datetime], key: Callable[[], bytes]) -> None:
        self.db = db
        self.now = now
        self._key = key

    def key(self) -> bytes:
        # its own key, derived from the cloud's session key: a member's session cookie
        # (pages/visitor.py) never verifies as a console one
        return hmac.new(self._key(), b"guitai-console-session", hashlib.sha256).digest()

    def cookie_value(self, session: Session) -> str:
        exp = int(datetime.fromisoformat(session.expires_at.replace("Z", "+00:00")).timestamp())
        body = f"{session.sid}.{exp}"
        sig = hmac.new(self.key(), body.encode(), hashlib.sha256).hexdigest()
        return f"{body}.{sig}"

    def start(self, username: str, replaces: str | None = None) -> Session:
        """A new session for `username`; the session of cookie `replaces` (if any) ends."""
        now = self.now()
        session = Session(
            secrets.token_urlsafe(32), username, secrets.token_urlsafe(32), _now_iso(now + LIFETIME)
        )
        with self.db.tx() as tx:
            if replaces:
                old = self._sid(replaces)
                if old:
                    tx.execute("DELETE FROM console_sessions WHERE sid_hash = ?", (_hash(old),))
            tx.execute("DELETE FROM console_sessions WHERE expires_at < ?", (_now_iso(now),))
            tx.execute(
                "INSERT INTO console_sessions(sid_hash, username, csrf, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (_hash(session.sid), username, session.csrf, _now_iso(now), session.expires_at),
            )
        return session

    def _sid(self, cookie: str) -> str | None:
        """The session id of a cookie whose signature holds and whose expiry is ahead."""
        parts = cookie.split(".")
        if len(parts) != 3:
            return None
        sid, exp, sig = parts
        good = hmac.new(self.key(), f"{sid}.{exp}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sig, good) or not exp.isdigit():
            return None
        if int(exp) <= self.now().timestamp():
            return None
        return sid

    def read(self, cookie: str | None) -> Session | None:
        sid = self._sid(cookie or "")
        if sid is None:
            return None
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT username, csrf, expires_at FROM console_sessions WHERE sid_hash = ?",
                (_hash(sid),),
            ).fetchone()
        if row is None or str(row[2]) <= _now_iso(self.now()):
            return None
        return Session(sid, str(row[0]), str(row[1]), str(row[2]))

    def end(self, cookie: str | None) -> None:
        sid = self._sid(cookie or "")
        if sid:
            with self.db.tx() as tx:
                tx.execute("DELETE FROM console_sessions WHERE sid_hash = ?", (_hash(sid),))
