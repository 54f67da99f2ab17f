"""/console/login (a form with `username` and `password`) and /console/logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..common import _now_iso
from . import audit, csrf
from .auth import SignInRefused
from .layout import esc, page
from .sessions import COOKIE, LIFETIME
from .web import Console, html, read_form


def _next(target: str | None) -> str:
    """Only a console path: never another site (an open redirect would serve phishing)."""
    t = target or ""
    parts = urlsplit(t)
    if parts.scheme or parts.netloc or not t.startswith("/console/") or t.startswith("//"):
        return "/console/"
    return t


def _form(token: str, next_path: str, username: str = "", message: str = "") -> str:
    msg = f'<p class="msg err" id="login-error">{message}</p>' if message else ""
    return (
        '<h1>登录 Sign in</h1><div class="card" style="max-width:420px">'
        f'{msg}<form method="post" action="/console/login">'
        f'<input type="hidden" name="{csrf.FIELD}" value="{esc(token)}">'
        f'<input type="hidden" name="next" value="{esc(next_path)}">'
        '<label for="username">用户名 User name</label>'
        f'<input id="username" name="username" autocomplete="username" value="{esc(username)}" '
        'required autofocus style="width:100%">'
        '<label for="password">密码 Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" '
        'required style="width:100%"><p><button type="submit">登录 Sign in</button></p>'
        "</form></div>"
    )


def _login_page(request: Request, status: int = 200, username: str = "", message: str = "",
                next_path: str = "/console/") -> Response:  # fmt: skip
    token = csrf.new_token()
    resp = html(page("登录 Sign in", _form(token, next_path, username, message)), status)
    resp.set_cookie(
        csrf.LOGIN_COOKIE, token, max_age=3600, path="/console/login", httponly=True,
        samesite="strict", secure=request.url.scheme == "https",
    )  # fmt: skip
    return resp


def add_login_routes(console: Console) -> list[tuple[str, object, list[str]]]:
    async def login_form(request: Request) -> Response:
        return _login_page(request, next_path=_next(request.query_params.get("next")))

    async def login(request: Request) -> Response:
        form = await read_form(request)
        username = form.get("username", "").strip()
        next_path = _next(form.get("next"))
        if not csrf.matches(request.cookies.get(csrf.LOGIN_COOKIE), form.get(csrf.FIELD)):
            return _login_page(
                request, 403, username,
                "登录表单已过期，请重新输入。The sign-in form expired: enter your name and "
                "password again.", next_path,
            )  # fmt: skip
        try:
            viewer = await run_in_threadpool(
                console.accounts.sign_in, username, form.get("password", "")
            )
        except SignInRefused as refused:
            if refused.locked_until:
                message = (
                    f"尝试次数过多，账号已锁定至 {esc(refused.locked_until)}（UTC）。请稍后再试，或请总部"
                    "重设密码。Too many failed attempts: the account is locked until "
                    f"{esc(refused.locked_until)} UTC. Try again later, or ask head office to "
                    "reset the password."
                )
            else:
                message = (
                    "用户名或密码不正确，请重试。The user name or password is wrong: try again."
                )
            return _login_page(request, 401, username, message, next_path)
        # a new session id, whatever cookie came in: a planted id is never signed in
        session = await run_in_threadpool(
            console.sessions.start, viewer.username, request.cookies.get(COOKIE)
        )

        def log() -> None:
            with console.db.tx() as tx:
                audit.record(tx, _now(console), viewer.username, "sign_in")

        await run_in_threadpool(log)
        resp = RedirectResponse(next_path, status_code=303)
        resp.set_cookie(
            COOKIE, console.sessions.cookie_value(session),
            max_age=int(LIFETIME.total_seconds()), path="/console", httponly=True,
            samesite="lax", secure=request.url.scheme == "https",
        )  # fmt: skip
        resp.delete_cookie(csrf.LOGIN_COOKIE, path="/console/login")
        return resp

    async def logout(request: Request) -> Response:
        form = await read_form(request)
        cookie = request.cookies.get(COOKIE)
        session = await run_in_threadpool(console.sessions.read, cookie)
        if session is not None and csrf.matches(session.csrf, form.get(csrf.FIELD)):

            def end() -> None:
                console.sessions.end(cookie)
                with console.db.tx() as tx:
                    audit.record(tx, _now(console), session.username, "sign_out")

            await run_in_threadpool(end)
        elif session is not None:  # a forged sign-out from another site: nothing happens
            return RedirectResponse("/console/", status_code=303)
        resp = RedirectResponse("/console/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/console")
        return resp

    return [
        ("/login", login_form, ["GET"]),
        ("/login", login, ["POST"]),
        ("/logout", logout, ["POST"]),
    ]


def _now(console: Console) -> str:
    return _now_iso(console.now())
