"""WeChat official-account message push (微信公众号 服务器配置): the brand's server URL.

A real follow happens in the official account, not on our page: when a customer follows the
account WeChat POSTs an XML event to the server URL configured in the account's admin
(开发 → 基本配置 → 服务器配置, plaintext mode 明文模式).  Facts we rely on, from WeChat's
official-account documentation ("接入指南", "接收事件推送"):

- Every request carries `signature`, `timestamp` and `nonce` in the query string; the
  signature is the hex SHA-1 of the token (set in the account's admin), the timestamp and the
  nonce, sorted as strings and concatenated.  The first configuration is a GET that also
  carries `echostr`, which must be answered verbatim.
- A follow is `<MsgType>event</MsgType><Event>subscribe</Event>`; from a parametric QR code
  `EventKey` is `qrscene_<scene>` (a user already following who scans gets `SCAN` instead,
  which is not a follow).  `FromUserName` is the user's OpenID, `CreateTime` an integer.
- WeChat retries a push it got no answer to within five seconds, three times; retries are told
  apart by FromUserName + CreateTime.  Answering `success` (or an empty body) ends it.

Our scenes: `r.<key id>.<receipt no>[.<store>.<associate>]` for a receipt (the e-receipt
page's own parametric QR code, made with `qrcode/create`, QR_STR_SCENE: cloud/follow_qr.py)
and `s.<id>` for a store's or an associate's code (`Funnel.wechat_scene`,
cloud/members/funnel.py).  `subscribe` and `SCAN` (sent only to a follower) record the user
as a follower, `unsubscribe` ends it (cloud/members/followers.py).  Encrypted (safe) mode
is not handled: the account must use plaintext mode for this reference server.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Mapping
from typing import Annotated, Any
from xml.etree import ElementTree

from fastapi import FastAPI, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .api_docs import CRASH, errors, request_body
from .errors import error

log = logging.getLogger(__name__)

MAX_PUSH_BYTES = 64 * 1024  # a push is a few hundred bytes
MAX_SKEW_S = 300  # a signed request older than this is a replay, not a retry (those are < 20 s)
SUBSCRIBE_PREFIX = "qrscene_"
# a follower scanning a code (not a new follow), and an unfollow: who follows, not counted
FOLLOWER_EVENTS = ("SCAN", "unsubscribe")


_REFUSAL_CODES = {
    400: "bad_push",
    403: "bad_push_signature",
    404: "wechat_not_configured",
    413: "push_too_large",
}


class PushRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = _REFUSAL_CODES.get(status, "push_refused")


def push_signature(token: str, timestamp: str, nonce: str) -> str:
    """WeChat's request signature: SHA-1 over the sorted, concatenated token, timestamp, nonce."""
    return hashlib.sha1("".join(sorted((token, timestamp, nonce))).encode()).hexdigest()


def check_push_signature(
    token: str, query: Mapping[str, str], now_s: float, max_skew_s: int = MAX_SKEW_S
) -> None:
    """Raise PushRefused unless the query's signature is WeChat's for our token and fresh."""
    signature = query.get("signature", "")
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not (signature and timestamp and nonce):
        raise PushRefused(403, "signature, timestamp and nonce are required")
    want = push_signature(token, timestamp, nonce)
    if not hmac.compare_digest(want, signature.lower()):
        raise PushRefused(403, "the signature does not match the token")
    if not timestamp.isdigit() or abs(now_s - int(timestamp)) > max_skew_s:
        raise PushRefused(403, "the timestamp is too far from now (a replayed request?)")


