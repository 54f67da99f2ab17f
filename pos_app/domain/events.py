"""Business event types written to the outbox (specs/sync-protocol.md) and their schema
versions.  Payload fields are documented in docs/events.md.

The string constants are the wire names.  The frozen dataclasses below are the events a
committed use case publishes on the message bus (pos_app.services.messagebus) for what follows
the commit (print, drawer, sync nudge); each names its wire type and gives its wire payload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

SALE_COMPLETED = "sale.completed"
REFUND_COMPLETED = "refund.completed"
SALE_VOIDED = "sale.voided"
SHIFT_OPENED = "shift.opened"
SHIFT_CLOSED = "shift.closed"
CASH_MOVED = "cash.moved"
MEMBER_ENROLLED = "member.enrolled"
MEMBER_UPDATED = "member.updated"
POINTS_EARNED = "points.earned"
POINTS_REDEEMED = "points.redeemed"
STORED_VALUE_DEBITED = "stored_value.debited"
COUPON_REDEEMED = "coupon.redeemed"
AUDIT_OVERRIDE = "audit.override"
DEVICE_STATUS = "device.status"
STOCK_MOVED = "stock.moved"

ALL_TYPES = frozenset(
    {
        SALE_COMPLETED,
        REFUND_COMPLETED,
        SALE_VOIDED,
        SHIFT_OPENED,
        SHIFT_CLOSED,
        CASH_MOVED,
        MEMBER_ENROLLED,
        MEMBER_UPDATED,
        POINTS_EARNED,
        POINTS_REDEEMED,
        STORED_VALUE_DEBITED,
        COUPON_REDEEMED,
        AUDIT_OVERRIDE,
        DEVICE_STATUS,
        STOCK_MOVED,
    }
)

# Events that carry the journal hash chain (prev_entry_hash / entry_hash).
CHAINED = frozenset({SALE_COMPLETED, REFUND_COMPLETED})

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class SaleCompleted:
    """A sale committed; `payload` is the recorded sale plus its journal `_entry_hash`."""

    payload: dict[str, Any]
    type: ClassVar[str] = SALE_COMPLETED

    def wire(self) -> dict[str, Any]:
        """The payload as the outbox carries it (the entry hash travels in its own column)."""
        return {k: v for k, v in self.payload.items() if k != "_entry_hash"}


@dataclass(frozen=True, slots=True)
class RefundCompleted:
    """A refund committed; `payload` is the recorded refund plus its journal `_entry_hash`."""

    payload: dict[str, Any]
    type: ClassVar[str] = REFUND_COMPLETED

    def wire(self) -> dict[str, Any]:
        return {k: v for k, v in self.payload.items() if k != "_entry_hash"}


@dataclass(frozen=True, slots=True)
class CashMoved:
    """A pay-in, pay-out or no-sale committed.  `move` is the recorded row; a handler may add
    what it did to it ("drawer"), which the CLI and the till then show."""

    move: dict[str, Any]
    type: ClassVar[str] = CASH_MOVED

    def wire(self) -> dict[str, Any]:
        return {k: v for k, v in self.move.items() if k != "drawer"}


@dataclass(frozen=True, slots=True)
class ShiftClosed:
    """The Z committed: the shift and the business day are closed; `report` is the Z."""

    report: dict[str, Any]
    type: ClassVar[str] = SHIFT_CLOSED


# Top-ups (issue 23) travel to the cloud by its own online call, not the outbox: these are
# bus events only (what follows the commit: the top-up receipt, the drawer).
TOPUP_COMPLETED = "stored_value.topped_up"
TOPUP_REFUNDED = "stored_value.topup_refunded"


@dataclass(frozen=True, slots=True)
class TopUpCompleted:
    """A top-up committed; `payload` is what its receipt prints."""

    payload: dict[str, Any]
    type: ClassVar[str] = TOPUP_COMPLETED


@dataclass(frozen=True, slots=True)
class TopUpRefunded:
    """A refund of a top-up committed; `refund` is the recorded refund."""

    refund: dict[str, Any]
    type: ClassVar[str] = TOPUP_REFUNDED


Event = SaleCompleted | RefundCompleted | CashMoved | ShiftClosed | TopUpCompleted | TopUpRefunded
