"""The e-receipt page's join calls: the join page (GET /r/{token}/join), a code by SMS
(POST /r/{token}/join/code) and joining (POST /r/{token}/join), which signs the member in
(pages/visitor.py) and claims the receipt's points (members/claims.py)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from pos_app.domain.loyalty import LoyaltyRules, points_earned

from .api_docs import CRASH, ERROR, CloudAPI, errors, request_body
from .common import ApiError, load_json
from .ereceipt import CloudConfig
from .errors import not_a_receipt_page
from .join_models import JoinCodeRequest, JoinCodeSent, JoinRequest, JoinResult
from .members.join import CODE_TTL, PHONE_LIMITS
from .pages.join_page import join_page
from .pages.visitor import Visitor, set_session, visitor
from .receipt_verdict import lookup_token
from .service import CloudService
from .sms import SmsSender

log = logging.getLogger(__name__)

Token = Annotated[str, Path(description="the e-receipt token printed in the QR code")]
MAX_BODY = 4096

BAD_TOKEN = {404: "bad_token: not an e-receipt token"}
TOO_LARGE = {413: "too_large: a body over 4 KiB"}


async def _body(request: Request, expected: str) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ApiError(413, "too_large", "The body is over 4 KiB", "请求内容过长")
    data = load_json(raw, "bad_request", expected)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", f"Send {expected}", "请求格式有误")
    return data


def add_join_routes(
    app: CloudAPI, service: CloudService, cfg: CloudConfig, sms: SmsSender | None
) -> None:
    def lookup(token: str) -> dict[str, Any]:
        found = lookup_token(service.receipts, token)
        found["token"] = token
        return found

    @app.get(
        "/r/{token}/join",
        summary="The join page of an e-receipt (phone, SMS code, consent; mobile first)",
        response_class=HTMLResponse,
        responses={
            200: {
                "description": "HTML page",
                "content": {"text/html": {"schema": {"type": "string"}}},
            },
            404: {
                "description": "bad_token: an HTML page for a browser, the error body for a "
                "client that accepts only JSON",
                "content": {
                    "text/html": {"schema": {"type": "string"}},
                    "application/json": {"schema": ERROR},
                },
            },
            **CRASH,
        },
    )
    async def join_form(request: Request, token: Token) -> Response:
        try:
            found = await run_in_threadpool(lookup, token)
        except ApiError:
            return not_a_receipt_page(cfg, request)
        dev, sale, f = found["device"], found["sale"], found["fields"]
        hint = None
        if sale is not None and found["verdict"] == "genuine":
            hint = points_earned(sale["payload"].get("lines", []), "ordinary", LoyaltyRules())
        return HTMLResponse(
            join_page(
                cfg.brand_name,
                str(dev["store_name"] if dev else ""),
                token,
                f.total_fen,
                hint,
            )
        )

    @app.post(
        "/r/{token}/join/code",
        summary="Send a 6-digit code to the phone by SMS (valid 5 minutes; limited per phone "
        "and per client address)",
        response_model=JoinCodeSent,
        responses={
            **errors(
                {
                    400: "bad_phone, bad_request",
                    **BAD_TOKEN,
                    **TOO_LARGE,
                    429: "too_many_codes: one a minute and 5 an hour per phone, 20 an hour "
                    "per client address; the message says when to try again",
                    503: "sms_off (no SMS provider configured), sms_unavailable, sms_refused",
                }
            ),
            **CRASH,
        },
        openapi_extra=request_body(JoinCodeRequest),
    )
    async def join_code(request: Request, token: Token) -> Response:
        body = await _body(request, '{"phone": "13800138000"}')
        await run_in_threadpool(lookup, token)  # a bad token: 404 before anything is sent
        if sms is None:
            raise ApiError(
                503,
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

    @app.post(
        "/r/{token}/join",
        summary="Join with the SMS code (or sign in: one phone is one member) and claim this "
        "receipt's points once; sets the member session cookie",
        response_model=JoinResult,
        responses={
            **errors(
                {
                    400: "bad_request, bad_phone, bad_code, wrong_code (tries left in the "
                    "message), no_code, consent_required, bad_name, bad_birthday",
                    **BAD_TOKEN,
                    410: "code_expired",
                    **TOO_LARGE,
                    429: "code_locked: 5 wrong tries; ask for a new code",
                }
            ),
            **CRASH,
        },
        openapi_extra=request_body(JoinRequest),
    )
    async def join(request: Request, token: Token) -> Response:
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
