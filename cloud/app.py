"""The reference cloud as an ASGI app (FastAPI): `create_app(service, …)`.

Every route declares its parameters, its answer's model and every status it can answer
(api_docs.py, api_models.py): the OpenAPI 3.1 document at /openapi.json is generated from
them.  Every response carries `Date`; every non-2xx answer is {"error": {"code", "message"}}
(errors.py: the framework's own 404/405/422/500 included; a browser's bad e-receipt code gets
a page).  Database work runs in the thread pool so one slow query never stalls the event loop.
"""

from __future__ import annotations

import logging
import os
import re
import time
from email.utils import formatdate
from typing import Annotated, Any

from fastapi import Header, Query, Security
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api_docs import CRASH, DESCRIPTION, SIGNED, CloudAPI, request_body, signature_header, v1
from .api_models import (
    ChangesPage,
    CouponRedeemed,
    CouponRedemption,
    CouponRelease,
    CouponReleased,
    EnrollRequest,
    EnrollResponse,
    Member,
    PushRequest,
    PushResult,
    StockGrid,
    StoredValueRequest,
    StoredValueResult,
)
from .associates.routes import add_associate_routes
from .chain_view_routes import add_chain_view_route
from .console.routes import console_app
from .enrolment import EnrollRequest as Enrollment
from .ereceipt import CloudConfig
from .errors import error_handlers
from .fapiao.provider import HttpFapiaoProvider
from .gate import Gate, Till, Unchecked, read_body
from .health import add_health_routes
from .join_routes import add_join_routes
from .me_routes import add_me_routes
from .push import PushAnswer, PushThreads
from .push import push as push_batch
from .receipt_routes import add_receipt_routes
from .returns.routes import add_return_routes
from .service import ApiError, CloudService
from .sms import SmsSender, sms_from_config
from .stock import CloudStock
from .topups.routes import add_topup_routes
from .wechat_push import add_wechat_route

log = logging.getLogger(__name__)


class DateHeader:
    """Adds `Date` to every response, errors included (tills keep their clock offset from it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", formatdate(usegmt=True).encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_date)


class HeadAsGet:
    """HEAD is answered as GET (the server sends no body), as Starlette's routes did; FastAPI's
    routes take only the methods they name, and the document names GET alone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)


Style = Annotated[
    str,
    PathParam(description="percent-encoded, a `/` as %2F; the signature covers the path as sent"),
]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="made once per payment (a UUID); missing or too long: 400 "
        "idempotency_key_required",
    ),
]
# Checked by the route itself (400 bad_cursor, after the signature); the pattern tells a
# client what is accepted.  18 digits always fit SQLite's 64-bit integer.
CURSOR = re.compile("[0-9]{0,18}")
Cursor = Annotated[
    str,
    Query(
        description="an integer (since: the next_cursor of the last page; limit: at most 1000 "
        "changes are sent)",
        json_schema_extra={"pattern": f"^{CURSOR.pattern}$"},
    ),
]


