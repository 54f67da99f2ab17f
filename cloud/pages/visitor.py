"""Who is looking at a public page: the signed session cookie `gt_session`.

A session is a few fields (`openid`: the WeChat user, learned through OAuth snsapi_base;
`member_id`: set once the member proved who they are, e.g. by an SMS code) and an expiry,
signed with HMAC-SHA256 under the cloud's session key.  Nothing personal goes into a URL,
and a cookie that is altered, expired or signed under another key is no session at all: the
visitor is then a stranger.  `read_visitor` is the one way the pages learn who is looking;
`session_cookie` is how a flow that learned it (the join flow, OAuth) writes it.

The session key: GUITAI_CLOUD_SESSION_SECRET when set (the same on every worker), else a
random key made once per database and kept in `cloud_secrets`, so several workers on one
database agree without configuration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from ..common import _now_iso
from ..db import CloudDB, Tx

SESSION_COOKIE = "gt_session"
SESSION_MAX_AGE_S = 30 * 24 * 3600
SECRET_ENV = "GUITAI_CLOUD_SESSION_SECRET"
_FIELDS = ("openid", "member_id")


@dataclass(frozen=True)
class Visitor:
    openid: str | None = None
    member_id: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def session_key(db: CloudDB) -> bytes:
    """The key sessions are signed with (see the module's docstring)."""
    with db.tx() as tx:
        return session_key_in(tx)


def session_key_in(tx: Tx) -> bytes:
    """session_key in the caller's transaction (the e-receipt page reads it in its one
    transaction, the first time a worker shows a page)."""
    configured = os.environ.get(SECRET_ENV, "")
    if configured:
        return hashlib.sha256(b"guitai-session\n" + configured.encode()).digest()
    row = tx.execute("SELECT value FROM cloud_secrets WHERE name = 'session_key'").fetchone()
    if row is None:  # made once per database; the first of two workers to insert wins
        tx.execute(
            "INSERT INTO cloud_secrets(name, value, at) VALUES ('session_key', ?, ?) "
            "ON CONFLICT DO NOTHING",
            (secrets.token_hex(32), _now_iso(datetime.now(UTC))),
        )
        row = tx.execute("SELECT value FROM cloud_secrets WHERE name = 'session_key'").fetchone()
    return bytes.fromhex(str(row[0]))


def session_cookie(
    key: bytes, fields: dict[str, str], now_s: float, max_age_s: int = SESSION_MAX_AGE_S
) -> str:
    """The cookie value of a session holding `fields` (openid, member_id) until now + max age."""
    body = {k: v for k, v in fields.items() if k in _FIELDS and v} | {"exp": int(now_s) + max_age_s}
    data = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    mac = _b64(hmac.new(key, data.encode(), hashlib.sha256).digest())
    return f"{data}.{mac}"


def read_session(key: bytes, cookie: str, now_s: float) -> dict[str, Any] | None:
    """The fields of a valid, unexpired session cookie, else None."""
    data, _, mac = cookie.partition(".")
    if not data or not mac or len(cookie) > 4096:
        return None
    want = _b64(hmac.new(key, data.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(want, mac):
        return None
    try:
        body = json.loads(_unb64(data))
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("exp"), int) or body["exp"] <= now_s:
        return None
    return body


def read_visitor(request: Request, key: bytes, now_s: float) -> Visitor:
    """Who is looking: the session's openid and member, or a stranger (Visitor())."""
    body = read_session(key, request.cookies.get(SESSION_COOKIE, ""), now_s)
    if body is None:
        return Visitor()
    openid, member = body.get("openid"), body.get("member_id")
    return Visitor(
        openid=openid if isinstance(openid, str) and openid else None,
        member_id=member if isinstance(member, str) and member else None,
    )
