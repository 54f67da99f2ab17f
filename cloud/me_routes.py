"""My receipts for a member session (pages/visitor.py): GET /me/receipts and a receipt's
return voucher GET /me/receipts/{sale_id}.  A browser (Accept naming text/html) gets the
page, any other client JSON; without a session, 401 saying how to sign in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from .api_docs import CRASH, ERROR, CloudAPI
from .api_models import Shape
from .common import ApiError
from .ereceipt import CloudConfig, problem_page
from .join_routes import visitor
from .members.my_receipts import MyReceipts
from .pages.me_page import home_page, receipts_page, signin_needed_page, voucher_page
from .service import CloudService


class MemberHome(Shape):
    member_id: str
    name: str
    tier: str
    points: int


class MyReceipt(Shape):
    sale_id: str | None
    store_id: str
    store_name: str
    receipt_no: int
    total_fen: int | None = Field(description="null while the sale has not synced")
    at: str
    synced: bool
    page: str | None = Field(description="its e-receipt page, when known")
    voucher: str | None = Field(description="its return voucher")


class MyReceiptsList(Shape):
    receipts: list[MyReceipt]


class VoucherLine(Shape):
    line_no: int | None
    sku: str | None
    name: str | None
    qty: int
    returned: int
    returnable: int = Field(description="0 once the return window has closed")


class Voucher(Shape):
    sale_id: str
    store_id: str
    store_name: str
    receipt_no: int | None
    total_fen: int | None
    sold_at: str | None
    return_until: str
    return_window_days: int
    open: bool
    lines: list[VoucherLine]


# A member's own data: never kept by a shared cache or the browser's back-forward cache.
PRIVATE = {"Cache-Control": "private, no-store"}


def _html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "").lower()


def _answers(model: type[Shape], extra: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    both = {"text/html": {"schema": {"type": "string"}}, "application/json": {"schema": ERROR}}
    out: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "the page (Accept: text/html) or JSON",
            "model": model,
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        401: {"description": "signin_required: no member session", "content": both},
    }
    for status, text in extra.items():
        out[status] = {"description": text, "content": both}
    return {**out, **CRASH}


def add_me_routes(app: CloudAPI, service: CloudService, cfg: CloudConfig) -> None:
    mine = MyReceipts(service.db)

    def member_of(request: Request) -> str:
        who = visitor(request)
        if who.member_id:
            return who.member_id
        if who.openid:
            found = service.joining.member_of_openid(who.openid)
            if found:
                return found
        raise ApiError(
            401,
            "signin_required",
            "Sign in first: open any of your e-receipts and verify your phone (入会领积分)",
            "请先登录会员：打开任一电子小票，点击“入会领积分”并验证手机号",
        )

    def refused(request: Request, err: ApiError) -> Response:
        if _html(request):
            if err.status == 401:
                return HTMLResponse(signin_needed_page(cfg.brand_name), status_code=401)
            return HTMLResponse(
                problem_page(cfg, err.message_zh, err.message), status_code=err.status
            )
        body = {"code": err.code, "message": err.message, "message_zh": err.message_zh}
        return JSONResponse({"error": body}, status_code=err.status)

    @app.get(
        "/me",
        summary="The member's own page: name, tier, points, and their receipts (a member session)",
        response_model=MemberHome,
        responses=_answers(MemberHome, {}),
    )
    async def me(request: Request) -> Response:
        try:
            mid = await run_in_threadpool(member_of, request)
            home = await run_in_threadpool(mine.home, mid)
        except ApiError as err:
            return refused(request, err)
        if _html(request):
            return HTMLResponse(home_page(cfg.brand_name, home), headers=PRIVATE)
        return JSONResponse(home, headers=PRIVATE)

    @app.get(
        "/me/receipts",
        summary="My receipts from every store, newest first (a member session)",
        response_model=MyReceiptsList,
        responses=_answers(MyReceiptsList, {}),
    )
    async def my_receipts(request: Request) -> Response:
        try:
            mid = await run_in_threadpool(member_of, request)
        except ApiError as err:
            return refused(request, err)
        items = await run_in_threadpool(mine.receipts, mid)
        if _html(request):
            return HTMLResponse(receipts_page(cfg.brand_name, items), headers=PRIVATE)
        return JSONResponse({"receipts": items}, headers=PRIVATE)

    @app.get(
        "/me/receipts/{sale_id}",
        summary="A receipt's return voucher: what can still be returned and until when",
        response_model=Voucher,
        responses=_answers(Voucher, {404: "unknown_receipt: not one of your receipts"}),
    )
    async def my_voucher(
        request: Request, sale_id: Annotated[str, Path(description="the sale's id")]
    ) -> Response:
        try:
            mid = await run_in_threadpool(member_of, request)
            v = await run_in_threadpool(mine.voucher, mid, sale_id, service.now())
        except ApiError as err:
            return refused(request, err)
        if _html(request):
            return HTMLResponse(voucher_page(cfg.brand_name, v), headers=PRIVATE)
        return JSONResponse(v, headers=PRIVATE)
