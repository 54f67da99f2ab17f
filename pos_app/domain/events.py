"""Business event types written to the outbox (specs/sync-protocol.md) and their schema
versions.  Payload fields are documented in docs/events.md."""

from __future__ import annotations

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
