"""Selling and returning: the use cases that end in one journal transaction each.

Rule 1 of the house: completing a sale is one transaction (sale, lines, payments, journal
entry, receipt number and outbox events).  Rule 2: side effects (printing, drawer, sync)
follow the commit through `after_commit` listeners and can never roll a paid sale back.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from pos_app.domain import events
from pos_app.domain.errors import NotFound, StateError
from pos_app.domain.ports import Clock
from pos_app.domain.returns import (
    ReturnRequest,
    plan_refund_lines,
    refund_payload,
    refund_tenders,
)
from pos_app.domain.sale import Approval, Sale, Sellable
from pos_app.domain.timeutil import iso_utc
from pos_app.domain.users import User

from .context import TillIdentity
from .unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

Listener = Callable[[dict[str, Any]], None]


class SaleService:
    def __init__(
        self, uow: AbstractUnitOfWork, clock: Clock, lookup: Callable[[str], Sellable]
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.lookup = lookup
        self.after_commit: list[Listener] = []
        # Run inside the sale's or refund's transaction after its rows are written (e.g. stock
        # movements): an exception rolls the whole sale back.  A refund payload has `refund_id`.
        self.in_transaction: list[Listener] = []
        self._identity: TillIdentity | None = None

    @property
    def identity(self) -> TillIdentity:
        if self._identity is None:
            self._identity = TillIdentity.load(self.uow)
        return self._identity

    def _shift(self) -> dict[str, Any]:
        shift = self.uow.shifts.find_open()
        if shift is None:
            raise StateError(
                "No shift is open: open one first (guitai shift open --float AMOUNT)",
                "尚未开班：请先开班（guitai shift open --float 金额）",
            )
        return shift

    def new_sale(self, cashier: User) -> Sale:
        self._shift()
        return Sale(
            cashier=cashier.name,
            cashier_roles=cashier.roles,
            started_at=self.clock.now(),
            limits=self.identity.limits,
            max_total_fen=self.identity.max_sale_fen,
        )

    def scan(self, sale: Sale, code: str, qty: int = 1) -> None:
        item = self.lookup(code)
        sale.add(
            item,
            qty,
            barcode=code if code != item.sku else "",
            style=str(getattr(item, "style", "")),
            colour=str(getattr(item, "colour", "")),
            size=str(getattr(item, "size", "")),
        )

    def complete(self, sale: Sale, within: Listener | None = None) -> dict[str, Any]:
        """Commit a fully paid sale; returns its payload with `_entry_hash`.

        `within` runs inside the same transaction (attaching card and wallet approvals, so an
        approval and its sale commit together or not at all)."""
        ident = self.identity
        now = iso_utc(self.clock.now())
        with self.uow:
            shift = self._shift()
            receipt_no = self.uow.sales.next_receipt_no()
            payload = sale.completion_payload(
                receipt_no=receipt_no,
                completed_at=now,
                business_day=shift["business_day"],
                shift_id=int(shift["id"]),
                store_id=ident.store_id,
                till_no=ident.till_no,
            )
            seq, prev, digest = self.uow.journal.append("sale", sale.id, payload, now)
            self.uow.sales.add("sale", payload, seq)
            self.uow.outbox.add(events.SALE_COMPLETED, payload, now, prev, digest)
            for v in sale.voided_lines:
                self.uow.audit.add_void(
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
                self._audit(a, sale.cashier, {"sale_id": sale.id, "receipt_no": receipt_no}, now)
            for hook in self.in_transaction:
                hook(payload)
            if within is not None:
                within(payload)
            self.uow.commit()
        sale.mark_completed()
        payload = dict(payload, _entry_hash=digest)
        self._notify(payload)
        return payload

    def _audit(self, a: Approval, user: str, details: dict[str, Any], now: str) -> None:
        self.uow.audit.add(a.action, user, a.approver, a.reason, details, now)
        self.uow.outbox.add(
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

    def _notify(self, payload: dict[str, Any]) -> None:
        for listener in self.after_commit:
            try:
                listener(payload)
            except Exception:  # a printer or sync failure never undoes a paid sale
                log.exception("after-commit step failed for receipt %s", payload["receipt_no"])

    def void(self, sale: Sale, reason: str) -> None:
        """Void an unfinished sale; recorded (no receipt number is used)."""
        now = iso_utc(self.clock.now())
        with self.uow:
            shift = self._shift()
            record = sale.void(reason)
            record.update(business_day=shift["business_day"], voided_at=now)
            self.uow.audit.add_void(
                int(shift["id"]),
                "sale",
                sale.id,
                sale.cashier,
                record["reason"],
                sum(ln.qty for ln in sale.lines),
                int(record["total_fen"]),
                now,
            )
            self.uow.outbox.add(events.SALE_VOIDED, record, now)
            self.uow.commit()

    def suspend(self, sale: Sale, label: str = "") -> int:
        from .suspend import sale_to_json

        if sale.tenders:
            raise StateError(
                "Payment has started: finish or cancel it before suspending",
                "已开始付款，请先完成或取消付款再挂单",
            )
        with self.uow:
            result = self.uow.suspended.add(
                sale.cashier, label, sale_to_json(sale), iso_utc(self.clock.now())
            )
            self.uow.commit()
            return result

    def resume(self, sid: int, cashier: User) -> Sale:
        from .suspend import sale_from_json

        with self.uow:
            data = self.uow.suspended.take(sid)
            self.uow.commit()
        if data is None:
            raise NotFound(f"No suspended sale {sid}", f"没有挂单 {sid}")
        sale = sale_from_json(data, self.identity.limits)
        sale.cashier, sale.cashier_roles = cashier.name, cashier.roles
        sale.max_total_fen = self.identity.max_sale_fen
        return sale

    # ---- returns -------------------------------------------------------------------------

    def original(self, receipt_no: int) -> dict[str, Any]:
        p = self.uow.sales.payload(receipt_no=receipt_no)
        if p is None or p.get("_kind") != "sale":
            raise NotFound(
                f"No sale with receipt number {receipt_no} on this till",
                f"本机没有小票号为 {receipt_no} 的销售",
            )
        return p

    def plan_refund(
        self, receipt_no: int, requests: list[ReturnRequest] | None, mode: str = "cash"
    ) -> dict[str, Any]:
        """What a refund would give back (lines, tenders), without writing anything."""
        original = self.original(receipt_no)
        returned = self.uow.sales.returned_qty(original["sale_id"])
        lines = plan_refund_lines(original, returned, requests)
        amount = sum(int(x["amount_fen"]) for x in lines)
        payments = refund_tenders(
            original, self.uow.sales.refunded_by_tender(original["sale_id"]), amount, mode
        )
        return {
            "refund_id": str(uuid.uuid4()),
            "original": original,
            "returned": returned,
            "lines": lines,
            "payments": payments,
        }

    def refund(
        self,
        cashier: User,
        receipt_no: int,
        requests: list[ReturnRequest] | None,
        mode: str = "cash",
        reason: str = "",
        approvals: list[Approval] | None = None,
        payout: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None,
        within: Listener | None = None,
    ) -> dict[str, Any]:
        """Refund against an original sale, in one transaction with its own receipt number.

        `payout` gives money back to non-cash tenders before the commit (the one device call a
        transaction may depend on) and returns the payments with their references; `within`
        runs inside the commit (attaching those refunds)."""
        ident = self.identity
        self._shift()
        plan = self.plan_refund(receipt_no, requests, mode)
        payments = payout(plan) if payout else plan["payments"]
        now = iso_utc(self.clock.now())
        refund_id = plan["refund_id"]
        original = plan["original"]
        with self.uow:
            shift = self._shift()
            if self.uow.sales.returned_qty(original["sale_id"]) != plan["returned"]:
                raise StateError(
                    "This receipt was returned against meanwhile: start again",
                    "该小票刚刚已办理退货，请重新操作",
                )
            new_no = self.uow.sales.next_receipt_no()
            payload = refund_payload(
                refund_id=refund_id,
                original=original,
                lines=plan["lines"],
                payments=payments,
                receipt_no=new_no,
                completed_at=now,
                business_day=shift["business_day"],
                shift_id=int(shift["id"]),
                cashier=cashier.name,
                reason=reason,
                approvals=[a.as_dict() for a in approvals or []],
            )
            payload["store_id"], payload["till_no"] = ident.store_id, ident.till_no
            seq, prev, digest = self.uow.journal.append("refund", refund_id, payload, now)
            self.uow.sales.add("refund", payload, seq)
            self.uow.outbox.add(events.REFUND_COMPLETED, payload, now, prev, digest)
            for a in approvals or []:
                self._audit(a, cashier.name, {"refund_id": refund_id, "receipt_no": new_no}, now)
            for hook in self.in_transaction:
                hook(payload)
            if within is not None:
                within(payload)
            self.uow.commit()
        payload = dict(payload, _entry_hash=digest)
        self._notify(payload)
        return payload
