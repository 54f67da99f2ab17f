"""WeChat web authorization with scope snsapi_base (网页授权, silent): inside WeChat's browser
the join page learns the visitor's openid, so the follow and the membership are one person.

1. A page opened in WeChat (User-Agent MicroMessenger) by a visitor without an openid in
   their session is redirected to `connect/oauth2/authorize?appid&redirect_uri&
   response_type=code&scope=snsapi_base&state#wechat_redirect`; snsapi_base asks the user
   nothing.
2. WeChat sends the browser back to `/wx/oauth?code&state`; the cloud exchanges the code at
   `sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code` for
   {"openid", "access_token", "expires_in", "scope"} (or {"errcode", "errmsg"}), stores the
   openid in the signed session cookie (pages/visitor.py) and returns to the page.

The authorize page is WeChat's open.weixin.qq.com and the exchange api.weixin.qq.com; the
cloud reaches both under `wechat_mp_url` (the official-account setting of `guitai cloud
serve`), so the WeChat emulator can stand for both.  The page to return to travels in the
redirect_uri (`/wx/oauth?r=TOKEN`) and `state` is its signature (HMAC with the session key),
so the callback cannot be made to redirect anywhere else, and the openid never appears in a
URL.  WeChat takes `state` only as a-zA-Z0-9 of at most 128 bytes [W21 in the shared
reference cn-integrations.md]: a path with its MAC (`/r/…/join~…`, ~170 bytes) does not fit,
hence the hex signature alone."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import httpx

from .common import ApiError

# Where the callback may send the browser back to: this cloud's own join page.
RETURN_PATH = re.compile(r"/r/[A-Za-z0-9]{1,200}/join")
TIMEOUT_S = 5.0


def in_wechat(user_agent: str) -> bool:
    return "micromessenger" in user_agent.lower()


def return_path(token: str) -> str:
    return f"/r/{token}/join"


def sign_state(key: bytes, path: str) -> str:
    """32 hex digits (128 bits of HMAC): within WeChat's a-zA-Z0-9, 128-byte `state`."""
    return hmac.new(key, b"oauth-state\n" + path.encode(), hashlib.sha256).hexdigest()[:32]


def read_state(key: bytes, token: str, state: str) -> str | None:
    """The join page to return to, or None when `state` is not this cloud's signature of it."""
    path = return_path(token)
    if not RETURN_PATH.fullmatch(path) or not hmac.compare_digest(sign_state(key, path), state):
        return None
    return path


@dataclass(frozen=True)
class WechatOAuth:
    base_url: str  # the official account's API and authorize pages (or the emulator)
    appid: str
    secret: str

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = urlencode(
            {
                "appid": self.appid,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": "snsapi_base",
                "state": state,
            },
            quote_via=quote,
        )
        return f"{self.base_url.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"

    def openid(self, code: str) -> str:
        """Exchange the one-time code for the visitor's openid; ApiError when WeChat says no."""
        try:
            r = httpx.get(
                f"{self.base_url.rstrip('/')}/sns/oauth2/access_token",
                params={
                    "appid": self.appid,
                    "secret": self.secret,
                    "code": code,
                    "grant_type": "authorization_code",
                },
                timeout=TIMEOUT_S,
            )
            data = r.json()
        except (httpx.HTTPError, ValueError) as err:
            raise ApiError(
                502,
                "wechat_unavailable",
                "WeChat did not answer the sign-in; open the page again",
                "微信授权暂时无法完成，请重新打开页面",
            ) from err
        openid = data.get("openid") if isinstance(data, dict) else None
        if not isinstance(openid, str) or not openid:
            code_ = data.get("errcode") if isinstance(data, dict) else None
            raise ApiError(
                400,
                "wechat_refused",
                f"WeChat refused the sign-in (errcode {code_}); open the page again",
                f"微信授权失败（错误码 {code_}），请重新打开页面",
            )
        return openid
