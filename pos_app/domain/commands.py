"""What the till is asked to do: one frozen command per use case, handled by one handler in
`pos_app.services.handlers` that opens the unit of work, books everything the change needs
with plain calls, and commits."""

from __future__ import annotations

from dataclasses import dataclass

from .returns import ReturnRequest
from .sale import Approval, Sale
from .sold_at import SoldAt
from .users import User


@dataclass(frozen=True, slots=True)
class CompleteSale:
    """Commit a fully paid sale.  `attempt_ids`: the card and wallet approvals it takes, each
    attached to the sale inside its transaction (house rule 3)."""

    sale: Sale
    attempt_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RefundSale:
    """Give back (part of) a sale under a new receipt number; `requests` None: all of it."""

    cashier: User
    receipt_no: int
    requests: tuple[ReturnRequest, ...] | None
    mode: str = "cash"  # "cash", or "original": back to the tenders the sale was paid with
    reason: str = ""
    approvals: tuple[Approval, ...] = ()
    sold_at: SoldAt | None = None  # None: a sale of this till


@dataclass(frozen=True, slots=True)
class VoidSale:
    """Void an unfinished sale (recorded; no receipt number is used)."""

    sale: Sale
    reason: str


@dataclass(frozen=True, slots=True)
class OpenShift:
    user: User
    float_fen: int


@dataclass(frozen=True, slots=True)
class MoveCash:
    """Pay in, pay out or open the drawer without a sale (no_sale)."""

    user: User
    kind: str
    amount_fen: int
    reason: str


@dataclass(frozen=True, slots=True)
class CloseShift:
    """The Z: close the shift and the business day with the counted cash."""

    user: User
    counted_fen: int
