"""The wire shapes of the cloud's HTTP API as pydantic models: the OpenAPI document is
generated from them and from the routes that name them (api_routes.py).

They describe; they do not parse.  A signed request's body is verified byte for byte before
it is read as JSON (sync/signing.py), and the service checks its fields with the error codes
the tills know (bad_batch, bad_amount …), so the routes read the raw body and these models
are the contract that schemathesis holds the answers to."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from pos_app.domain.sale_limits import TOKEN_MAX_FEN

from .common import INT64_MAX, INT64_MIN


class Shape(BaseModel):
    # Answers may grow fields (the protocol adds rather than renames): a client ignores them.
    model_config = ConfigDict(extra="allow")


# Any JSON value a request may carry where the protocol names no type: the cloud refuses a
# number beyond 64 bits anywhere in a body (400; common.load_json), so the document says so.
JSON_VALUE_REF: JsonDict = {"$ref": "#/components/schemas/JsonValue"}
JSON_VALUE: dict[str, Any] = {
    "description": "any JSON value whose numbers fit in 64 bits (a larger one: 400)",
    "anyOf": [
        {"type": ["string", "boolean", "null"]},
        {"type": "number", "minimum": INT64_MIN, "maximum": INT64_MAX},
        {"type": "array", "items": JSON_VALUE_REF},
        {"type": "object", "additionalProperties": JSON_VALUE_REF},
    ],
}


class RequestShape(BaseModel):
    # A request may carry fields the cloud does not read (a newer till's): they are ignored.
    model_config = ConfigDict(
        extra="allow", json_schema_extra={"additionalProperties": JSON_VALUE_REF}
    )


class ErrorDetail(Shape):
    code: str = Field(description="snake_case, stable: what a program branches on")
    message: str = Field(description="a human sentence saying what to do next")


class Error(Shape):
    """Every non-2xx answer (specs/sync-protocol.md)."""

    error: ErrorDetail


class EnrollDevice(RequestShape):
    model: str | None = None
    serial: str | None = None
    app_version: str | None = None
    till_no: int | None = Field(
        None, ge=1, le=999, description="the number the till was set up with"
    )
    store_id: str | None = Field(None, description="the store the till was set up for")


class EnrollRequest(RequestShape):
    code: str
    public_key: str = Field(json_schema_extra={"contentEncoding": "base64"})
    device: EnrollDevice | None = None


class EnrollResponse(Shape):
    device_id: str
    store_id: str
    till_no: int
    key_id: str
    ereceipt_base_url: str
    server_time: str = Field(json_schema_extra={"format": "date-time"})


HASH = r"^[0-9a-f]{64}$"


class Event(Shape):
    id: str = Field(json_schema_extra={"format": "uuid"})
    type: str
    schema_: Literal[1] | None = Field(None, alias="schema")
    seq: int = Field(ge=1)
    occurred_at: str = Field(json_schema_extra={"format": "date-time"})
    payload: dict[str, Any]
    prev_entry_hash: str | None = Field(None, pattern=HASH)
    entry_hash: str | None = Field(None, pattern=HASH)


class EventEnvelope(RequestShape):
    """What the batch itself requires of an event: a UUID id (else 400 bad_batch).  The rest
    is checked event by event: one that does not fit the Event schema comes back in
    `rejected` with its reason, and the others of the batch are stored."""

    id: str = Field(json_schema_extra={"format": "uuid"})


class PushRequest(RequestShape):
    events: list[EventEnvelope] = Field(
        max_length=500, description="each one an Event (components/schemas/Event)"
    )


class Rejection(Shape):
    id: str
    code: str
    reason: str


class PushResult(Shape):
    accepted: list[str]
    duplicates: list[str]
    rejected: list[Rejection]
    contiguous_seq: int


ChangeKind = Literal[
    "product",
    "price",
    "promotion",
    "member",
    "coupon",
    "device_key",
    "config",
    "stock",
    "stock_doc",
]


class Change(Shape):
    kind: ChangeKind
    op: Literal["upsert", "delete"]
    key: str
    data: Any


class ChangesPage(Shape):
    changes: list[Change]
    next_cursor: str
    more: bool


class Member(Shape):
    id: str
    phone: str | None = None
    name: str | None = None
    tier: str | None = None
    points: int
    stored_value_fen: int


class CouponRedemption(RequestShape):
    code: str
    member_id: str | None = None
    sale_id: str


class CouponRelease(RequestShape):
    code: str
    sale_id: str


class CouponRedeemed(Shape):
    code: str
    sale_id: str
    redeemed: bool


class CouponReleased(Shape):
    code: str
    sale_id: str
    released: bool


class StoredValueRequest(RequestShape):
    member_id: str
    amount_fen: int = Field(ge=1, le=TOKEN_MAX_FEN, description="fen; at most the largest sale")
    reference: Any = Field(
        None, description="kept as its text", json_schema_extra={"anyOf": [JSON_VALUE_REF]}
    )


class StoredValueResult(Shape):
    transaction_id: int
    member_id: str
    amount_fen: int
    direction: str
    balance_fen: int


class StockStore(Shape):
    store_id: str
    name: str
    distance_km: float | None
    skus: dict[str, int]


class StockGrid(Shape):
    style: str
    skus: list[str]
    stores: list[StockStore]


class ReceiptLookup(Shape):
    verdict: Literal["genuine", "altered", "unknown_till", "revoked_till"]
    receipt_no: int
    issued_at: int
    total_fen: int
    key_id: str
    store_id: str | None
    till_no: int | None
    synced: bool
    type: str | None
    payload: dict[str, Any] | None
    entry_hash: str | None
    member_id: str | None
    # issue 20: what is left to return of a synced sale, by line (None: not a synced sale)
    returns: list[dict[str, int]] | None = Field(
        None,
        description="per line: line_no, sold_qty, refunded_qty (every till and store), "
        "reserved_qty (returns in progress), returnable_qty",
    )


class FollowResult(Shape):
    counted: bool


class FollowRefused(Error):
    """A token that is not one: the error body, and `counted` the page's script reads."""

    counted: Literal[False]


