"""Selling and returning: a sale's life at the counter (new, scan, suspend, resume) and the
entry points of its use cases, each one handler in pos_app.services.handlers that ends in one
journal transaction (house rule 1); what follows the commit is published on the message bus
(house rule 2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pos_app.domain.commands import CompleteSale, RefundSale, VoidSale
from pos_app.domain.errors import NotFound, StateError
from pos_app.domain.ports import Clock
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Approval, Sale, Sellable
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.timeutil import iso_utc
from pos_app.domain.users import User

from .context import TillIdentity
from .handlers.deps import SaleDeps, require_open_shift
from .handlers.refunds import original_sale, plan_refund, refund_sale
from .handlers.sale_source import original_elsewhere
from .handlers.sales import complete_sale, void_sale
from .messagebus import MessageBus
from .unit_of_work import AbstractUnitOfWork


class SaleService:
    def __init__(
        self,
        uow: AbstractUnitOfWork,
        clock: Clock,
        lookup: Callable[[str], Sellable],
        bus: MessageBus | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.lookup = lookup
        self._identity: TillIdentity | None = None
        self.deps = SaleDeps(uow, clock, lambda: self.identity, bus or MessageBus())

    @property
    def identity(self) -> TillIdentity:
        if self._identity is None:
            self._identity = TillIdentity.load(self.uow)
        return self._identity

    def new_sale(self, cashier: User) -> Sale:
        require_open_shift(self.uow)
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

    def complete(self, sale: Sale) -> dict[str, Any]:
        """Commit a fully paid sale; returns its payload with `_entry_hash`.  Card and
        wallet approvals are attached by the checkout's `complete`."""
        return complete_sale(CompleteSale(sale), self.deps)

    def void(self, sale: Sale, reason: str) -> None:
        """Void an unfinished sale; recorded (no receipt number is used)."""
        void_sale(VoidSale(sale, reason), self.deps)

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
        return original_sale(self.uow, receipt_no)

    def original_elsewhere(self, receipt_no: int, sold_at: SoldAt) -> dict[str, Any]:
        """Another till's or store's sale for the returns screen: its lines with
        `returnable_qty` summed across tills (sale_source.py), and `sold_at`."""
        return original_elsewhere(self.uow, receipt_no, sold_at, self.deps)

    def plan_refund(
        self,
        receipt_no: int,
        requests: list[ReturnRequest] | None,
        mode: str = "cash",
        sold_at: SoldAt | None = None,
    ) -> dict[str, Any]:
        """What a refund would give back (lines, tenders), without writing anything."""
        return plan_refund(self.uow, receipt_no, requests, mode, sold_at=sold_at, deps=self.deps)

    def refund(
        self,
        cashier: User,
        receipt_no: int,
        requests: list[ReturnRequest] | None,
        mode: str = "cash",
        reason: str = "",
        approvals: list[Approval] | None = None,
    ) -> dict[str, Any]:
        """Refund against an original sale, in one transaction with its own receipt number
        (cash, or the original tenders' references as recorded: the checkout's refund gives
        card and wallet money back)."""
        return refund_sale(
            refund_command(cashier, receipt_no, requests, mode, reason, approvals), self.deps
        )


def refund_command(
    cashier: User,
    receipt_no: int,
    requests: list[ReturnRequest] | None,
    mode: str,
    reason: str,
    approvals: list[Approval] | None,
    *,
    quality: bool = False,
    gift: bool = False,
    sold_at: SoldAt | None = None,
    credit_to: str | None = None,
) -> RefundSale:
    return RefundSale(
        cashier,
        receipt_no,
        tuple(requests) if requests is not None else None,
        mode,
        reason,
        tuple(approvals or ()),
        quality=quality,
        gift=gift,
        sold_at=sold_at,
        credit_to=credit_to,
    )
