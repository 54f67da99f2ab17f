"""The associate's session: a cookie `gt_associate` holding their name and an expiry, signed
with HMAC-SHA256 under a key derived from the cloud's session key (pages/visitor.py), so a
member's session is never an associate's.  Forms carry a CSRF token bound to the session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

COOKIE = "gt_associate"
MAX_AGE_S = 12 * 3600  # a working day


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive(session_key: bytes) -> bytes:
    return hmac.new(session_key, b"guitai-associate-session", hashlib.sha256).digest()


def make(key: bytes, name: str, now_s: float, max_age_s: int = MAX_AGE_S) -> str:
    body = {"a": name, "exp": int(now_s) + max_age_s}
    data = _b64(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{data}.{_b64(hmac.new(key, data.encode(), hashlib.sha256).digest())}"


def read(key: bytes, cookie: str, now_s: float) -> str | None:
    """The associate's name of a valid, unexpired cookie, else None."""
    data, _, mac = cookie.partition(".")
    if not data or not mac or len(cookie) > 2048:
        return None
    want = _b64(hmac.new(key, data.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(want, mac):
        return None
    try:
        body: Any = json.loads(_unb64(data))
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("exp"), int) or body["exp"] <= now_s:
        return None
    name = body.get("a")
    return name if isinstance(name, str) and name else None


def csrf(key: bytes, cookie: str) -> str:
    """The token a form of this session carries (the sign-in form: bound to the pre-session
    cookie instead)."""
    return _b64(hmac.new(key, b"csrf\n" + cookie.encode(), hashlib.sha256).digest())[:32]


def csrf_ok(key: bytes, cookie: str, token: str) -> bool:
    return bool(cookie) and hmac.compare_digest(csrf(key, cookie), token or "")
