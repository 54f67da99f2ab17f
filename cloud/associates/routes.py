"""The associate's workbench at /a/: sign-in page for a visitor, today's tasks once signed in.

Pages, not API: left out of the OpenAPI document (`include_in_schema=False`).  Forms are
urlencoded (a browser's own), each carrying the session's CSRF token; the sign-in form's token
is bound to a pre-session cookie.  The session cookie is HttpOnly, SameSite=Strict, Secure on
https, 12 hours.  Every answer is private (no cache)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..api_docs import CloudAPI
from ..common import ApiError
from . import session
from .pages import sign_in_page, workbench_page

PRE = "gt_associate_pre"
MAX_FORM = 8192
PRIVATE = {"Cache-Control": "private, no-store"}


def _key(request: Request) -> bytes:
    key: bytes = request.app.state.session_key()
    return session.derive(key)


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    if len(raw) > MAX_FORM:
        raise ApiError(413, "too_large", "The form is over 8 KiB", "表单内容过长")
    return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}


def _cookie(response: Response, request: Request, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/a/",
    )


def add_associate_routes(app: CloudAPI, service: Any) -> None:
    bench = service.associates

    def who(request: Request) -> str | None:
        return session.read(_key(request), request.cookies.get(session.COOKIE, ""), time.time())

    def sign_in_answer(request: Request, error: str = "", status: int = 200) -> Response:
        pre = request.cookies.get(PRE) or secrets.token_urlsafe(24)
        page = sign_in_page(session.csrf(_key(request), pre), error)
        resp = HTMLResponse(page, status_code=status, headers=PRIVATE)
        _cookie(resp, request, PRE, pre, 3600)
        return resp

    def board(name: str, flash: str, cookie: str, request: Request) -> Response:
        store = bench.accounts.store_of(name) or ""
        tasks = []
        for t in bench.workbench.today(name):
            card = bench.workbench.card(t["member_id"]) if t["member_id"] else _blank()
            kind = bench.workbench.task_kind(t["key"])
            tasks.append(t | {"card": card, "script": bench.workbench.script(kind, card, name)})
        page = workbench_page(
            name,
            store,
            tasks,
            bench.workbench.allowed_coupons(),
            bench.workbench.my_numbers(name),
            session.csrf(_key(request), cookie),
            flash,
        )
        return HTMLResponse(page, headers=PRIVATE)

    @app.get("/a/", include_in_schema=False)
    async def home(request: Request, flash: str = "") -> Response:
        name = who(request)
        if name is None:
            return sign_in_answer(request)
        cookie = request.cookies.get(session.COOKIE, "")
        return await run_in_threadpool(board, name, flash[:200], cookie, request)

    @app.get("/a", include_in_schema=False)
    async def bare() -> Response:
        return RedirectResponse("/a/", status_code=303)

    @app.post("/a/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await _form(request)
        if not session.csrf_ok(_key(request), request.cookies.get(PRE, ""), form.get("csrf", "")):
            return sign_in_answer(request, "页面已过期，请重试 · The page expired: try again", 403)
        name = form.get("name", "").strip()
        ok = await run_in_threadpool(bench.accounts.sign_in, name, form.get("password", ""))
        if ok is None:
            return sign_in_answer(
                request,
                "姓名或密码不对，或连续错误后已锁定 15 分钟 · Wrong name or password, or locked "
                "for 15 minutes after repeated failures",
                401,
            )
        resp = RedirectResponse("/a/", status_code=303, headers=PRIVATE)
        _cookie(
            resp,
            request,
            session.COOKIE,
            session.make(_key(request), ok["name"], time.time()),
            session.MAX_AGE_S,
        )
        resp.delete_cookie(PRE, path="/a/")
        return resp

    def signed_post(
        act: Callable[[str, dict[str, str]], str],
    ) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            name = who(request)
            if name is None:
                return RedirectResponse("/a/", status_code=303)
            form = await _form(request)
            cookie = request.cookies.get(session.COOKIE, "")
            if not session.csrf_ok(_key(request), cookie, form.get("csrf", "")):
                return HTMLResponse("CSRF", status_code=403, headers=PRIVATE)
            try:
                flash = await run_in_threadpool(act, name, form)
            except ApiError as err:
                flash = f"{err.message_zh or ''} · {err.message}"
            return RedirectResponse(f"/a/?flash={quote(flash)}", status_code=303)

        return endpoint

    def done(name: str, form: dict[str, str]) -> str:
        bench.workbench.done(name, form.get("key", ""), form.get("note", ""))
        return "已完成 · Done"

    def coupon(name: str, form: dict[str, str]) -> str:
        r = bench.workbench.send_coupon(name, form.get("member_id", ""), form.get("code", ""))
        if not r["issued"]:
            return f"今天已发过 {r['code']} · {r['code']} was sent today already"
        return f"已发券 {r['code']} · Coupon sent"

    app.add_api_route("/a/done", signed_post(done), methods=["POST"], include_in_schema=False)
    app.add_api_route("/a/coupon", signed_post(coupon), methods=["POST"], include_in_schema=False)

    @app.post("/a/logout", include_in_schema=False)
    async def sign_out(request: Request) -> Response:
        resp = RedirectResponse("/a/", status_code=303)
        resp.delete_cookie(session.COOKIE, path="/a/")
        return resp


def _blank() -> dict[str, Any]:
    return {"member_id": "", "name": "未入会顾客 · not a member", "phone": "", "tier": "",
            "consent": False, "sizes": {}, "last": [], "suggestions": []}  # fmt: skip