def parse_push(body: bytes) -> dict[str, str]:
    """The push's XML as {tag: text} (a flat document: <xml><Tag>text</Tag>…</xml>)."""
    if len(body) > MAX_PUSH_BYTES:
        raise PushRefused(413, "a push is at most 64 KiB")
    # WeChat never sends a DTD; refusing one keeps entity expansion out of the parser
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise PushRefused(400, "document type declarations are not accepted")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as err:
        raise PushRefused(400, f"not XML: {err}") from err
    if root.tag != "xml":
        raise PushRefused(400, "the push's root element is <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def follow_scene(msg: Mapping[str, str]) -> tuple[bool, str | None]:
    """(is a follow, the QR code's scene or None) for a parsed push."""
    if msg.get("MsgType") != "event" or msg.get("Event") != "subscribe":
        return False, None
    key = msg.get("EventKey", "")
    return True, key[len(SUBSCRIBE_PREFIX) :] if key.startswith(SUBSCRIBE_PREFIX) else None


Signed = Annotated[str, Query()]


def add_wechat_route(
    app: FastAPI, service: Any, token: Callable[[], str], path: str = "/wechat/push"
) -> None:
    """GET: the server URL handshake (echostr); POST: pushed messages and events.  Answers
    404 while no token is configured (GUITAI_WECHAT_TOKEN or CloudConfig.wechat_token)."""

    def verified(query: Mapping[str, str]) -> str:
        secret = token()
        if not secret:
            raise PushRefused(404, "WeChat push is not configured on this cloud")
        check_push_signature(secret, query, time.time())
        return secret

    async def handshake(query: Mapping[str, str], echostr: str) -> Response:
        try:
            verified(query)
        except PushRefused as r:
            return error(r.status, r.code, r.message)
        return PlainTextResponse(echostr)

    async def push(request: Request, query: Mapping[str, str]) -> Response:
        try:
            verified(query)
            body = bytearray()
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_PUSH_BYTES:
                    raise PushRefused(413, "a push is at most 64 KiB")
            msg = parse_push(bytes(body))
        except PushRefused as r:
            return error(r.status, r.code, r.message)
        is_follow, scene = follow_scene(msg)
        openid, created = msg.get("FromUserName", ""), msg.get("CreateTime", "")
        if is_follow and openid and created:
            result = await run_in_threadpool(
                service.members.funnel.wechat_subscribed, openid, created, scene
            )
            log.info("wechat follow %s scene %s: %s", openid, scene, result)
        elif msg.get("MsgType") == "event" and msg.get("Event") in FOLLOWER_EVENTS and openid:
            await run_in_threadpool(service.members.funnel.wechat_event, openid, msg["Event"])
        # "success": WeChat neither retries nor shows the user an error
        return PlainTextResponse("success")

    # One route for both methods: with two, a PUT matched the GET route first and its 405
    # named only GET in `Allow`.  So both operations share one description.
    @app.api_route(
        path,
        methods=["GET", "POST"],
        summary="WeChat official-account server URL (docs/members.md)",
        description="GET: the handshake, answers `echostr` verbatim when signature = "
        "sha1(sorted token, timestamp, nonce). POST: WeChat pushes (XML); a subscribe event "
        "from a Guitai QR scene (EventKey qrscene_r.<key id>.<receipt no> or "
        "qrscene_s.<id>) counts a follow in the funnel once per receipt or WeChat user.",
        response_class=PlainTextResponse,
        responses={
            200: {"description": "GET: echostr, verbatim; POST: success"},
            **errors(
                {
                    400: "bad_push: not a WeChat push",
                    403: "bad_push_signature: bad or stale signature",
                    404: "wechat_not_configured",
                    413: "push_too_large",
                }
            ),
            **CRASH,
        },
        openapi_extra=request_body(None, "text/xml", "POST: the push (XML); GET: none"),
    )
    async def endpoint(
        request: Request,
        signature: Annotated[str, Query(description="hex SHA-1")] = "",
        timestamp: Annotated[str, Query(description="Unix seconds")] = "",
        nonce: Signed = "",
        echostr: Annotated[str, Query(description="GET: the handshake's echo")] = "",
    ) -> Response:
        query = {"signature": signature, "timestamp": timestamp, "nonce": nonce}
        if request.method == "POST":
            return await push(request, query)
        return await handshake(query, echostr)
