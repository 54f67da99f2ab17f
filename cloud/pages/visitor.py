"""Who is looking at a page: `visitor(request) -> Visitor(openid, member_id)`.

A member session is a signed cookie (`gt_session`): base64url JSON {"m": member id, "o":
openid, "exp": unix seconds} + "." + base64url HMAC-SHA256 with the server secret
(site_secret.py).  HttpOnly, SameSite=Lax, Secure on https; expires after 30 days.  Nothing
personal is in a URL: the page learns who you are from this cookie only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "gt_session"
SESSION_MAX_AGE_S = 30 * 24 * 3600


@dataclass(frozen=True)
class Visitor:
    openid: str | None = None
    member_id: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_session(secret: bytes, who: Visitor, now_s: float, max_age_s: int) -> str:
    body = _b64(
        json.dumps(
            {"m": who.member_id, "o": who.openid, "exp": int(now_s) + max_age_s},
            separators=(",", ":"),
        ).encode()
    )
    mac = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def decode_session(secret: bytes, cookie: str, now_s: float) -> Visitor:
    """The session's visitor; an anonymous one for a forged, damaged or expired cookie."""
    body, _, mac = cookie.partition(".")
    try:
        good = hmac.compare_digest(
            _unb64(mac), hmac.new(secret, body.encode(), hashlib.sha256).digest()
        )
        data = json.loads(_unb64(body)) if good else None
    except ValueError:
        return Visitor()
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int) or data["exp"] <= now_s:
        return Visitor()
    m, o = data.get("m"), data.get("o")
    return Visitor(
        openid=o if isinstance(o, str) and o else None,
        member_id=m if isinstance(m, str) and m else None,
    )


def visitor(request: Request) -> Visitor:
    secret: bytes = request.app.state.session_secret
    return decode_session(secret, request.cookies.get(SESSION_COOKIE, ""), time.time())


def set_session(response: Response, request: Request, who: Visitor) -> None:
    secret: bytes = request.app.state.session_secret
    response.set_cookie(
        SESSION_COOKIE,
        encode_session(secret, who, time.time(), SESSION_MAX_AGE_S),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
