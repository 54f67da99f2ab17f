"""The official account's web authorization (网页授权) with scope snsapi_base, as WeChat does it
(developers.weixin.qq.com, 公众号 → 网页开发 → 网页授权, 换取用户授权凭证):

- `GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state`
  (`#wechat_redirect` is a fragment: the browser never sends it) → 302 to
  `redirect_uri?code=CODE&state=STATE`.  snsapi_base asks the user nothing.  A code is for one
  exchange and lives 5 minutes.  A wrong appid, scope or a missing redirect_uri gets WeChat's
  error page (HTTP 200, the errcode in the text), not a redirect.
- `GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code` →
  `{"access_token", "expires_in": 7200, "refresh_token", "openid", "scope"}`; errors with
  HTTP 200: 40029 invalid code (unknown or expired), 40163 code been used, 40013 appid,
  40125 appsecret, 40002 grant_type.

Who is browsing is the test's choice (`POST /test/browse {"openid"}`): every later authorize
is that WeChat user, so the same openid can scan a follow code and join.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

CODE_TTL_S = 300  # WeChat: a code unused for 5 minutes expires
WEB_TOKEN_TTL_S = 7200
SCOPES = ("snsapi_base", "snsapi_userinfo")

# WeChat takes `state` as a-zA-Z0-9, at most 128 bytes [W21]; what it does with any other is
# not documented (truncation or an error), so the emulator refuses it outright: a cloud that
# passes it here would fail in front of a real customer.
STATE = re.compile(r"[A-Za-z0-9]{0,128}")
STATE_REFUSED = 0  # no documented code: the page says what is wrong instead

ERRORS = {
    STATE_REFUSED: "state参数错误：只能是a-zA-Z0-9，最多128字节 (state must be a-zA-Z0-9, ≤128 bytes)",
    10005: "此公众号并没有这些scope的权限",
    10010: "scope不能为空",
    10011: "redirect_uri不能为空",
    10012: "appid不能为空",
    10016: "appid参数错误",
    40002: "invalid grant_type",
    40013: "invalid appid",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
}


@dataclass
class Code:
    openid: str
    scope: str
    expires_at: float
    used: bool = False


class WebAuth:
    """Codes handed out by the authorize page and exchanged once for the visitor's openid."""

    def __init__(self, appid: str, secret: str, clock: Callable[[], float]) -> None:
        self.appid, self._secret, self.clock = appid, secret, clock
        self.lock = threading.Lock()
        self.codes: dict[str, Code] = {}
        # one WeChat user browses until a test says another does
        self.visitor = "o" + secrets.token_urlsafe(20)
        self.authorizations = 0
        self.exchanges = 0

    def browse(self, openid: str) -> None:
        with self.lock:
            self.visitor = openid

    def authorize(self, query: dict[str, str]) -> tuple[int, str, bytes, str]:
        """(status, content type, body, Location): the redirect back, or WeChat's error page."""
        appid, scope, back = (
            query.get("appid", ""),
            query.get("scope", ""),
            query.get("redirect_uri", ""),
        )
        refused = (
            10012 if not appid
            else 10016 if appid != self.appid
            else 10011 if not back or urlsplit(back).scheme not in ("http", "https")
            else 10010 if not scope
            else 10005 if scope not in SCOPES or query.get("response_type") != "code"
            else STATE_REFUSED if not STATE.fullmatch(query.get("state", ""))
            else None
        )  # fmt: skip
        if refused is not None:
            page = (
                "<!DOCTYPE html><html><head><meta charset='utf-8'><title>微信</title></head>"
                f"<body><p>Oops! Something went wrong:(</p><p>{f'{refused} ' if refused else ''}"
                f"{html.escape(ERRORS[refused])}</p></body></html>"
            )
            return 200, "text/html; charset=utf-8", page.encode(), ""
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.authorizations += 1
            self.codes[code] = Code(self.visitor, scope, self.clock() + CODE_TTL_S)
        sep = "&" if "?" in back else "?"
        where = back + sep + urlencode({"code": code, "state": query.get("state", "")})
        return 302, "text/html; charset=utf-8", b"", where

    def exchange(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("appid") != self.appid:
            return _err(40013)
        if not secrets.compare_digest(query.get("secret", ""), self._secret):
            return _err(40125)
        if query.get("grant_type") != "authorization_code":
            return _err(40002)
        with self.lock:
            self.exchanges += 1
            found = self.codes.get(query.get("code", ""))
            if found is None or found.expires_at <= self.clock():
                return _err(40029)
            if found.used:
                return _err(40163)
            found.used = True
        return {
            "access_token": secrets.token_urlsafe(48),
            "expires_in": WEB_TOKEN_TTL_S,
            "refresh_token": secrets.token_urlsafe(48),
            "openid": found.openid,
            "scope": found.scope,
        }


def _err(code: int) -> dict[str, Any]:
    return {"errcode": code, "errmsg": ERRORS[code]}


__all__ = ["CODE_TTL_S", "WebAuth"]
