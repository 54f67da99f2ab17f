"""The e-receipt page's join calls: the join page (GET /r/{token}/join), a code by SMS
(POST /r/{token}/join/code) and joining (POST /r/{token}/join), which signs the member in
(pages/visitor.py) and claims the receipt's points (members/claims.py)."""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Path, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .api_docs import CRASH, ERROR, CloudAPI, errors, request_body
from .common import ApiError, load_json
from .ereceipt import CloudConfig
from .errors import not_a_receipt_page
from .join_models import JoinCodeRequest, JoinCodeSent, JoinRequest, JoinResult
from .members.join import CODE_TTL, PHONE_LIMITS
from .pages.join_page import join_page
from .pages.visitor import SESSION_COOKIE, SESSION_MAX_AGE_S, Visitor, read_visitor, session_cookie
from .receipt_verdict import lookup_token
from .service import CloudService
from .sms import SmsSender
from .wechat_oauth import WechatOAuth, in_wechat, read_state, return_path, sign_state

log = logging.getLogger(__name__)

Token = Annotated[str, Path(description="the e-receipt token printed in the QR code")]
MAX_BODY = 4096

BAD_TOKEN = {404: "bad_token: not an e-receipt token"}
TOO_LARGE = {
    413: "too_large: a body over 4 KiB",
    415: "json_required: the body is not sent as application/json",
}


def _key(request: Request) -> bytes:
    key: bytes = request.app.state.session_key()
    return key


def visitor(request: Request) -> Visitor:
    """Who is looking, from the signed session cookie (pages/visitor.py)."""
    return read_visitor(request, _key(request), time.time())


def set_session(response: Response, request: Request, who: Visitor) -> None:
    """Sign the member in: HttpOnly, SameSite=Lax, Secure on https, 30 days."""
    fields = {"openid": who.openid or "", "member_id": who.member_id or ""}
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie(_key(request), fields, time.time()),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


async def _body(request: Request, expected: str) -> dict[str, Any]:
    # JSON only: a cross-site HTML form cannot send it without the browser asking first
    # (CORS preflight), so another site cannot submit a join in a visitor's browser.
    raw = await request.body()
    if not raw:
        raise ApiError(400, "bad_request", f"Send {expected}", "请求格式有误")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError(
            415, "json_required", "Send the body as application/json", "请求格式须为 JSON"
        )
    if len(raw) > MAX_BODY:
        raise ApiError(413, "too_large", "The body is over 4 KiB", "请求内容过长")
    data = load_json(raw, "bad_request", expected)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", f"Send {expected}", "请求格式有误")
    return data


def oauth_from_config(cfg: CloudConfig) -> WechatOAuth | None:
    if not (cfg.wechat_mp_url and cfg.wechat_appid and cfg.wechat_secret):
        return None
    return WechatOAuth(cfg.wechat_mp_url, cfg.wechat_appid, cfg.wechat_secret)


