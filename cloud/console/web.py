"""How a console request is served: the session and viewer behind it, the CSRF check of a
form, the store check of every page and action, and the answer as a page.

`view(fn)` wraps a page function: it runs in the thread pool (database work never stalls the
event loop), sends a visitor without a session to /console/login, refuses a POST whose CSRF
token is not the session's, and turns `Refused` into a 403 page.  Page functions call
`ctx.require_store(s)` before they read or change anything of store `s`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..common import _now_iso
from ..db import CloudDB
from . import audit, csrf
from .auth import Accounts, Viewer
from .layout import esc, page
from .sessions import COOKIE, Session, Sessions

MAX_FORM = 64 * 1024
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # no inline handlers or outside assets; the page's one <style> and <script> are inline
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
}


class Refused(Exception):
    """The viewer may not see or change this (403)."""


class NotFound(Exception):
    pass


@dataclass
class Console:
    """What the console's pages share: the cloud service, accounts and sessions."""

    service: Any  # CloudService (typed loosely: the service imports this package's facts)
    accounts: Accounts = field(init=False)
    sessions: Sessions = field(init=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.service.db, self.now)
        self.sessions = Sessions(self.service.db, self.now, self.service.session_secret)

    @property
    def db(self) -> CloudDB:
        return self.service.db  # type: ignore[no-any-return]

    def now(self) -> datetime:
        # asked each time: a test moves the service's clock on
        return self.service.now()  # type: ignore[no-any-return]


@dataclass
class Ctx:
    console: Console
    request: Request
    session: Session
    viewer: Viewer
    form: dict[str, str]

    @property
    def db(self) -> CloudDB:
        return self.console.db

    def now_iso(self) -> str:
        return _now_iso(self.console.now())

    def arg(self, name: str, default: str = "") -> str:
        return str(self.request.query_params.get(name, default)).strip()

    def require_store(self, store_id: str) -> None:
        if not self.viewer.may_see(store_id):
            raise Refused(store_id)

    def page(self, title: str, body: str, status: int = 200) -> Response:
        return html(
            page(title, body, user=self.viewer.username, csrf_token=self.session.csrf), status
        )

    def audit(self, action: str, store_id: str = "", target: str = "", detail: str = "") -> None:
        with self.db.tx() as tx:
            audit.record(tx, self.now_iso(), self.viewer.username, action, store_id, target, detail)


def html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=HEADERS)


async def read_form(request: Request) -> dict[str, str]:
    if request.method != "POST":
        return {}
    body = await request.body()
    if len(body) > MAX_FORM:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)


PageFn = Callable[[Ctx], Response]


def view(console: Console, fn: PageFn) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        form = await read_form(request)
        return await run_in_threadpool(_serve, console, fn, request, form)

    return endpoint


def _serve(console: Console, fn: PageFn, request: Request, form: dict[str, str]) -> Response:
    session = console.sessions.read(request.cookies.get(COOKIE))
    viewer = console.accounts.viewer(session.username) if session else None
    if session is None or viewer is None:
        return to_login(request)
    ctx = Ctx(console, request, session, viewer, form)
    if request.method == "POST" and not csrf.matches(session.csrf, form.get(csrf.FIELD)):
        return ctx.page(
            "请求被拒绝 Refused",
            '<h1>请求被拒绝 Refused</h1><p class="msg err">表单已过期或来自其他网站，未做任何更改。'
            "请返回页面刷新后重试。 The form expired or came from another site: nothing was "
            "changed. Go back, reload the page and try again.</p>",
            403,
        )
    try:
        return fn(ctx)
    except Refused as err:
        return ctx.page(
            "无权访问 Not allowed",
            f'<h1>无权访问 Not allowed</h1><p class="msg err">您的账号无权查看或更改门店 '
            f"{esc(err)}。Your account may not see or change store {esc(err)}: ask head office "
            'for access. <a href="/console/">返回 Back to your stores</a></p>',
            403,
        )
    except NotFound as err:
        return ctx.page(
            "未找到 Not found",
            f'<h1>未找到 Not found</h1><p class="msg err">{esc(err)}</p>'
            '<p><a href="/console/">返回 Back</a></p>',
            404,
        )
