"""How a return finds the sale it is taken against, and what of it is left to return.

This till's own sales are in its journal.  A sale of another till of the store comes from the
store's records the cloud published to every till (`SaleSource`, pos_app/adapters/db/
repositories/sibling_sales.py), so it is found with the cloud down; what was returned of it
is summed across tills: the refunds the records list from the other tills, plus this till's
own.  A sale of another store is not among them: refused here with the reason."""

from __future__ import annotations

from typing import Any, Protocol

from pos_app.domain.errors import NotFound, RuleViolation
from pos_app.domain.sold_at import SoldAt

from ..context import TillIdentity
from ..unit_of_work import AbstractUnitOfWork


class SaleSource(Protocol):
    """The store's sales published by the cloud, read in the caller's transaction."""

    def sibling_sale(self, store_id: str, till_no: int, receipt_no: int) -> dict[str, Any] | None:
        """The sale as an original for a return (`_kind` "sale", `_sold_at`), or None."""
        ...

    def returned(self, sale_id: str) -> dict[int, int]:
        """Per line, what refunds at every till took back (this till's own included)."""
        ...

    def refunded_by_tender(self, sale_id: str) -> dict[str, int]:
        """Per tender, what refunds at every till gave back (positive fen)."""
        ...

    def note_refund(self, refund_id: str, sale_id: str) -> None:
        """Inside the commit: this till's refund `refund_id` was of the sibling's `sale_id`."""
        ...


def find_original(
    uow: AbstractUnitOfWork,
    receipt_no: int,
    sold_at: SoldAt | None,
    here: TillIdentity,
    source: SaleSource | None,
) -> dict[str, Any] | None:
    """The sale of another till or store, or None when it is this till's (look there)."""
    if sold_at is None or sold_at.is_here(here.store_id, here.till_no):
        return None
    if sold_at.store_id not in (None, here.store_id):
        raise RuleViolation(
            f"Receipt {receipt_no} was sold at store {sold_at.store_id}: a return of another "
            "store's sale needs the cloud; scan its e-receipt QR while online",
            f"小票 {receipt_no} 为门店 {sold_at.store_id} 售出：其他门店的小票需联网扫描电子小票"
            "二维码办理退货",
        )
    till = int(sold_at.till_no) if sold_at.till_no is not None else here.till_no
    found = source.sibling_sale(here.store_id, till, receipt_no) if source is not None else None
    if found is None:
        raise NotFound(
            f"No sale with receipt number {receipt_no} of till {till} is known here: sync this "
            "till (guitai sync run) once the cloud is up, or take the return at till "
            f"{till}",
            f"本机没有收银机 {till} 小票号为 {receipt_no} 的销售记录：请在联网后同步"
            f"（guitai sync run），或到收银机 {till} 办理退货",
        )
    return found


def returned_qty(
    uow: AbstractUnitOfWork, original: dict[str, Any], source: SaleSource | None
) -> dict[int, int]:
    """Per line, what was returned so far: this till's refunds, or for a sale of another
    till those of every till of the store."""
    if not original.get("_sold_at") or source is None:
        return uow.sales.returned_qty(original["sale_id"])
    # two tills that refunded one line while offline took back more than was sold: nothing
    # of it is left (the cloud flags the excess), never a negative quantity
    sold = {int(ln["line_no"]): int(ln["qty"]) for ln in original["lines"]}
    return {n: min(q, sold.get(n, q)) for n, q in source.returned(original["sale_id"]).items()}


def refunded_by_tender(
    uow: AbstractUnitOfWork, original: dict[str, Any], source: SaleSource | None
) -> dict[str, int]:
    if not original.get("_sold_at") or source is None:
        return uow.sales.refunded_by_tender(original["sale_id"])
    return source.refunded_by_tender(original["sale_id"])


def add_refund(
    uow: AbstractUnitOfWork,
    source: SaleSource | None,
    original: dict[str, Any],
    payload: dict[str, Any],
    journal_seq: int,
) -> None:
    """The refund's report rows.  A sibling till's sale is not in this till's `sales`: the
    row names no original there (the journal entry and the event do), and the link is kept
    beside it for what is left to return."""
    if not original.get("_sold_at") or source is None:
        uow.sales.add("refund", payload, journal_seq)
        return
    uow.sales.add("refund", dict(payload, original_sale_id=None), journal_seq)
    source.note_refund(payload["refund_id"], original["sale_id"])
