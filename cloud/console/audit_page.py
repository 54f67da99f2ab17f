"""/console/audit: the console's audit log (head office: every line; a store manager: their
own stores' lines and their own sign-ins)."""

from __future__ import annotations

from starlette.responses import Response

from . import audit
from .layout import esc, table
from .web import Ctx


def audit_page(ctx: Ctx) -> Response:
    with ctx.db.tx() as tx:
        lines = audit.recent(tx, 500)
    if not ctx.viewer.hq:
        lines = [
            x for x in lines
            if x["store_id"] in ctx.viewer.stores
            or (not x["store_id"] and x["username"] == ctx.viewer.username)
        ]  # fmt: skip
    rows = [
        [esc(x["at"]), esc(x["username"]), esc(x["action"]), esc(x["store_id"]),
         esc(x["target"]), esc(x["detail"])]
        for x in lines
    ]  # fmt: skip
    body = '<h1>审计日志 Audit log</h1><div class="card" id="audit">' + table(
        ["时间 At (UTC)", "用户 User", "操作 Action", "门店 Store", "对象 Target", "详情 Detail"],
        rows,
    ) + "</div>"  # fmt: skip
    return ctx.page("审计 Audit", body)
