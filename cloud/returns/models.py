"""The reservation calls' bodies and answers, as the OpenAPI document declares them."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from ..api_models import RequestShape, Shape

MAX_INT = 2**31 - 1  # the columns' INTEGER


class ReturnLineRequest(RequestShape):
    line_no: int = Field(ge=1, le=MAX_INT)
    qty: int = Field(ge=1, le=MAX_INT, description="a line named twice: the quantities add up")


class ReservedLine(Shape):
    line_no: int
    qty: int


class ReturnReservation(RequestShape):
    refund_id: uuid.UUID = Field(description="the refund's UUID: the idempotency key")
    sale_id: str = Field(
        min_length=1, description="the original sale (ReceiptLookup's payload.sale_id)"
    )
    lines: list[ReturnLineRequest] = Field(min_length=1)


class ReturnReserved(Shape):
    refund_id: str
    sale_id: str
    state: Literal["held", "committed", "released"]
    expires_at: str = Field(description="held until then unless the refund event commits it")
    lines: list[ReservedLine]


class ReturnRelease(RequestShape):
    refund_id: uuid.UUID


class ReturnReleased(Shape):
    refund_id: str
    released: bool
    state: Literal["released"] | None


class ReturnableLine(Shape):
    line_no: int
    sold_qty: int
    refunded_qty: int = Field(description="by every till and store, never above sold_qty")
    reserved_qty: int = Field(description="held by returns in progress at other tills")
    returnable_qty: int


class NoReceiptCount(Shape):
    phone_key: str
    since: str = Field(description="counted from then (RFC 3339 UTC)")
    count: int = Field(description="the member's returns without a receipt at every store")
    refund_ids: list[str] = Field(description="the refunds counted, oldest first")
