"""The reservation calls' bodies and answers, as the OpenAPI document declares them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..api_models import RequestShape, Shape


class ReservedLine(Shape):
    line_no: int = Field(ge=1)
    qty: int = Field(ge=1)


class ReturnReservation(RequestShape):
    refund_id: str = Field(description="the refund's UUID: the idempotency key")
    sale_id: str = Field(description="the original sale (ReceiptLookup's payload.sale_id)")
    lines: list[ReservedLine]


class ReturnReserved(Shape):
    refund_id: str
    sale_id: str
    state: Literal["held", "committed", "released"]
    expires_at: str = Field(description="held until then unless the refund event commits it")
    lines: list[ReservedLine]


class ReturnRelease(RequestShape):
    refund_id: str


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
