"""The console as an ASGI app, mounted at /console by cloud/app.py."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from . import (
    audit_page,
    catalog_page,
    funnel_page,
    members_page,
    sales_page,
    stock_page,
    stores_page,
    z_page,
)
from .login_page import add_login_routes
from .web import Console, Ctx, NotFound, view


def _unknown(ctx: Ctx) -> Response:
    raise NotFound(f"没有这个页面 / No such page: {ctx.request.url.path}")


def console_app(service: Any) -> Starlette:
    console = Console(service)
    pages = [
        ("/", stores_page.home, ["GET"]),
        ("/stores/{store_id}", stores_page.store, ["GET"]),
        ("/stores/{store_id}/requeue", stores_page.requeue, ["POST"]),
        ("/stores/{store_id}/enrol", stores_page.enrol, ["POST"]),
        ("/stores/{store_id}/revoke", stores_page.revoke, ["POST"]),
        ("/sales", sales_page.sales, ["GET"]),
        ("/sales.csv", sales_page.sales_csv, ["GET"]),
        ("/z", z_page.z_list, ["GET"]),
        ("/z/{event_id}", z_page.z_detail, ["GET"]),
        ("/funnel", funnel_page.funnel, ["GET"]),
        ("/catalog", catalog_page.catalog, ["GET"]),
        ("/catalog/price", catalog_page.set_price, ["POST"]),
        ("/catalog/preview", catalog_page.preview, ["GET"]),
        ("/stock", stock_page.stock, ["GET"]),
        ("/members", members_page.members, ["GET"]),
        ("/members/{member_id}", members_page.member, ["GET"]),
        ("/audit", audit_page.audit_page, ["GET"]),
    ]
    routes = [Route(p, e, methods=m) for p, e, m in add_login_routes(console)]  # type: ignore[arg-type]
    routes += [Route(p, view(console, fn), methods=m) for p, fn, m in pages]
    # every other /console/ address: the sign-in page without a session, else 404
    routes.append(Route("/{rest:path}", view(console, _unknown), methods=["GET", "POST"]))

    return Starlette(routes=routes)