def add_join_routes(
    app: CloudAPI, service: CloudService, cfg: CloudConfig, sms: SmsSender | None
) -> None:
    oauth = oauth_from_config(cfg)

    def lookup(token: str) -> dict[str, Any]:
        found = lookup_token(service.receipts, token)
        found["token"] = token
        return found

    @app.post(
        "/r/{token}/join/code",
        summary="Send a 6-digit code to the phone by SMS (valid 5 minutes; limited per phone "
        "and per client address)",
        response_model=JoinCodeSent,
        responses={
            **errors(
                {
                    400: "bad_phone, bad_request",
                    404: "bad_token: not an e-receipt token; sms_off: no SMS provider is "
                    "configured (`guitai cloud serve --sms-url`)",
                    **TOO_LARGE,
                    429: "too_many_codes: one a minute and 5 an hour per phone, 20 an hour "
                    "per client address; the message says when to try again",
                    503: "sms_unavailable, sms_refused: the SMS provider did not send it",
                }
            ),
            **CRASH,
        },
        openapi_extra=request_body(JoinCodeRequest),
    )
    async def join_code(request: Request, token: Token) -> Response:
        body = await _body(request, '{"phone": "13800138000"}')
        await run_in_threadpool(lookup, token)  # a bad token: 404 before anything is sent
        if sms is None:  # as /wechat/push without its token: this cloud does not offer it
            raise ApiError(
                404,
                "sms_off",
                "Joining by SMS is not set up on this cloud: join at the store's till",
                "暂未开通短信验证，请在门店收银台报手机号加入会员",
            )
        address = request.client.host if request.client else ""
        phone, code = await run_in_threadpool(service.joining.new_code, body.get("phone"), address)
        try:
            await run_in_threadpool(sms.send, phone, {"code": code})
        except ApiError:
            await run_in_threadpool(service.joining.forget_code, phone)
            raise
        return JSONResponse(
            {
                "sent": True,
                "expires_in_s": int(CODE_TTL.total_seconds()),
                "resend_after_s": PHONE_LIMITS[0][0],
            }
        )

    async def join_form(request: Request, token: str) -> Response:
        try:
            found = await run_in_threadpool(lookup, token)
        except ApiError:
            return not_a_receipt_page(cfg, request)
        if (
            oauth is not None
            and in_wechat(request.headers.get("user-agent", ""))
            and request.query_params.get("wx") != "0"  # the sign-in failed once: no loop
            and visitor(request).openid is None
        ):
            # snsapi_base: WeChat tells who the visitor is without asking them anything
            state = sign_state(_key(request), return_path(token))
            back = cfg.public_url.rstrip("/") + "/wx/oauth?" + urlencode({"r": token})
            return RedirectResponse(oauth.authorize_url(back, state), status_code=302)
        dev, f = found["device"], found["fields"]
        points, why = await run_in_threadpool(service.joining.preview, found)
        store = str(dev["store_name"] if dev else "")
        return HTMLResponse(join_page(cfg.brand_name, store, token, f.total_fen, points, why))

    async def join(request: Request, token: str) -> Response:
        body = await _body(request, '{"phone", "code", "consent": true}')
        found = await run_in_threadpool(lookup, token)
        who = visitor(request)
        joined = await run_in_threadpool(service.joining.join, body, found, who.openid)
        resp = JSONResponse(
            {
                "member_id": joined.member_id,
                "points_credited": joined.points_credited,
                "new_member": joined.new,
                "claim": joined.claim,
            }
        )
        set_session(resp, request, Visitor(openid=who.openid, member_id=joined.member_id))
        return resp

    body_doc = request_body(JoinRequest, description="POST: the join; GET: none")
    body_doc["requestBody"]["required"] = False

    # One route for both methods (as /wechat/push): with two, a PUT matched the GET route
    # first and its 405 named only GET in `Allow`.
    @app.api_route(
        "/r/{token}/join",
        methods=["GET", "POST"],
        summary="GET: the join page (phone, SMS code, consent; mobile first). POST: join with "
        "the SMS code (or sign in: one phone is one member), claim this receipt's points once "
        "and set the member session cookie",
        responses={
            302: {
                "description": "GET inside WeChat (with the official account configured) "
                "before the visitor's openid is known: to WeChat's snsapi_base authorization"
            },
            200: {
                "description": "GET: the HTML page; POST: the member and the points credited",
                "model": JoinResult,
                "content": {"text/html": {"schema": {"type": "string"}}},
            },
            **errors(
                {
                    400: "GET with a body: bad_request. POST: bad_request, bad_phone, bad_code, wrong_code (tries left in "
                    "the message), no_code, consent_required, bad_name, bad_birthday",
                    410: "POST: code_expired",
                    **TOO_LARGE,
                    429: "POST: code_locked: 5 wrong tries; ask for a new code",
                }
            ),
            404: {
                "description": "bad_token: GET from a browser gets an HTML page, else the "
                "error body",
                "content": {
                    "text/html": {"schema": {"type": "string"}},
                    "application/json": {"schema": ERROR},
                },
            },
            **CRASH,
        },
        openapi_extra=body_doc,
    )
    async def join_endpoint(request: Request, token: Token) -> Response:
        if request.method == "POST":
            return await join(request, token)
        if await request.body():
            raise ApiError(400, "bad_request", "GET takes no body", "请求格式有误")
        return await join_form(request, token)

    @app.get(
        "/wx/oauth",
        summary="WeChat's snsapi_base authorization comes back here: the code is exchanged "
        "for the visitor's openid, kept in the session cookie, and the browser returns to the "
        "join page",
        response_class=RedirectResponse,
        status_code=302,
        responses={
            302: {"description": "back to the join page (state), the openid in the session"},
            **errors(
                {
                    400: "bad_state: not a state this cloud signed; wechat_refused",
                    404: "oauth_off: no official account configured",
                    502: "wechat_unavailable: WeChat did not answer",
                }
            ),
            **CRASH,
        },
    )
    async def wx_oauth(
        request: Request,
        code: Annotated[str, Query(max_length=512)] = "",
        state: Annotated[str, Query(max_length=512)] = "",
        r: Annotated[str, Query(max_length=200)] = "",
    ) -> Response:
        if oauth is None:
            raise ApiError(
                404,
                "oauth_off",
                "No WeChat official account is configured on this cloud",
                "未配置微信公众号",
            )
        path = read_state(_key(request), r, state)
        if path is None:
            raise ApiError(
                400, "bad_state", "Open the page from the receipt again", "请重新扫码打开页面"
            )
        if not code:  # the user declined (snsapi_base never asks, but WeChat may say no)
            return RedirectResponse(path + "?wx=0", status_code=302)
        try:
            openid = await run_in_threadpool(oauth.openid, code)
        except ApiError:
            log.warning("WeChat OAuth failed; the page is shown without the openid")
            return RedirectResponse(path + "?wx=0", status_code=302)
        member = visitor(request).member_id or await run_in_threadpool(
            service.joining.member_of_openid, openid
        )
        resp = RedirectResponse(path, status_code=302)
        set_session(resp, request, Visitor(openid=openid, member_id=member))
        return resp
