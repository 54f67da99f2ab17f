"""The signed calls of a return at another store (issue 20): reserve before money moves,
release when the refund does not go through; and a member's returns without a receipt at
every store (the brand's cap)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from ..api_docs import SIGNED, CloudAPI, request_body, v1
from ..gate import Till
from ..service import CloudService
from . import no_receipt
from .models import (
    NoReceiptCount,
    ReturnRelease,
    ReturnReleased,
    ReturnReservation,
    ReturnReserved,
)
from .reservations import ReturnReservations

RFC3339_UTC = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$"


def add_return_routes(app: CloudAPI, service: CloudService) -> None:
    desk = ReturnReservations(service.db, service.now)

    @app.post(
        "/v1/returns/reservations",
        summary="Hold the quantities of a return before any money moves (idempotent by "
        "refund_id; held for minutes unless the refund event commits it)",
        response_model=ReturnReserved,
        responses={
            **v1(
                {
                    400: "bad_request",
                    404: "unknown_sale: not synced; unknown_line",
                    409: "not_returnable: already refunded or held by another return; "
                    "refund_id_reused",
                }
            ),
            **SIGNED,
        },
        openapi_extra=request_body(ReturnReservation, description="the refund and its lines"),
    )
    async def reserve(till: Till) -> Response:
        return JSONResponse(await run_in_threadpool(desk.reserve, till.device_id, till.body))

    @app.post(
        "/v1/returns/releases",
        summary="Give back a reservation whose refund did not go through",
        response_model=ReturnReleased,
        responses={
            **v1({400: "bad_request", 409: "not_yours, refund_completed"}),
            **SIGNED,
        },
        openapi_extra=request_body(ReturnRelease, description="the refund id"),
    )
    async def release(till: Till) -> Response:
        return JSONResponse(await run_in_threadpool(desk.release, till.device_id, till.body))

    def count(phone_key: str, since: str | None) -> dict[str, object]:
        with service.db.tx() as tx:
            return no_receipt.made_since(
                tx, phone_key, since or no_receipt.default_since(service.now())
            )

    @app.get(
        "/v1/returns/no-receipt-count",
        summary="A member's returns without a receipt at every store since a moment (the "
        "brand's cap per member); the member is named by the phone's key, never the phone",
        response_model=NoReceiptCount,
        responses={
            **v1({400: "bad_request: phone_key is not 16 hex digits; since is not RFC 3339 UTC"}),
            **SIGNED,
        },
    )
    async def no_receipt_count(
        till: Till,
        phone_key: Annotated[
            str,
            Query(
                pattern=r"^[0-9a-f]{16}$",
                description="the refund payload's no_receipt.phone_key",
            ),
        ],
        since: Annotated[
            str | None,
            Query(
                pattern=RFC3339_UTC,
                description="RFC 3339 UTC; the last 30 days by the cloud's clock when left out",
            ),
        ] = None,
    ) -> Response:
        return JSONResponse(await run_in_threadpool(count, phone_key, since))
