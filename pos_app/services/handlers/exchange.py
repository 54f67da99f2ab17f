"""An exchange (换货): goods taken back and new goods sold in one transaction, one receipt.

The journal keeps its two kinds of entry (specs: a refund and a sale, each chained and each
with its own receipt number), so the chain, the cloud's checks and the e-receipt token stay as
specified.  What ties them is a tender, 换货抵扣 (`exchange`): the refund gives the returned
goods' value out as exchange credit, the sale takes it in.  When the new goods cost more the
customer pays the difference on the sale (taken before the commit, like any payment); when
they cost less the refund gives the balance back, in cash or to the original tenders (card
and wallet money through the terminal or provider, before the commit: house rule 3).  The one
receipt printed is the sale's: its payload's `exchange` names the refund and lists the
returned lines, which the receipt prints negative above the new ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pos_app.domain import events
from pos_app.domain.commands import CompleteSale
from pos_app.domain.errors import RuleViolation, StateError
from pos_app.domain.events import Event
from pos_app.domain.offline_returns import refund_mark
from pos_app.domain.return_rules import CASH, NONE, ORIGINAL, ReturnCase, enforce
from pos_app.domain.returns import ReturnRequest, refund_payload, refund_tenders
from pos_app.domain.sale import Approval, Sale
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.tenders import PAYMENT_TENDERS, Tender
from pos_app.domain.timeutil import iso_utc
from pos_app.domain.users import User

from .. import payments, stock
from ..messagebus import MessageBus
from ..unit_of_work import AbstractUnitOfWork
from . import sale_source
from .deps import SaleDeps, require_open_shift
from .refunds import cash_out, check_drawer, pay_back, plan_refund
from .sales import book_approval, complete_sale

if TYPE_CHECKING:  # services.members imports the checkout, which imports the handlers
    from ..members.ledger import MemberLedger
    from ..members.returns import MemberReturns
    from ..payments import PaymentService

TextCallback = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class ExchangeGoods:
    """Take back `requests` of receipt `receipt_no` against `sale` (the new goods, priced,
    with the exchange credit and any payment of the difference already among its tenders)."""

    cashier: User
    receipt_no: int
    requests: tuple[ReturnRequest, ...]
    sale: Sale
    refund_mode: str = CASH  # how a balance in the customer's favour goes back
    reason: str = ""
    approvals: tuple[Approval, ...] = ()
    quality: bool = False
    gift: bool = False
    sold_at: SoldAt | None = None  # another till's or store's sale (as `guitai return`)


def plan_exchange(
    uow: AbstractUnitOfWork,
    receipt_no: int,
    requests: tuple[ReturnRequest, ...],
    sale: Sale,
    *,
    sold_at: SoldAt | None = None,
    deps: SaleDeps | None = None,
) -> dict[str, Any]:
    """The returned side (plan_refund's lines), what it is worth (`credit_fen`), the new
    goods' total (`new_fen`) and `difference_fen` (positive: the customer pays it).
    `sold_at`: another till's or store's sale, found as a return finds it (sale_source)."""
    if not requests:
        raise RuleViolation(
            "Name the lines taken back (--return-line N=QTY)",
            "请指定退回的商品行（--return-line 行号=数量）",
        )
    if not sale.lines:
        raise RuleViolation(
            "An exchange needs the new items: scan them (--scan CODE)",
            "换货需要新商品：请扫码（--scan 条码）",
        )
    plan = plan_refund(uow, receipt_no, list(requests), CASH, sold_at=sold_at, deps=deps)
    credit = sum(int(x["amount_fen"]) for x in plan["lines"])
    new = sale.totals().total_fen
    return plan | {"credit_fen": credit, "new_fen": new, "difference_fen": new - credit}


def check_exchange(deps: SaleDeps, plan: dict[str, Any], cmd: ExchangeGoods) -> tuple[int, str]:
    """The brand's return rules on the returned side: (balance given back, how)."""
    balance = max(0, -int(plan["difference_fen"]))
    mode = cmd.refund_mode if balance else NONE
    case = ReturnCase(
        original=plan["original"],
        lines=plan["lines"],
        money_out_fen=balance,
        mode=mode,
        quality=cmd.quality,
        gift=cmd.gift,
        exchange=True,
        approvals=cmd.approvals,
    )
    enforce(deps.return_rules(), case, deps.clock.now(), deps.identity().tz)
    return balance, mode


class HeldEvents(MessageBus):
    """The sale's handler publishes inside the exchange's transaction: its event is held
    until the exchange commits (house rule 2)."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[Event] = []

    def publish(self, event: Event) -> None:
        self.held.append(event)


def exchange_goods(
    cmd: ExchangeGoods,
    deps: SaleDeps,
    *,
    tenders: Callable[[], PaymentService] | None = None,
    member: MemberReturns | None = None,
    ledger: MemberLedger | None = None,
    on_text: TextCallback | None = None,
    plan: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Commit the exchange: {"refund": payload, "sale": payload} (each with `_entry_hash`).
    `plan`: the exchange as planned before the payment of the difference (another store's
    sale: its quantities are reserved in the cloud under the plan's refund id)."""
    uow, sale = deps.uow, cmd.sale
    require_open_shift(uow)
    if plan is None:
        plan = plan_exchange(
            uow, cmd.receipt_no, cmd.requests, sale, sold_at=cmd.sold_at, deps=deps
        )
    balance, mode = check_exchange(deps, plan, cmd)
    credit = sum(t.amount_fen for t in sale.tenders if t.tender is Tender.EXCHANGE)
    if credit != min(plan["credit_fen"], plan["new_fen"]) or sale.totals().due_fen > 0:
        raise StateError(
            "The exchange is not settled: the new items' payment does not match, start again",
            "换货金额未结清：新商品的付款与差额不符，请重新操作",
        )
    original = plan["original"]
    out: list[dict[str, Any]] = []
    if credit:
        out.append({"tender": Tender.EXCHANGE.value, "amount_fen": -credit, "change_fen": 0})
    paid_back: list[str] = []
    other = mode == CASH and any(p["tender"] != Tender.CASH.value for p in original["payments"])
    if balance:
        refunded = sale_source.refunded_by_tender(uow, original, deps.elsewhere)
        back = refund_tenders(original, refunded, balance, mode)
        check_drawer(uow, back, 0, other)
        if mode == ORIGINAL:
            if tenders is not None:
                back = pay_back(tenders, dict(plan, payments=back), paid_back, on_text)
            if member is not None:
                back = member.refund_payout(dict(plan, payments=back))
        out.extend(back)
    held = HeldEvents()
    inner = replace(deps, bus=held)
    ident = deps.identity()
    now = iso_utc(deps.clock.now())
    refund_id = plan["refund_id"]
    with uow:
        shift = require_open_shift(uow)
        if sale_source.returned_qty(uow, original, deps.elsewhere) != plan["returned"]:
            raise StateError(
                "This receipt was returned against meanwhile: start again",
                "该小票刚刚已办理退货，请重新操作",
            )
        refund = refund_payload(
            refund_id=refund_id,
            original=original,
            lines=plan["lines"],
            payments=out,
            receipt_no=uow.sales.next_receipt_no(),
            completed_at=now,
            business_day=shift["business_day"],
            shift_id=int(shift["id"]),
            cashier=cmd.cashier.name,
            reason=cmd.reason,
            approvals=[a.as_dict() for a in cmd.approvals],
        )
        refund["store_id"], refund["till_no"] = ident.store_id, ident.till_no
        refund.update(refund_mark(original))  # another store's receipt taken offline
        refund["exchange"] = {"sale_id": sale.id}
        seq, prev, refund_hash = uow.journal.append("refund", refund_id, refund, now)
        sale_source.add_refund(uow, deps.elsewhere, original, refund, seq)
        uow.outbox.add(events.REFUND_COMPLETED, refund, now, prev, refund_hash)
        for a in cmd.approvals:
            book_approval(uow, a, cmd.cashier.name, {"refund_id": refund_id}, now)
        stock.book_sale(uow, refund)
        if not paid_back:  # no card money moved: still free to refuse
            check_drawer(uow, refund["payments"], cash_out(refund["payments"]), other)
        payments.attach_all(uow, paid_back, refund_id, deps.clock.now())
        if member is not None:
            member.book_refund(refund)
        attempt_ids = tuple(
            t.reference for t in sale.tenders if t.tender in PAYMENT_TENDERS and t.reference
        )
        new = complete_sale(
            CompleteSale(sale, attempt_ids),
            inner,
            ledger,
            extra={"exchange": exchange_note(refund, plan)},
        )
        uow.commit()
    for event in held.held:  # the sale's receipt (with the returned lines) and the sync nudge
        deps.bus.publish(event)
    return {"refund": dict(refund, _entry_hash=refund_hash), "sale": new}


def exchange_note(refund: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """What the sale's payload says of the exchange (its receipt prints it)."""
    return {
        "refund_id": refund["refund_id"],
        "refund_receipt_no": refund["receipt_no"],
        "original_receipt_no": refund["original_receipt_no"],
        "credit_fen": plan["credit_fen"],
        "balance_fen": max(0, -int(plan["difference_fen"])),
        "lines": [
            {k: ln[k] for k in ("line_no", "sku", "name", "qty", "amount_fen")}
            for ln in plan["lines"]
        ],
    }
