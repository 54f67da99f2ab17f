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
    mode: str = "cash"  # "cash", "original" (the tenders the sale was paid with), "store-credit"
    reason: str = ""
    approvals: tuple[Approval, ...] = ()
    # the brand's return rules (pos_app.domain.return_rules): a fault's longer window, and a
    # gift receipt that never gives money back
    quality: bool = False
    gift: bool = False
    sold_at: SoldAt | None = None  # None: a sale of this till
    credit_to: str | None = None  # "store-credit": the member whose stored value takes it


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


@dataclass(frozen=True, slots=True)
class TopUp:
    """Stored value bought at the till (online only).  `tender`: cash, card or a wallet (its
    payment `code`); None: the cloud credits it and no money is recorded at this till (the
    `guitai member topup` of before issue 23, without --cash)."""

    user: User
    member_id: str
    amount_fen: int
    tender: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class RefundTopUp:
    """Give back (part of) a top-up to the tender it was paid with; its bonus goes first.
    `amount_fen` None: all that is left of it."""

    user: User
    topup_ref: str  # the top-up's id or the number on its receipt
    amount_fen: int | None = None


@dataclass(frozen=True, slots=True)
class RefundWithoutReceipt:
    """Take back scanned goods without a receipt (issue 20) at the lowest price of the last
    90 days, a manager approving; `phone`: the customer's (the brand's cap counts by it)."""

    cashier: User
    codes: tuple[str, ...]  # scanned barcodes or SKUs, one per unit
    mode: str = "cash"  # "cash" or "store-credit"
    reason: str = ""
    approvals: tuple[Approval, ...] = ()
    phone: str | None = None
    credit_to: str | None = None  # "store-credit": the member whose stored value takes it
