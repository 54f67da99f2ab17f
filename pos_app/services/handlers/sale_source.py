"""How a return finds the sale it is taken against, and what of it is left to return.

This till's own sales are in its journal.  A sale of another till of the store comes from the
store's records the cloud published to every till (`SaleSource`, pos_app/adapters/db/
repositories/sibling_sales.py), so it is found with the cloud down; what was returned of it
is summed across tills: the refunds the records list from the other tills, plus this till's
own.  A sale of another store is not among them: refused here with the reason."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from pos_app.domain.errors import (
    CloudFailed,
    CloudRefused,
    CloudUnreachable,
    GuitaiError,
    NotFound,
    RuleViolation,
)
from pos_app.domain.offline_returns import offline_original
from pos_app.domain.return_rules import ReturnRules
from pos_app.domain.sold_at import SoldAt

from ..context import TillIdentity
from ..unit_of_work import AbstractUnitOfWork

if TYPE_CHECKING:  # deps imports this module for its ports
    from .deps import SaleDeps


class SaleSource(Protocol):
    """The store's sales published by the cloud, read in the caller's transaction."""

    def sibling_sale(self, store_id: str, till_no: int, receipt_no: int) -> dict[str, Any] | None:
        """The sale as an original for a return (`_kind` "sale", `_sold_at`), or None."""
        ...

    def returned(self, sale_id: str) -> dict[int, int]:
        """Per line, what refunds took back beyond this till's rows that name the sale as
        their original: the store's other tills' (from the records) and, for a sibling
        till's sale, this till's own."""
        ...

    def refunded_by_tender(self, sale_id: str) -> dict[str, int]:
        """Per tender, what those refunds gave back (positive fen)."""
        ...

    def note_refund(self, refund_id: str, sale_id: str) -> None:
        """Inside the commit: this till's refund `refund_id` was of the sibling's `sale_id`."""
        ...


class RemoteSales(Protocol):
    """The cloud, online: another store's sale behind an e-receipt, and the reservation of a
    return's quantities.  Raises CloudUnreachable when the cloud cannot be reached at all,
    CloudFailed when it answers with an error of its own, CloudRefused when it refuses."""

    def sale_by_token(self, token: str) -> dict[str, Any]:
        """`GET /v1/receipts/{token}`: verdict, store_id, till_no, payload, returns."""
        ...

    def reserve(self, refund_id: str, sale_id: str, lines: Sequence[tuple[int, int]]) -> None: ...

    def release(self, refund_id: str) -> None: ...

    def no_receipt_refunds(self, phone_key: str, since: str) -> list[str]:
        """`GET /v1/returns/no-receipt-count`: the refund ids of a member's returns without a
        receipt at every store since then (the brand's cap)."""
        ...


def find_original(
    uow: AbstractUnitOfWork,
    receipt_no: int,
    sold_at: SoldAt | None,
    here: TillIdentity,
    source: SaleSource | None,
    remote: RemoteSales | None = None,
    rules: ReturnRules | None = None,
) -> dict[str, Any] | None:
    """The sale of another till or store, or None when it is this till's (look there).
    `rules`: the brand's; where they allow it, another store's receipt is taken back with
    the cloud out of reach as far as its token proves it (pos_app.domain.offline_returns)."""
    if sold_at is None or sold_at.is_here(here.store_id, here.till_no):
        return None
    if sold_at.store_id not in (None, here.store_id):
        if sold_at.ereceipt and remote is not None:
            try:
                return other_store_sale(remote, sold_at, receipt_no)
            except CloudOut:
                offline = offline_other_store(sold_at, receipt_no, rules)
                if offline is None:
                    raise
                return offline
        offline = offline_other_store(sold_at, receipt_no, rules)
        if offline is not None:
            return offline
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


class CloudOut(RuleViolation):
    """Another store's sale could not be asked for: the cloud could not be reached.  Only
    this opens the offline path; a refusal or a server error is the cloud's answer."""


def offline_other_store(
    sold_at: SoldAt, receipt_no: int, rules: ReturnRules | None
) -> dict[str, Any] | None:
    """Another store's receipt as its verified token proves it, where the brand takes such
    receipts back offline (the rules' limit and approval are judged with the refund); None
    where it does not, or for a gift receipt (no money back, and no lines to exchange)."""
    proof = sold_at.proof
    if rules is None or not rules.offline_other_store or proof is None or proof.gift:
        return None
    return offline_original(receipt_no, str(sold_at.store_id), sold_at.till_no, proof)


def other_store_sale(remote: RemoteSales, sold_at: SoldAt, receipt_no: int) -> dict[str, Any]:
    """Another store's sale as the cloud holds it, with what is left of it to return
    (refunded and reserved by every till of the brand), asked for while online."""
    try:
        found = remote.sale_by_token(str(sold_at.ereceipt))
    except CloudFailed as err:
        raise CloudFailed(
            f"Receipt {receipt_no} of store {sold_at.store_id}: the cloud had an error looking "
            f"up the sale ({err.message}). Nothing was refunded: try again",
            f"小票 {receipt_no}（门店 {sold_at.store_id}）：云端查询销售记录时出错"
            f"（{err.message_zh}）。未退款：请重试",
        ) from err
    except CloudRefused as err:
        raise CloudRefused(
            err.status,
            err.error_code,
            f"Receipt {receipt_no} of store {sold_at.store_id}: {err.message}. Nothing was "
            "refunded: send the customer to that store, or call head office",
            f"小票 {receipt_no}（门店 {sold_at.store_id}）：{err.message_zh}。未退款："
            "请顾客到原门店办理，或联系总部",
        ) from err
    except CloudUnreachable as err:
        raise CloudOut(
            f"Receipt {receipt_no} of store {sold_at.store_id} is genuine, but a return of "
            f"another store's sale needs the cloud, which did not answer ({err.message}): try "
            "again when the till is online, or send the customer to that store",
            f"小票 {receipt_no}（门店 {sold_at.store_id}）为真实小票，但其他门店的退货需联网"
            f"向云端核实，云端未响应（{err.message_zh}）：请联网后重试，或请顾客到原门店办理",
        ) from err
    payload = found.get("payload") or {}
    if (
        found.get("verdict") != "genuine"
        or found.get("type") != "sale.completed"
        or not payload.get("sale_id")
    ):
        raise RuleViolation(
            f"Receipt {receipt_no} of store {sold_at.store_id} is not a synced sale in the "
            f"cloud (verdict {found.get('verdict')}): it cannot be returned here yet",
            f"云端没有门店 {sold_at.store_id} 小票 {receipt_no} 的销售记录"
            f"（{found.get('verdict')}）：暂不能在本店退货",
        )
    original = dict(payload)
    # a terminal's or provider's reference works only at the till that took the payment
    original["payments"] = [
        {k: v for k, v in p.items() if k != "reference"} for p in payload.get("payments", [])
    ]
    original["_kind"] = "sale"
    original["_sold_at"] = {"store_id": found.get("store_id"), "till_no": found.get("till_no")}
    original["_returned"] = {
        int(r["line_no"]): int(r["refunded_qty"]) + int(r["reserved_qty"])
        for r in found.get("returns") or []
        if int(r["refunded_qty"]) + int(r["reserved_qty"])
    }
    return original


@contextmanager
def held(remote: RemoteSales | None, plan: dict[str, Any]) -> Iterator[None]:
    """Another store's sale: its quantities are reserved in the cloud before any money
    moves, and given back when the refund does not go through; the refund event commits the
    reservation when it syncs.  Two stores racing for one line: the second is refused here."""
    original = plan["original"]
    if "_returned" not in original or remote is None:
        yield
        return
    refund_id = str(plan["refund_id"])
    lines = [(int(x["line_no"]), int(x["qty"])) for x in plan["lines"]]
    try:
        remote.reserve(refund_id, str(original["sale_id"]), lines)
    except GuitaiError as err:
        raise RuleViolation(
            f"The cloud did not hold these items for the return ({err.message}): nothing was "
            "refunded; they may have been returned at another store meanwhile",
            f"云端未能锁定本次退货的商品（{err.message_zh}）：未退款；该商品可能刚在其他门店退货",
        ) from err
    try:
        yield
    except BaseException:
        try:
            remote.release(refund_id)
        except GuitaiError:
            pass  # held for minutes only: the cloud gives it back by itself
        raise


def returned_qty(
    uow: AbstractUnitOfWork, original: dict[str, Any], source: SaleSource | None
) -> dict[int, int]:
    """Per line, what was returned so far, summed across the store's tills (this till's own
    refunds and those the cloud's records list); for another store's sale, what the cloud
    said (the reservation holds it from there)."""
    if "_returned" in original:
        return dict(original["_returned"])
    out = uow.sales.returned_qty(original["sale_id"])
    if source is None:
        return out
    for line_no, qty in source.returned(original["sale_id"]).items():
        out[line_no] = out.get(line_no, 0) + qty
    # two tills that refunded one line while offline took back more than was sold: nothing
    # of it is left (the cloud flags the excess), never a negative quantity
    sold = {int(ln["line_no"]): int(ln["qty"]) for ln in original["lines"]}
    return {n: min(q, sold.get(n, q)) for n, q in out.items()}


def refunded_by_tender(
    uow: AbstractUnitOfWork, original: dict[str, Any], source: SaleSource | None
) -> dict[str, int]:
    out = uow.sales.refunded_by_tender(original["sale_id"])
    if source is None or "_returned" in original:
        return out
    for tender, fen in source.refunded_by_tender(original["sale_id"]).items():
        out[tender] = out.get(tender, 0) + fen
    return out


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


def original_elsewhere(
    uow: AbstractUnitOfWork, receipt_no: int, sold_at: SoldAt, deps: SaleDeps
) -> dict[str, Any]:
    """The returns screen's view of another till's or store's sale: its lines with what is
    still returnable, and where it was sold."""
    here = deps.identity()
    found = find_original(
        uow, receipt_no, sold_at, here, deps.elsewhere, deps.remote, deps.return_rules()
    )
    if found is None:
        raise NotFound(
            f"Receipt {receipt_no} is this till's: type its number",
            f"小票 {receipt_no} 是本机的：请直接输入小票号",
        )
    returned = returned_qty(uow, found, deps.elsewhere)
    lines = [
        dict(ln, returnable_qty=max(0, int(ln["qty"]) - returned.get(int(ln["line_no"]), 0)))
        for ln in found["lines"]
    ]
    return dict(found, lines=lines, cashier=found.get("cashier", ""))