def create_app(
    service: CloudService,
    *,
    config: CloudConfig | None = None,
    sms: SmsSender | None = None,
) -> ASGIApp:
    cfg = config or CloudConfig()
    sms = sms or sms_from_config(cfg)
    app = CloudAPI(
        title="Guitai cloud CRM (reference)",
        version="1.1",
        description=DESCRIPTION,
        openapi_url=None,  # served below, as a documented route of its own
        docs_url=None,
        redoc_url=None,
        exception_handlers=error_handlers(cfg),
        separate_input_output_schemas=False,
    )
    app.state.gate = gate = Gate(service)
    push_threads = PushThreads(service.db.pool_size)
    # read at the first page that needs it, not here: a cloud whose database does not answer
    # yet still starts and says so on /readyz
    app.state.session_key = service.session_secret  # pages/visitor.py

    @app.post(
        "/v1/devices/enroll",
        summary="Enroll a till with a one-time code",
        description='Signed with keyid "enroll" by the private key of `public_key` (proof of '
        "possession, protocol 1.1); the signature is checked before the code.",
        status_code=201,
        response_model=EnrollResponse,
        responses=v1(
            {
                400: "bad_json (not JSON, or nested deeper than 32 levels), bad_request, "
                "bad_till_no; bad_public_key: not the canonical encoding of a point of the "
                "prime-order subgroup (small-order, mixed-order, identity, non-canonical y)",
                401: 'bad_signature: missing, keyid not "enroll", or not made by the key in '
                "the body; digest_mismatch, stale_signature, replayed_nonce",
                404: "unknown_code",
                409: "code_used: the code was used before; wrong_store: the till is set up "
                "for another store; till_no_taken: another active till holds the requested "
                "number; key_enrolled: an unsigned request names a key already enrolled (only "
                "its holder re-enrolls it)",
                410: "code_expired",
            }
        ),
        openapi_extra=request_body(EnrollRequest),
        dependencies=[Security(signature_header)],  # keyid "enroll": checked by the service
    )
    async def enroll(request: Request) -> Response:
        req = Enrollment(
            request.method,
            str(request.url),
            dict(request.headers),
            await read_body(request),
            time.time(),
        )
        return JSONResponse(await run_in_threadpool(service.enroll, req), status_code=201)

    @app.post(
        "/v1/events",
        summary="Push a batch of outbox events (≤ 500 events, ≤ 1 MiB)",
        response_model=PushResult,
        responses={
            **v1(
                {
                    400: "bad_batch: not JSON, nested deeper than 32 levels, no events list, "
                    "or an event id that is not a UUID",
                    413: "batch_too_large: over 500 events, or a body over 1 MiB",
                }
            ),
            **SIGNED,
        },
        openapi_extra=request_body(PushRequest),
    )
    async def push(req: Unchecked) -> Response:
        return PushAnswer(await push_threads.run(push_batch, service, gate, req))

    @app.get(
        "/v1/changes",
        summary="Pull catalog, price, promotion, member, coupon, device key and config "
        "changes after a cursor",
        response_model=ChangesPage,
        responses={**v1({400: "bad_cursor: since and limit are integers"}), **SIGNED},
    )
    async def changes(till: Till, since: Cursor = "", limit: Cursor = "") -> Response:
        # Digits only: int() also took "-1", " 7", "+7" and "1_0" (schemathesis found them
        # answered 200 although the document's pattern refuses them).
        if not (CURSOR.fullmatch(since) and CURSOR.fullmatch(limit)):
            raise ApiError(400, "bad_cursor", "since and limit are integers")
        since_n, limit_n = int(since or "0"), int(limit or "500")
        return JSONResponse(
            await run_in_threadpool(service.changes, till.device_id, since_n, limit_n)
        )

    @app.get(
        "/v1/members",
        summary="Look up a member by phone",
        response_model=Member,
        responses={**v1({400: "phone_required", 404: "unknown_member"}), **SIGNED},
    )
    async def members(till: Till, phone: Annotated[str, Query(min_length=1)]) -> Response:
        # a missing or empty phone: 400 phone_required (errors.PARAMETER_ERRORS)
        return JSONResponse(await run_in_threadpool(service.admin.member_by_phone, phone))

    @app.post(
        "/v1/coupons/redemptions",
        summary="Redeem a coupon online for a sale (a second sale is refused)",
        response_model=CouponRedeemed,
        responses={
            **v1(
                {
                    400: "bad_request",
                    404: "unknown_coupon",
                    409: "coupon_used: already used, or another member's",
                }
            ),
            **SIGNED,
        },
        openapi_extra=request_body(
            CouponRedemption, description="the coupon and the sale (same sale again: 200)"
        ),
    )
    async def coupon_redemption(till: Till) -> Response:
        return JSONResponse(
            await run_in_threadpool(
                service.members.coupons.redeem_coupon, till.device_id, till.body
            )
        )

    @app.post(
        "/v1/coupons/releases",
        summary="Give back a coupon redeemed for a sale that was abandoned",
        response_model=CouponReleased,
        responses={**v1({400: "bad_request", 409: "not_yours, sale_completed"}), **SIGNED},
        openapi_extra=request_body(CouponRelease, description="the coupon and the sale"),
    )
    async def coupon_release(till: Till) -> Response:
        return JSONResponse(
            await run_in_threadpool(
                service.members.coupons.release_coupon, till.device_id, till.body
            )
        )

    async def stored_value(
        request: Request, till: Till, idempotency_key: IdempotencyKey
    ) -> Response:
        direction = request.url.path.rsplit("/", 1)[1]
        status, resp = await run_in_threadpool(
            service.stored_value, till.device_id, direction, idempotency_key, till.body
        )
        return JSONResponse(resp, status_code=status)

    for direction in ("debits", "credits"):
        app.add_api_route(
            f"/v1/stored-value/{direction}",
            stored_value,
            methods=["POST"],
            name=f"stored_value_{direction}",
            summary=f"Stored-value {direction[:-1]} (authoritative balance ledger)",
            response_model=StoredValueResult,
            responses={
                **v1(
                    {
                        400: "idempotency_key_required, bad_request, bad_amount",
                        404: "unknown_member",
                        409: "insufficient_funds",
                        422: "idempotency_key_reused",
                    }
                ),
                **SIGNED,
            },
            openapi_extra=request_body(StoredValueRequest),
        )

    # :path — a style id may hold `/` (sent as %2F, which the router sees decoded)
    @app.get(
        "/v1/stock/{style:path}",
        summary="Every store's quantities of a style's SKUs, nearest to the calling till's "
        "store first (its own store first of all); distance_km is null where a store has no "
        "coordinates",
        response_model=StockGrid,
        responses={**v1({}), **SIGNED},
    )
    async def stock_grid(till: Till, style: Style) -> Response:
        grid = CloudStock(service).style_grid_for_device
        return JSONResponse(await run_in_threadpool(grid, till.device_id, style))

    if cfg.fapiao_url and not service.fapiao.available:
        service.fapiao.use(HttpFapiaoProvider(cfg.fapiao_url))
    add_receipt_routes(app, service, cfg)
    add_return_routes(app, service)
    add_join_routes(app, service, cfg, sms)
    add_me_routes(app, service, cfg)
    add_chain_view_route(app, service)  # issue 21
    add_topup_routes(app, service)
    add_associate_routes(app, service)  # the associate's phone at /a/ (issue 21)
    add_health_routes(app, service.db)
    app.mount("/console", console_app(service))  # the brand's console (cloud/console)
    add_wechat_route(
        app, service, lambda: cfg.wechat_token or os.environ.get("GUITAI_WECHAT_TOKEN", "")
    )

    @app.get("/openapi.json", summary="This document", responses=CRASH)
    async def openapi() -> dict[str, Any]:
        return app.openapi()

    # Outermost, so even the 500 page from the error middleware carries `Date` (run uvicorn
    # with date_header=False, or it adds a second one).
    return DateHeader(HeadAsGet(app))
