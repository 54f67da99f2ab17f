"""GET /v1/members/chain-view: one member across every store, for the till that attached
them (issue 21; cloud/members/chain_view.py).  A signed till call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from .api_docs import SIGNED, CloudAPI, v1
from .api_models import Shape
from .gate import Till
from .service import CloudService


class NextTier(Shape):
    tier: str
    threshold_fen: int
    spend_fen: int
    to_go_fen: int


class ChainPurchase(Shape):
    at: str
    kind: str
    store_id: str | None
    store_name: str
    till_no: int | None
    receipt_no: int | None
    total_fen: int
    items: list[str]


class ChainMemberView(Shape):
    member_id: str
    phone: str
    name: str
    tier: str
    next_tier: NextTier | None
    points: int
    stored_value_fen: int
    lifetime_spend_fen: int
    visits: int
    last_visit: dict[str, Any] | None
    days_since_last_visit: int | None
    lapsed: bool
    lapsed_days: int
    stores: list[dict[str, Any]]
    sizes: list[dict[str, Any]]
    favourite_categories: list[dict[str, Any]]
    purchases: list[ChainPurchase]
    open_coupons: list[dict[str, Any]]
    as_of: str


def add_chain_view_route(app: CloudAPI, service: CloudService) -> None:
    @app.get(
        "/v1/members/chain-view",
        summary="One member across every store (the single view at the counter)",
        response_model=ChainMemberView,
        responses={**v1({400: "phone_required", 404: "unknown_member"}), **SIGNED},
    )
    async def chain_view(till: Till, phone: Annotated[str, Query(min_length=1)]) -> Response:
        return JSONResponse(await run_in_threadpool(service.chain_view.by_phone, phone))
