"""A WeChat official account (公众号) on loopback: `guitai emulate wechat-mp --port N …`.

It answers the three calls of WeChat's server API that the cloud's follow QR codes use, in
their documented shapes (developers.weixin.qq.com, 公众号 → 获取 Access token, 生成带参数的
二维码, 通过 ticket 换取二维码):

- `GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…` →
  `{"access_token", "expires_in": 7200}`; a wrong appid is errcode 40013, a wrong secret
  40125 (WeChat's JSON errors come with HTTP 200).
- `POST /cgi-bin/qrcode/create?access_token=…` with `{"expire_seconds", "action_name":
  "QR_STR_SCENE", "action_info": {"scene": {"scene_str"}}}` → `{"ticket", "expire_seconds",
  "url"}`; an access token this account never issued is 40001, an expired one 42001.
- `GET /cgi-bin/showqrcode?ticket=…` → the QR image (PNG) of the ticket's `url`.

And, for tests and automation only, `POST /test/scan` `{"ticket", "openid"}`: a user scans
the ticket's code in WeChat.  Like WeChat, the account then POSTs a signed event to its server
URL (`--push-url`): `subscribe` with `EventKey` `qrscene_<scene_str>` for a user who did not
follow yet, `SCAN` with `EventKey` `<scene_str>` for one who does.  The signature is WeChat's:
SHA-1 of the sorted token, timestamp and nonce.  `"retries": N` sends the same push N more
times (same CreateTime), as WeChat does when the server is slow to answer.
`POST /test/expire-tokens` ends every access token now (the next call gets 42001).

Web authorization (snsapi_base: `/connect/oauth2/authorize`, `/sns/oauth2/access_token`) is
in oauth.py; `POST /test/browse {"openid"}` says which WeChat user is browsing.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ..common.http_emulator import LoopbackServer, Reply
from .oauth import WebAuth

log = logging.getLogger(__name__)

TOKEN_LIFETIME_S = 7200  # WeChat's access_token lives two hours
MAX_EXPIRE_S = 2_592_000  # a temporary QR code lives at most 30 days
DEFAULT_EXPIRE_S = 60
MAX_SCENE_STR = 64
MAX_OPENID = 64
SECRET_IN_QUERY = re.compile(r"(secret=)[^&\s\"']+")

ERRORS = {
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40013: "invalid appid",
    40125: "invalid appsecret",
    42001: "access_token expired",
    44002: "empty post data",
    47001: "data format error",
    40053: "invalid action info",
    40037: "invalid template_id",
    43004: "require subscribe",
}


def push_signature(token: str, timestamp: str, nonce: str) -> str:
    """WeChat's server-URL signature: SHA-1 of the sorted, concatenated token, timestamp and
    nonce (the same rule /wechat/push checks)."""
    return hashlib.sha1("".join(sorted((token, timestamp, nonce))).encode()).hexdigest()


def push_xml(
    to_user: str, openid: str, create_time: int, event: str, event_key: str, ticket: str
) -> bytes:
    fields = [
        ("ToUserName", to_user),
        ("FromUserName", openid),
        ("CreateTime", str(create_time)),
        ("MsgType", "event"),
        ("Event", event),
        ("EventKey", event_key),
        ("Ticket", ticket),
    ]
    inner = "".join(
        f"<{k}>{v}</{k}>" if k == "CreateTime" else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields
    )
    return f"<xml>{inner}</xml>".encode()


@dataclass
class Ticket:
    scene_str: str
    url: str
    expires_at: float


class WechatMpEmulator(LoopbackServer):
    """The official account's API on a threaded HTTP server; `url` once constructed."""

    name = "wechat-mp-emulator"
    max_body = 1 << 16

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        appid: str,
        secret: str,
        token: str,
        push_url: str = "",
        original_id: str = "gh_guitai000001",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.appid, self._secret, self._token = appid, secret, token
        self.push_url = push_url
        self.original_id = original_id
        self.clock = clock
        self.lock = threading.Lock()
        self.tokens: dict[str, float] = {}  # access_token → expires at
        self.tickets: dict[str, Ticket] = {}
        self.followers: set[str] = set()
        self.token_requests = 0
        self.qrcode_creates = 0
        self.pushes: list[dict[str, Any]] = []
        self.template_messages: list[dict[str, Any]] = []  # template/send, as received
        self.requests: Counter[str] = Counter()  # path → requests, answered or refused
        self.web_auth = WebAuth(appid, secret, clock)
        super().__init__(host, port)

    def log_text(self, line: str) -> str:
        # the token call carries the AppSecret in its query: never in a log
        return SECRET_IN_QUERY.sub(r"\1***", line)

    def handle(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> Reply:
        status, ctype, content, where = self.serve(method, target, body)
        return status, ctype, content, ({"Location": where} if where else {})

    # ---- the API ---------------------------------------------------------------------------

    def serve(self, method: str, target: str, body: bytes) -> tuple[int, str, bytes, str]:
        """(status, content type, body, Location): the authorize page is the one answer that
        sends the browser somewhere else."""
        parts = urlsplit(target)
        if (method, parts.path) == ("GET", "/connect/oauth2/authorize"):
            with self.lock:
                self.requests[parts.path] += 1
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            return self.web_auth.authorize(query)
        return (*self.answer(method, target, body), "")

    def answer(self, method: str, target: str, body: bytes) -> tuple[int, str, bytes]:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = (method, parts.path)
        with self.lock:
            self.requests[parts.path] += 1
        if route == ("GET", "/cgi-bin/token"):
            return _json(self.issue_token(query))
        if route == ("POST", "/cgi-bin/qrcode/create"):
            return _json(self.create_qrcode(query.get("access_token", ""), body))
        if route == ("POST", "/cgi-bin/message/template/send"):
            return _json(self.send_template(query.get("access_token", ""), body))
        if route == ("GET", "/cgi-bin/showqrcode"):
            return self.show_qrcode(query.get("ticket", ""))
        if route == ("GET", "/sns/oauth2/access_token"):
            return _json(self.web_auth.exchange(query))
        if route == ("POST", "/test/browse"):
            return self.test_browse(body)
        if route == ("POST", "/test/scan"):
            return self.test_scan(body)
        if route == ("POST", "/test/expire-tokens"):
            with self.lock:
                self.tokens = dict.fromkeys(self.tokens, 0.0)
            return _json({"expired": len(self.tokens)})
        return (
            404,
            "application/json",
            json.dumps({"errcode": 404, "errmsg": "no such API"}).encode(),
        )

    def issue_token(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("grant_type") != "client_credential":
            return _err(40002)
        if query.get("appid") != self.appid:
            return _err(40013)
        if not secrets.compare_digest(query.get("secret", ""), self._secret):
            return _err(40125)
        token = secrets.token_urlsafe(48)
        with self.lock:
            self.token_requests += 1
            self.tokens[token] = self.clock() + TOKEN_LIFETIME_S
        return {"access_token": token, "expires_in": TOKEN_LIFETIME_S}

    def _check_token(self, token: str) -> dict[str, Any] | None:
        with self.lock:
            expires = self.tokens.get(token)
        if expires is None:
            return _err(40001)
        if expires <= self.clock():
            return _err(42001)
        return None

    def create_qrcode(self, access_token: str, body: bytes) -> dict[str, Any]:
        refused = self._check_token(access_token)
        if refused is not None:
            return refused
        if not body:
            return _err(44002)
        try:
            req = json.loads(body)
            action = req["action_name"]
            scene = req["action_info"]["scene"]
        except (ValueError, KeyError, TypeError):
            return _err(47001)
        if action != "QR_STR_SCENE" or not isinstance(scene, dict):
            return _err(40053)
        scene_str = scene.get("scene_str")
        if not isinstance(scene_str, str) or not 1 <= len(scene_str) <= MAX_SCENE_STR:
            return _err(40053)
        expire = req.get("expire_seconds", DEFAULT_EXPIRE_S)
        if not isinstance(expire, int) or expire <= 0:
            expire = DEFAULT_EXPIRE_S
        expire = min(expire, MAX_EXPIRE_S)
        ticket = "gQ" + secrets.token_urlsafe(40)
        url = "http://weixin.qq.com/q/" + secrets.token_urlsafe(16)
        with self.lock:
            self.qrcode_creates += 1
            self.tickets[ticket] = Ticket(scene_str, url, self.clock() + expire)
        return {"ticket": ticket, "expire_seconds": expire, "url": url}

    def send_template(self, access_token: str, body: bytes) -> dict[str, Any]:
        """模板消息 (template message): only to a follower (43004 otherwise, as WeChat), with
        a template id (40037) and a data object (47001)."""
        refused = self._check_token(access_token)
        if refused is not None:
            return refused
        try:
            req = json.loads(body)
            touser, template, data = req["touser"], req["template_id"], req["data"]
        except (ValueError, KeyError, TypeError):
            return _err(47001)
        if not isinstance(template, str) or not template:
            return _err(40037)
        if not isinstance(data, dict):
            return _err(47001)
        with self.lock:
            if touser not in self.followers:
                return _err(43004)
            self.template_messages.append(req)
            msgid = 200_000_000 + len(self.template_messages)
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def show_qrcode(self, ticket: str) -> tuple[int, str, bytes]:
        with self.lock:
            found = self.tickets.get(ticket)
        if found is None or found.expires_at <= self.clock():
            return 404, "text/plain; charset=utf-8", b"ticket not found or expired"
        import qrcode

        buf = io.BytesIO()
        qrcode.make(found.url, box_size=6, border=2).save(buf)
        return 200, "image/png", buf.getvalue()

    # ---- the test hook: a user scans a ticket's code ----------------------------------------

    def test_scan(self, body: bytes) -> tuple[int, str, bytes]:
        try:
            req = json.loads(body or b"{}")
            ticket = str(req["ticket"])
        except (ValueError, KeyError, TypeError):
            return 400, "application/json", b'{"error": "send {\\"ticket\\": \\"...\\"}"}'
        openid = str(req.get("openid") or "o" + secrets.token_urlsafe(20))
        retries = max(0, min(int(req.get("retries", 0)), 3))
        with self.lock:
            found = self.tickets.get(ticket)
            if found is None or found.expires_at <= self.clock():
                return 404, "application/json", b'{"error": "ticket not found or expired"}'
            following = openid in self.followers
            self.followers.add(openid)
        if following:  # a follower who scans: SCAN, the key without the qrscene_ prefix
            event, key = "SCAN", found.scene_str
        else:
            event, key = "subscribe", "qrscene_" + found.scene_str
        created = int(self.clock())
        xml = push_xml(self.original_id, openid, created, event, key, ticket)
        answers = [self.push(xml) for _ in range(1 + retries)]
        return _json({"openid": openid, "event": event, "event_key": key, "answers": answers})

    def test_browse(self, body: bytes) -> tuple[int, str, bytes]:
        """The WeChat user whose browser the next authorize pages see."""
        try:
            openid = json.loads(body or b"{}")["openid"]
        except (ValueError, KeyError, TypeError):
            openid = None
        if not isinstance(openid, str) or not 1 <= len(openid) <= MAX_OPENID:
            return 400, "application/json", b'{"error": "send {\\"openid\\": \\"...\\"}"}'
        self.web_auth.browse(openid)
        return _json({"openid": openid})

    def push(self, xml: bytes) -> dict[str, Any]:
        """POST one signed push to the server URL, as WeChat does; its answer for the test."""
        if not self.push_url:
            return {"status": None, "body": "no --push-url"}
        timestamp, nonce = str(int(self.clock())), str(secrets.randbelow(10**9))
        query = urlencode(
            {
                "signature": push_signature(self._token, timestamp, nonce),
                "timestamp": timestamp,
                "nonce": nonce,
            }
        )
        sep = "&" if "?" in self.push_url else "?"
        req = urllib.request.Request(
            self.push_url + sep + query,
            data=xml,
            method="POST",
            headers={"Content-Type": "text/xml"},
        )
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:  # WeChat waits 5 s
                answer = {"status": resp.status, "body": resp.read(1024).decode("utf-8", "replace")}
        except urllib.error.HTTPError as err:
            answer = {"status": err.code, "body": err.read(1024).decode("utf-8", "replace")}
        except OSError as err:
            answer = {"status": None, "body": str(err)}
        with self.lock:
            self.pushes.append(answer)
        return answer


def _err(code: int) -> dict[str, Any]:
    return {"errcode": code, "errmsg": ERRORS[code]}


def _json(data: dict[str, Any]) -> tuple[int, str, bytes]:
    # WeChat answers its JSON errors with HTTP 200 as well
    return 200, "application/json; charset=utf-8", json.dumps(data).encode()


__all__ = ["WechatMpEmulator", "push_signature", "push_xml"]
