"""The signed calls of a return at another store (issue 20): reserve before money moves,
release when the refund does not go through."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from ..api_docs import SIGNED, CloudAPI, request_body, v1
from ..gate import Till
from ..service import CloudService
from .models import ReturnRelease, ReturnReleased, ReturnReservation, ReturnReserved
from .reservations import ReturnReservations


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
