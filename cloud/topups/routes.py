"""The tills' top-up calls: `POST /v1/stored-value/topups` and
`POST /v1/stored-value/topups/{topup_id}/refunds` (signed, idempotent; cloud/topups/ledger.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Header
from fastapi import Path as PathParam
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from pos_app.domain.sale_limits import TOKEN_MAX_FEN

from ..api_docs import SIGNED, CloudAPI, request_body, v1
from ..api_models import RequestShape, Shape
from ..gate import Till
from ..service import CloudService

Key = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="made once per top-up or refund (a UUID); missing or too long: 400 "
        "idempotency_key_required",
    ),
]
TopUpId = Annotated[str, PathParam(description="the till's top-up id")]


class TopUpRequest(RequestShape):
    topup_id: str = Field(min_length=1, max_length=64)
    member_id: str = Field(min_length=1)
    amount_fen: int = Field(ge=1, le=TOKEN_MAX_FEN, description="fen paid at the till")
    tender: str = Field("", description="cash, card, wechat, alipay, unionpay, ecny")
    payment_ref: str = Field("", description="the acquirer's transaction number, if any")
    business_day: date | None = Field(None, description="the till's business day")


class TopUpResult(Shape):
    topup_id: str
    transaction_id: int
    member_id: str
    amount_fen: int
    bonus_fen: int
    rule_id: str | None
    rule_name: str | None
    balance_fen: int = Field(description="the whole stored value, bonus included")
    bonus_balance_fen: int = Field(description="the part of it that is bonus (spent last)")


class TopUpRefundRequest(RequestShape):
    amount_fen: int = Field(
        ge=1, le=TOKEN_MAX_FEN, description="fen of the paid amount to give back"
    )


class TopUpRefundResult(Shape):
    topup_id: str
    transaction_id: int
    member_id: str
    amount_fen: int
    forfeited_bonus_fen: int
    balance_fen: int
    bonus_balance_fen: int


def add_topup_routes(app: CloudAPI, service: CloudService) -> None:
    topups = service.topups

    @app.post(
        "/v1/stored-value/topups",
        summary="A stored-value top-up paid at a till: the brand's bonus rules apply",
        response_model=TopUpResult,
        responses={
            **v1(
                {
                    400: "idempotency_key_required, bad_request, bad_amount",
                    404: "unknown_member",
                    409: "topup_exists",
                    422: "idempotency_key_reused",
                }
            ),
            **SIGNED,
        },
        openapi_extra=request_body(TopUpRequest),
    )
    async def top_up(till: Till, idempotency_key: Key) -> Response:
        status, resp = await run_in_threadpool(
            topups.top_up, till.device_id, idempotency_key, till.body
        )
        return JSONResponse(resp, status_code=status)

    @app.post(
        "/v1/stored-value/topups/{topup_id}/refunds",
        summary="Refund (part of) a top-up: its bonus is forfeited first",
        response_model=TopUpRefundResult,
        responses={
            **v1(
                {
                    400: "idempotency_key_required, bad_request, bad_amount",
                    404: "unknown_topup",
                    409: "insufficient_funds: the member spent the stored value since; "
                    "refund_too_large: more than is left of the top-up",
                    422: "idempotency_key_reused",
                }
            ),
            **SIGNED,
        },
        openapi_extra=request_body(TopUpRefundRequest),
    )
    async def refund(till: Till, topup_id: TopUpId, idempotency_key: Key) -> Response:
        status, resp = await run_in_threadpool(
            topups.refund, till.device_id, topup_id, idempotency_key, till.body
        )
        return JSONResponse(resp, status_code=status)


__all__ = ["add_topup_routes"]
