"""What the sale and refund handlers work with, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pos_app.domain.errors import StateError
from pos_app.domain.ports import Clock
from pos_app.domain.return_rules import ReturnRules

from ..context import TillIdentity
from ..messagebus import MessageBus
from ..unit_of_work import AbstractUnitOfWork
from .sale_source import RemoteSales, SaleSource


class ReceiptJobs(Protocol):
    """The receipt printer's job queue (pos_app.adapters.receipt_printing)."""

    def reserve(self, payload: dict[str, Any]) -> None:
        """Inside the commit: the receipt's print job, so a till killed right after the
        commit still owes the receipt and prints it at its next start."""


class NoReceiptHistory(Protocol):
    """What a return without a receipt looks up (adapters/db/repositories/no_receipt.py)."""

    def sold_unit_prices(self, sku: str, since: str) -> list[int]:
        """Net unit prices of the SKU in this store's sales since then (this till's and the
        sibling tills' it holds)."""
        ...

    def refunds_since(self, phone_key: str, since: str) -> list[str]:
        """This till's returns without a receipt of the member with that phone key since
        then: their refund ids."""
        ...


@dataclass
class SaleDeps:
    uow: AbstractUnitOfWork
    clock: Clock
    identity: Callable[[], TillIdentity]
    bus: MessageBus
    # Set once printing is wired (`App.side_effects.wire`); None: no receipt is owed.
    receipt_jobs: ReceiptJobs | None = None
    # The brand's return rules as last pulled (set by the composition root); default: none.
    return_rules: Callable[[], ReturnRules] = ReturnRules
    # The store's other tills' sales (returns of a sibling till's sale); None: this till's only.
    elsewhere: SaleSource | None = None
    # The cloud's sales of other stores, and the reservation of a return's quantities.
    remote: RemoteSales | None = None
    # Prices sold at and returns made without a receipt; None: such returns are not taken.
    no_receipt: NoReceiptHistory | None = None


def require_open_shift(uow: AbstractUnitOfWork) -> dict[str, Any]:
    shift = uow.shifts.find_open()
    if shift is None:
        raise StateError(
            "No shift is open: open one first (guitai shift open --float AMOUNT)",
            "尚未开班：请先开班（guitai shift open --float 金额）",
        )
    return shift