class Health(Shape):
    status: Literal["ok"]


class Ready(Shape):
    status: Literal["ready"]
    database: str


# ---- 发票 from the e-receipt page (cloud/fapiao_routes.py) ------------------------------


class FapiaoApplication(RequestShape):
    kind: Literal["personal", "company"]
    title: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[^<>\x00-\x1f\x7f]*[^<>\x00-\x20\x7f][^<>\x00-\x1f\x7f]*$",
        description="the buyer: a person's or a company's name (no < or >)",
    )
    tax_id: str | None = Field(
        default=None,
        description="company: the 18-character 统一社会信用代码 (GB 32100-2015 check digit)",
    )
    email: str | None = Field(default=None, description="where the invoice is sent, or phone")
    phone: str | None = Field(default=None, description="a mainland mobile number, or email")


class VatLineOut(Shape):
    rate_bp: int
    gross_fen: int
    vat_fen: int


class FapiaoReversal(Shape):
    state: Literal["pending", "issued", "failed"]
    state_zh: str
    total_fen: int
    number: str | None
    pdf_url: str | None
    reason: str | None


class FapiaoState(Shape):
    """A receipt's invoice as whoever holds the paper sees it (contact masked)."""

    state: Literal["pending", "issued", "failed"]
    state_zh: str = Field(description="申请中 / 已开具 / 失败")
    kind: Literal["personal", "company"]
    title: str
    tax_id: str | None
    email: str | None
    phone: str | None
    total_fen: int
    lines: list[VatLineOut]
    number: str | None
    pdf_url: str | None
    reason: str | None = Field(description="why it failed, as the provider said")
    requested_at: str
    reversals: list[FapiaoReversal] = Field(description="红冲 of refunds after invoicing")


class FapiaoView(Shape):
    available: bool = Field(description="the brand issues e-invoices online")
    synced: bool = Field(description="the sale has reached the cloud (needed to ask)")
    fapiao: FapiaoState | None
