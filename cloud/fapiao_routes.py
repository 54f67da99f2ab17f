"""The e-receipt page's 发票 calls: `POST /r/{token}/fapiao` asks for the receipt's e-invoice,
`GET /r/{token}/fapiao` says its state (cloud/fapiao/).  Only a genuine receipt can ask: a
forged or altered token names no sale the store made."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .api_docs import CRASH, TOO_LARGE, CloudAPI, errors, request_body
from .api_models import FapiaoApplication, FapiaoState, FapiaoView
from .common import ApiError
from .fapiao.application import FapiaoRefused, read_application
from .fapiao.desk import receipt_key
from .gate import read_body
from .service import CloudService

Token = Annotated[str, Path(description="the e-receipt token printed in the QR code")]
Lookup = Callable[[str], dict[str, Any]]

NOT_A_RECEIPT = errors(
    {404: "bad_token: not an e-receipt token; not_genuine: altered, or from an unknown till"}
)


def _genuine(lookup: Lookup, token: str) -> dict[str, Any]:
    try:
        found = lookup(token)
    except ApiError as err:
        raise FapiaoRefused(
            404, err.code, err.message, "这不是有效的电子小票二维码，请扫描小票上的二维码"
        ) from err
    if found["verdict"] != "genuine":
        raise FapiaoRefused(
            404,
            "not_genuine",
            "This receipt did not verify (altered, or from an unknown till): no invoice can be "
            "asked for from it; ask the store",
            "此小票未通过验证（已被篡改或来自未知收银台），无法申请发票，请联系门店",
        )
    return found


def fapiao_view(service: CloudService, found: dict[str, Any]) -> dict[str, Any]:
    """GET's answer for a genuine receipt (also what the page's section draws)."""
    sale = found["sale"]
    key = receipt_key(found["device"], found["fields"].receipt_no)
    return {
        "available": service.fapiao.available,
        "synced": sale is not None,
        "fapiao": service.fapiao.state(key) if sale is not None else None,
    }


def add_fapiao_routes(app: CloudAPI, service: CloudService, lookup: Lookup) -> None:
    async def ask_fapiao(request: Request, token: str) -> Response:
        try:
            found = await run_in_threadpool(_genuine, lookup, token)
            try:
                body = json.loads(await read_body(request))
            except (ValueError, RecursionError):
                body = None
            application = read_application(body)
            status, answer = await run_in_threadpool(
                service.fapiao.request, found["device"], found["fields"].receipt_no, application
            )
        except FapiaoRefused as err:
            return JSONResponse(err.body(), status_code=err.status)
        return JSONResponse(answer, status_code=status)

    async def fapiao_state(token: str) -> Response:
        try:
            found = await run_in_threadpool(_genuine, lookup, token)
        except FapiaoRefused as err:
            return JSONResponse(err.body(), status_code=err.status)
        return JSONResponse(await run_in_threadpool(fapiao_view, service, found))

    # One route for both methods: with two, a method neither takes matched the first route
    # and its 405 named only that route's method in `Allow` (as wechat_push.py).
    @app.api_route(
        "/r/{token}/fapiao",
        methods=["GET", "POST"],
        summary="This receipt's e-invoice (数电发票): POST asks for it (one per receipt), "
        "GET says its state: 申请中 / 已开具 (with the PDF link) / 失败 and why",
        responses={
            200: {"model": FapiaoView, "description": "GET: the state"},
            202: {"model": FapiaoState, "description": "POST: asked for; its state"},
            **errors(
                {
                    400: "POST: bad_request, bad_kind, bad_title, bad_tax_id (统一社会信用代码 "
                    "length, characters or check digit), bad_email, bad_phone, bad_contact "
                    "(neither email nor phone); nothing is stored",
                    409: "POST: already_requested: one invoice per receipt, the body also "
                    "carries the first request's state in `fapiao` (a FapiaoState); "
                    "not_synced: the sale has not reached the cloud yet, try later; "
                    "not_a_sale: a refund receipt; nothing_to_invoice: refunded in full",
                    503: "POST: fapiao_unavailable: the brand has no invoicing provider",
                }
            ),
            **NOT_A_RECEIPT,
            **TOO_LARGE,
            **CRASH,
        },
        openapi_extra=request_body(FapiaoApplication, description="POST: the application"),
    )
    async def fapiao_endpoint(request: Request, token: Token) -> Response:
        if request.method == "POST":
            return await ask_fapiao(request, token)
        return await fapiao_state(token)
