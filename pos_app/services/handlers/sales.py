"""Completing and voiding a sale (house rule 1: one transaction; rule 2: the side effects
follow the commit as subscribers of `SaleCompleted`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pos_app.domain import events
from pos_app.domain.commands import CompleteSale, VoidSale
from pos_app.domain.events import SaleCompleted
from pos_app.domain.journal import canonical
from pos_app.domain.sale import Approval
from pos_app.domain.timeutil import iso_utc

from .. import payments, stock
from ..unit_of_work import AbstractUnitOfWork
from .deps import SaleDeps, require_open_shift

if TYPE_CHECKING:  # services.members imports the checkout, which imports this module
    from ..members.ledger import MemberLedger


def complete_sale(
    cmd: CompleteSale,
    deps: SaleDeps,
    ledger: MemberLedger | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Commit a fully paid sale; returns its payload with `_entry_hash`.  `ledger`: the
    member ledger books the member's side of the sale (points, stored value, coupon).
    `extra`: fields the payload carries besides the sale's own (an exchange's `exchange`)."""
    sale, uow = cmd.sale, deps.uow
    ident = deps.identity()
    now = iso_utc(deps.clock.now())
    with uow:
        shift = require_open_shift(uow)
        receipt_no = uow.sales.next_receipt_no()
        payload = sale.completion_payload(
            receipt_no=receipt_no,
            completed_at=now,
            business_day=shift["business_day"],
            shift_id=int(shift["id"]),
            store_id=ident.store_id,
            till_no=ident.till_no,
        )
        if extra:
            payload.update(extra)
        # Serialised once: the journal hashes these bytes and the outbox stores them.
        body = canonical(payload)
        seq, prev, digest = uow.journal.append("sale", sale.id, payload, now, body)
        uow.sales.add("sale", payload, seq)
        uow.outbox.add(events.SALE_COMPLETED, payload, now, prev, digest, body)
        for v in sale.voided_lines:
            uow.audit.add_void(
                int(shift["id"]),
                "line",
                sale.id,
                sale.cashier,
                v.reason,
                v.qty,
                v.qty * v.unit_price_fen,
                now,
            )
        for a in sale.approvals:
            book_approval(uow, a, sale.cashier, {"sale_id": sale.id, "receipt_no": receipt_no}, now)
        stock.book_sale(uow, payload)
        if deps.receipt_jobs is not None:
            deps.receipt_jobs.reserve(payload)
        payments.attach_all(uow, cmd.attempt_ids, sale.id, deps.clock.now())
        if ledger is not None:
            ledger.book_sale(payload)
        uow.commit()
    sale.mark_completed()
    payload = dict(payload, _entry_hash=digest)
    deps.bus.publish(SaleCompleted(payload))
    return payload


def void_sale(cmd: VoidSale, deps: SaleDeps) -> None:
    """Void an unfinished sale; recorded (no receipt number is used)."""
    sale, uow = cmd.sale, deps.uow
    now = iso_utc(deps.clock.now())
    with uow:
        shift = require_open_shift(uow)
        record = sale.void(cmd.reason)
        record.update(business_day=shift["business_day"], voided_at=now)
        uow.audit.add_void(
            int(shift["id"]),
            "sale",
            sale.id,
            sale.cashier,
            record["reason"],
            sum(ln.qty for ln in sale.lines),
            int(record["total_fen"]),
            now,
        )
        uow.outbox.add(events.SALE_VOIDED, record, now)
        uow.commit()


def book_approval(
    uow: AbstractUnitOfWork, a: Approval, user: str, details: dict[str, Any], now: str
) -> None:
    """A manager's override, in the audit trail and (for the brand) the outbox."""
    uow.audit.add(a.action, user, a.approver, a.reason, details, now)
    uow.outbox.add(
        events.AUDIT_OVERRIDE,
        {
            "action": a.action,
            "user": user,
            "approver": a.approver,
            "reason": a.reason,
            "details": details,
            "at": now,
        },
        now,
    )
