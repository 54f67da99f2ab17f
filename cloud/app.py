"""The reference cloud as an ASGI app (Starlette): `create_app(service, …)`.

Every response carries `Date`; every non-2xx answer is {"error": {"code", "message"}}
(errors.py: Starlette's own 404/405/500 included; a browser's bad e-receipt code gets a page).
Database work runs in the thread pool so one slow query never stalls the event loop.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import time
from email.utils import formatdate
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pos_app.domain.ed25519_keys import public_key_problem
from receipts.token import TokenError, decode_token, verify_token
from sync.signing import (
    SignatureProblem,
    public_key_from_raw,
    signature_key_id,
    unb64,
    verify_request,
)

from .common import int64, load_json
from .enrolment import EnrollRequest
from .ereceipt import (
    CloudConfig,
    ReceiptRenderer,
    builtin_receipt,
    invite_html,
    verdict_html,
)
from .errors import error_handlers, not_a_receipt_page
from .health import health_routes
from .openapi import openapi_document
from .service import ApiError, CloudService
from .stock import CloudStock
from .wechat_push import wechat_routes

log = logging.getLogger(__name__)

MAX_BODY = (1 << 20) + 64 * 1024  # a 1 MiB batch plus its envelope


@functools.lru_cache(maxsize=4096)
def key_acceptable(raw: bytes) -> bool:
    """public_key_problem, remembered: it costs about 2 ms of big-integer arithmetic, and
    authentication runs on the event loop for every signed request."""
    return public_key_problem(raw) is None


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


VISITOR_COOKIE = "gt_visitor"
VISITOR_COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap a cookie's life at 400 days
_VISITOR = re.compile(r"[0-9a-f]{32}")


def visitor_of(request: Request) -> tuple[str, bool]:
    """(who is looking at an e-receipt page, whether the page must set the cookie).

    A visitor is the first-party cookie the page sets.  Without it (the first visit, or a
    browser that refuses cookies) it is a hash of the client address and User-Agent, and the
    cookie is set to that same value: the reload after a first visit is the same visitor
    whichever way it is recognised, and a browser without cookies stays one visitor while
    its address does not change.  Two people behind one address with identical browsers and
    no cookies count once (undercounting, never overcounting)."""
    cookie = request.cookies.get(VISITOR_COOKIE, "")
    if _VISITOR.fullmatch(cookie):
        return cookie, False
    host = request.client.host if request.client else ""
    agent = request.headers.get("user-agent", "")
    return hashlib.sha256(f"{host}\n{agent}".encode()).hexdigest()[:32], True


def signed_target_uri(request: Request) -> str:
    """`@target-uri` as the till signed it: the path exactly as on the request line.

    Starlette's `request.url` rebuilds the path from the decoded one (`%20` → space, CJK as
    text, `%2F` → `/`), which is not the URI the till signed, so a style named with a space,
    CJK or a slash did not verify.  uvicorn keeps the bytes as sent in `raw_path`."""
    raw = request.scope.get("raw_path")
    if not raw:
        return str(request.url)
    return str(request.url.replace(path=raw.decode("latin-1")))


def create_app(
    service: CloudService,
    *,
    render_receipt_html: ReceiptRenderer | None = None,
    config: CloudConfig | None = None,
) -> ASGIApp:
    cfg = config or CloudConfig()

    async def read_body(request: Request) -> bytes:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise ApiError(
                    413,
                    "batch_too_large",
                    "A request body is at most 1 MiB: send fewer events per batch",
                )
        return bytes(body)

    async def authenticate(request: Request, body: bytes) -> str:
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            device_id = signature_key_id(headers)
        except SignatureProblem as p:
            raise ApiError(401, p.code, p.message) from p
        found = await run_in_threadpool(service.device_key, device_id)
        if found is None:
            raise ApiError(
                401, "unknown_key", f"No device {device_id} is enrolled: enroll the till"
            )
        pub_b64, revoked = found
        if revoked:
            raise ApiError(401, "revoked_key", f"Device {device_id} was revoked: enroll it again")
        pub = unb64(pub_b64)
        if not key_acceptable(pub):
            # enrolled before keys were checked (protocol 1.0): signatures under it prove nothing
            raise ApiError(
                401,
                "bad_public_key",
                f"Device {device_id} was enrolled with an unacceptable key: revoke it and "
                "enroll the till again with a new key",
            )
        try:
            signed = verify_request(
                request.method,
                signed_target_uri(request),
                headers,
                body,
                public_key_from_raw(pub),
                time.time(),
            )
        except SignatureProblem as p:
            raise ApiError(401, p.code, p.message) from p
        fresh = await run_in_threadpool(
            service.remember_nonce, device_id, signed.nonce, signed.created
        )
        if not fresh:
            raise ApiError(
                401, "replayed_nonce", "This signature's nonce was used before (a replayed request)"
            )
        return device_id

    async def enroll(request: Request) -> Response:
        req = EnrollRequest(
            request.method,
            str(request.url),
            dict(request.headers),
            await read_body(request),
            time.time(),
        )
        return JSONResponse(await run_in_threadpool(service.enroll, req), status_code=201)

    async def push(request: Request) -> Response:
        body = await read_body(request)
        device_id = await authenticate(request, body)
        # Floats arrive as Decimal, which canonical JSON refuses: the ingest can hash
        # without walking every payload for floats first (see ingest.check_hash).
        data = load_json(body, "bad_batch", '{"events": [...]}', decimal_floats=True)
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list):
            raise ApiError(400, "bad_batch", 'Send {"events": [...]}: events is not a list')
        if len(events) > 500:
            raise ApiError(413, "batch_too_large", "A batch is at most 500 events")
        return JSONResponse(await run_in_threadpool(service.ingest, device_id, events, True))

    async def changes(request: Request) -> Response:
        device_id = await authenticate(request, await read_body(request))
        try:
            since = int64(request.query_params.get("since") or "0")
            limit = int64(request.query_params.get("limit") or "500")
        except ValueError as err:
            raise ApiError(400, "bad_cursor", "since and limit are integers") from err
        return JSONResponse(await run_in_threadpool(service.changes, device_id, since, limit))

    async def members(request: Request) -> Response:
        await authenticate(request, await read_body(request))
        phone = request.query_params.get("phone", "")
        if not phone:
            raise ApiError(400, "phone_required", "Ask with ?phone=…")
        return JSONResponse(await run_in_threadpool(service.admin.member_by_phone, phone))

    async def stock_grid(request: Request) -> Response:
        device_id = await authenticate(request, await read_body(request))
        style = request.path_params["style"]
        return JSONResponse(
            await run_in_threadpool(CloudStock(service).style_grid_for_device, device_id, style)
        )

    def stored_value(direction: str) -> Any:
        async def endpoint(request: Request) -> Response:
            body = await read_body(request)
            device_id = await authenticate(request, body)
            status, resp = await run_in_threadpool(
                service.stored_value,
                device_id,
                direction,
                request.headers.get("idempotency-key"),
                body,
            )
            return JSONResponse(resp, status_code=status)

        return endpoint

    async def coupon_redemption(request: Request) -> Response:
        body = await read_body(request)
        device_id = await authenticate(request, body)
        return JSONResponse(
            await run_in_threadpool(service.members.coupons.redeem_coupon, device_id, body)
        )

    async def coupon_release(request: Request) -> Response:
        body = await read_body(request)
        device_id = await authenticate(request, body)
        return JSONResponse(
            await run_in_threadpool(service.members.coupons.release_coupon, device_id, body)
        )

    async def ereceipt_follow(request: Request) -> Response:
        """The e-receipt page's follow button: counted for the funnel (store, associate) once
        per genuine receipt, also when WeChat reported the follow first (wechat_push.py).
        A forged or altered token names a real till but no receipt it printed: not counted."""
        try:
            found = await run_in_threadpool(lookup, request.path_params["token"])
        except ApiError as err:
            # the error body every non-2xx carries, and `counted` the page's script reads
            return JSONResponse(
                {"counted": False, "error": {"code": err.code, "message": err.message}},
                status_code=404,
            )
        if found["verdict"] != "genuine":
            return JSONResponse({"counted": False})
        counted = await run_in_threadpool(
            service.members.funnel.follow_receipt, found["device"], found["fields"].receipt_no
        )
        return JSONResponse({"counted": counted})

    def _count_open(found: dict[str, Any], visitor: str) -> None:
        # Only a genuine receipt is a receipt the store printed; a reload or a second look
        # by the same visitor is the same open (cloud/members/funnel.py, open_receipt).
        if found["verdict"] != "genuine":
            return
        sale = found.get("sale")
        assoc = str(((sale or {}).get("payload") or {}).get("associate") or "")
        service.members.funnel.open_receipt(
            found["device"], found["fields"].receipt_no, assoc, visitor
        )

    def lookup(token: str) -> dict[str, Any]:
        """What the cloud knows about a token: verdict, device, synced sale."""
        try:
            fields = decode_token(token)
        except TokenError as err:
            raise ApiError(
                404, "bad_token", f"This is not a Guitai e-receipt token: {err}"
            ) from err
        device = service.receipts.device_by_key_id(fields.key_id.hex())
        result: dict[str, Any] = {"fields": fields, "device": device, "sale": None}
        if device is None:
            result["verdict"] = "unknown_till"
            return result
        try:
            pub = unb64(device["public_key"])
            if not key_acceptable(pub):
                # a key any signature verifies under (enrolled before keys were checked)
                raise ValueError("the till's key is not acceptable")
            verify_token(fields, pub)
        except (TokenError, ValueError):  # any verification failure: the printed token was altered
            result["verdict"] = "altered"
            return result
        result["verdict"] = "revoked_till" if device["revoked_at"] else "genuine"
        sale = service.receipts.synced_receipt(device["device_id"], fields.receipt_no)
        if sale is not None:
            if (
                sale["entry_hash"][:16] != fields.sale_digest.hex()
                or sale["total_fen"] != fields.total_fen
            ):
                result["verdict"] = "altered"
            result["sale"] = sale
        return result

    async def receipt_api(request: Request) -> Response:
        await authenticate(request, await read_body(request))
        found = await run_in_threadpool(lookup, request.path_params["token"])
        f, dev, sale = found["fields"], found["device"], found["sale"]
        member = ((sale or {}).get("payload") or {}).get("member") or {}
        member_id = (
            await run_in_threadpool(service.members.views.canonical_member_id, str(member["id"]))
            if member.get("id")
            else None
        )
        return JSONResponse(
            {
                "verdict": found["verdict"],
                "receipt_no": f.receipt_no,
                "issued_at": f.issued_at,
                "total_fen": f.total_fen,
                "key_id": f.key_id.hex(),
                "store_id": dev["store_id"] if dev else None,
                "till_no": dev["till_no"] if dev else None,
                "synced": sale is not None,
                "type": sale["type"] if sale else None,
                "payload": sale["payload"] if sale else None,
                "entry_hash": sale["entry_hash"] if sale else None,
                "member_id": member_id,
            }
        )

    async def receipt_page(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            found = await run_in_threadpool(lookup, token)
        except ApiError:
            return not_a_receipt_page(cfg, request)
        visitor, new_visitor = visitor_of(request)
        await run_in_threadpool(_count_open, found, visitor)
        page = _receipt_page(found)
        if new_visitor:
            page.set_cookie(
                VISITOR_COOKIE,
                visitor,
                max_age=VISITOR_COOKIE_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        return page

    def _receipt_page(found: dict[str, Any]) -> HTMLResponse:
        f, dev, sale, verdict = found["fields"], found["device"], found["sale"], found["verdict"]
        if sale is not None and render_receipt_html is not None:
            try:
                # The renderer draws genuine / altered itself; a revoked till it cannot say.
                extra = verdict_html(verdict) if verdict == "revoked_till" else ""
                text = render_receipt_html(
                    sale["payload"],
                    verified=verdict == "genuine",
                    extra_html=extra + invite_html(cfg),
                    store_name=dev["store_name"] if dev else "",
                    kind=sale["type"],
                )
                return HTMLResponse(text)
            except Exception:  # the injected renderer failed: the built-in page still serves
                log.exception("the injected receipt renderer failed; using the built-in page")
        text = builtin_receipt(
            sale["payload"] if sale else None,
            store_name=dev["store_name"] if dev else "",
            store_id=dev["store_id"] if dev else "",
            till_no=dev["till_no"] if dev else None,
            fields=f,
            verdict=verdict,
            cfg=cfg,
        )
        return HTMLResponse(text)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    routes = [
        Route("/v1/devices/enroll", enroll, methods=["POST"]),
        Route("/v1/events", push, methods=["POST"]),
        Route("/v1/changes", changes, methods=["GET"]),
        Route("/v1/members", members, methods=["GET"]),
        Route("/v1/coupons/redemptions", coupon_redemption, methods=["POST"]),
        Route("/v1/coupons/releases", coupon_release, methods=["POST"]),
        Route("/v1/stored-value/debits", stored_value("debits"), methods=["POST"]),
        Route("/v1/stored-value/credits", stored_value("credits"), methods=["POST"]),
        Route("/v1/receipts/{token}", receipt_api, methods=["GET"]),
        # :path — a style id may hold `/` (sent as %2F, which the router sees decoded)
        Route("/v1/stock/{style:path}", stock_grid, methods=["GET"]),
        Route("/r/{token}", receipt_page, methods=["GET"]),
        Route("/R/{token}", receipt_page, methods=["GET"]),
        Route("/r/{token}/follow", ereceipt_follow, methods=["POST"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        *health_routes(service.db),
        *wechat_routes(
            service, lambda: cfg.wechat_token or os.environ.get("GUITAI_WECHAT_TOKEN", "")
        ),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers=error_handlers(cfg),
    )
    # Outermost, so even the 500 page from Starlette's error middleware carries `Date`
    # (run uvicorn with date_header=False, or it adds a second one).
    return DateHeader(app)
