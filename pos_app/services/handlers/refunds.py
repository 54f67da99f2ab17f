"""Giving back (part of) a sale under its own receipt number, in one transaction.

Before the commit, and only then, money goes back through a device or provider (house rule
3): card and wallet refunds through the payment service, stored value through the member
service.  Inside it: the refund, its journal entry and event, stock, the receipt's print
job, the attached refunds and the member's points.  Cash given back through the checkout may
not take the drawer below zero: refused before any terminal call, and checked again inside
the commit against a refund or pay-out that got in meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.domain import events
from pos_app.domain.commands import RefundSale
from pos_app.domain.errors import InvalidInput, NotFound, RuleViolation, StateError
from pos_app.domain.events import RefundCompleted
from pos_app.domain.ids import time_ordered_id
from pos_app.domain.offline_returns import refund_mark
from pos_app.domain.return_rules import STORE_CREDIT
from pos_app.domain.returns import ReturnRequest, plan_refund_lines, refund_payload, refund_tenders
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.tenders import PAYMENT_TENDERS, Tender
from pos_app.domain.timeutil import iso_utc

from .. import payments, stock
from ..drawer import expected_drawer_fen, refund_short
from ..return_policy import check_refund
from ..unit_of_work import AbstractUnitOfWork
from . import sale_source
from .deps import SaleDeps, require_open_shift
from .sales import book_approval

if TYPE_CHECKING:  # services.members imports the checkout, which imports this module
    from ..members.returns import MemberReturns
    from ..payments import PaymentService

TextCallback = Callable[[str, str], None]
STORE_CREDIT_TENDER = Tender.STORE_CREDIT.value


def refund_sale(
    cmd: RefundSale,
    deps: SaleDeps,
    *,
    tenders: Callable[[], PaymentService] | None = None,
    member: MemberReturns | None = None,
    on_text: TextCallback | None = None,
) -> dict[str, Any]:
    """`tenders`: the checkout's refund (the payment service, built when first needed): the
    drawer is checked and "original" gives card and wallet money back.  `member`: stored value
    back to the card ("original") and the member's points settled.  `on_text`: the card
    terminal's texts while a refund to the card runs."""
    uow = deps.uow
    requests = list(cmd.requests) if cmd.requests is not None else None
    if cmd.mode == STORE_CREDIT and (member is None or not cmd.credit_to):
        raise InvalidInput(
            "Store credit goes to a member: give the customer's mobile number (--member PHONE)",
            "退至储值需要会员：请输入顾客手机号（--member 手机号）",
        )
    if tenders is None:  # the refusals come in the order the till has always given them
        require_open_shift(uow)
    plan = plan_refund(uow, cmd.receipt_no, requests, cmd.mode, sold_at=cmd.sold_at, deps=deps)
    check_refund(
        deps.return_rules(),
        deps.clock,
        deps.identity().tz,
        plan,
        mode=cmd.mode,
        approvals=cmd.approvals,
        quality=cmd.quality,
        gift=cmd.gift,
    )
    original = plan["original"]
    other = cmd.mode == "cash" and any(
        p["tender"] != Tender.CASH.value for p in original["payments"]
    )
    if tenders is not None:
        check_drawer(uow, plan["payments"], 0, other)
        require_open_shift(uow)
    with sale_source.held(deps.remote, plan):  # another store's sale: reserved in the cloud
        return refund_planned(cmd, deps, plan, other, tenders, member, on_text)


def refund_planned(
    cmd: RefundSale,
    deps: SaleDeps,
    plan: dict[str, Any],
    other: bool,
    tenders: Callable[[], PaymentService] | None,
    member: MemberReturns | None,
    on_text: TextCallback | None,
) -> dict[str, Any]:
    """The refund once what it takes back is sure: money back first, then the one commit.
    `plan["extra"]`: what the payload says besides (a return without a receipt's block)."""
    refund_id = plan["refund_id"]
    paid_back: list[str] = []  # attempt ids of card and wallet money given back
    out = plan["payments"]
    if cmd.mode == "original":
        if tenders is not None:
            out = pay_back(tenders, plan, paid_back, on_text)
        if member is not None:
            out = member.refund_payout(dict(plan, payments=out))
    credit = None
    if cmd.mode == STORE_CREDIT and member is not None and cmd.credit_to:
        credit = member.store_credit.give(plan, cmd.credit_to)
        ref = f"sc:{refund_id}:{credit['transaction_id']}"
        out = [dict(p, reference=ref) if p["tender"] == STORE_CREDIT_TENDER else p for p in out]
    try:
        payload, digest = _commit(cmd, deps, plan, out, other, tenders, member, paid_back, credit)
    except BaseException:
        if credit is not None and member is not None:  # never money half-moved
            member.store_credit.take_back(refund_id, credit)
        raise
    payload = dict(payload, _entry_hash=digest)
    deps.bus.publish(RefundCompleted(payload))
    return payload


def _commit(
    cmd: RefundSale,
    deps: SaleDeps,
    plan: dict[str, Any],
    out: list[dict[str, Any]],
    other: bool,
    tenders: Callable[[], PaymentService] | None,
    member: MemberReturns | None,
    paid_back: list[str],
    credit: dict[str, Any] | None,
) -> tuple[dict[str, Any], str]:
    """The refund's one transaction: (its payload, its journal entry's hash)."""
    uow = deps.uow
    original = plan["original"]
    ident = deps.identity()
    refund_id = plan["refund_id"]
    now = iso_utc(deps.clock.now())
    with uow:
        shift = require_open_shift(uow)
        if sale_source.returned_qty(uow, original, deps.elsewhere) != plan["returned"]:
            raise StateError(
                "This receipt was returned against meanwhile: start again",
                "该小票刚刚已办理退货，请重新操作",
            )
        new_no = uow.sales.next_receipt_no()
        payload = refund_payload(
            refund_id=refund_id,
            original=original,
            lines=plan["lines"],
            payments=out,
            receipt_no=new_no,
            completed_at=now,
            business_day=shift["business_day"],
            shift_id=int(shift["id"]),
            cashier=cmd.cashier.name,
            reason=cmd.reason,
            approvals=[a.as_dict() for a in cmd.approvals],
        )
        payload["store_id"], payload["till_no"] = ident.store_id, ident.till_no
        payload.update(refund_mark(original))  # another store's receipt taken offline
        payload |= plan.get("extra", {})
        if credit is not None:
            payload["store_credit"] = credit
        seq, prev, digest = uow.journal.append("refund", refund_id, payload, now)
        sale_source.add_refund(uow, deps.elsewhere, original, payload, seq)
        uow.outbox.add(events.REFUND_COMPLETED, payload, now, prev, digest)
        for a in cmd.approvals:
            details = {"refund_id": refund_id, "receipt_no": new_no}
            book_approval(uow, a, cmd.cashier.name, details, now)
        stock.book_sale(uow, payload)
        if deps.receipt_jobs is not None:
            deps.receipt_jobs.reserve(payload)
        if tenders is not None and not paid_back:  # no card money moved: still free to refuse
            check_drawer(uow, payload["payments"], cash_out(payload["payments"]), other)
        payments.attach_all(uow, paid_back, refund_id, deps.clock.now())
        if member is not None:
            member.book_refund(payload)
        uow.commit()
    return payload, digest


def original_sale(uow: AbstractUnitOfWork, receipt_no: int) -> dict[str, Any]:
    p = uow.sales.payload(receipt_no=receipt_no)
    if p is None or p.get("_kind") != "sale":
        raise NotFound(
            f"No sale with receipt number {receipt_no} on this till",
            f"本机没有小票号为 {receipt_no} 的销售",
        )
    return p


def plan_refund(
    uow: AbstractUnitOfWork,
    receipt_no: int,
    requests: list[ReturnRequest] | None,
    mode: str,
    *,
    sold_at: SoldAt | None = None,
    deps: SaleDeps | None = None,
) -> dict[str, Any]:
    """What a refund would give back (lines, tenders), without writing anything.  `sold_at`:
    the sale is another till's (found through `deps.elsewhere`, sale_source.py)."""
    source = deps.elsewhere if deps is not None else None
    found = None
    if sold_at is not None and deps is not None:
        found = sale_source.find_original(
            uow, receipt_no, sold_at, deps.identity(), source, deps.remote, deps.return_rules()
        )
    original = found if found is not None else original_sale(uow, receipt_no)
    returned = sale_source.returned_qty(uow, original, source)
    lines = plan_refund_lines(original, returned, requests)
    amount = sum(int(x["amount_fen"]) for x in lines)
    tenders = refund_tenders(
        original, sale_source.refunded_by_tender(uow, original, source), amount, mode
    )
    return {
        "refund_id": time_ordered_id(),
        "original": original,
        "returned": returned,
        "lines": lines,
        "payments": tenders,
    }


def pay_back(
    tenders: Callable[[], PaymentService],
    plan: dict[str, Any],
    paid_back: list[str],
    on_text: TextCallback | None,
) -> list[dict[str, Any]]:
    """Before the commit: card and wallet money goes back through the terminal or provider;
    returns the refund's payments with the new attempts as references (appended to
    `paid_back` as each one is approved)."""
    out = []
    for p in plan["payments"]:
        if p["tender"] in {t.value for t in PAYMENT_TENDERS}:
            if not p.get("reference"):
                raise RuleViolation(
                    "The original payment has no terminal or provider reference: "
                    "refund cash instead",
                    "原支付没有交易参考号，无法原路退回，请退现金",
                )
            back = tenders().refund(
                p["reference"],
                -int(p["amount_fen"]),
                refund_id=plan["refund_id"],
                on_text=on_text,  # the card terminal's texts reach the returns screen
            )
            paid_back.append(back.attempt_id)
            p = dict(p, reference=back.attempt_id)
        out.append(p)
    return out


def check_drawer(
    uow: AbstractUnitOfWork,
    payments_out: list[dict[str, Any]],
    already_in_figures: int,
    other_tender: bool,
) -> None:
    """Refuse cash out beyond the drawer's expected cash.  `already_in_figures`: the cash
    of this refund the shift's figures already count (inside the commit); `other_tender`:
    the original sale was paid (partly) otherwise, so refunding there is the way out."""
    cash = cash_out(payments_out)
    shift = uow.shifts.find_open()
    if cash <= 0 or shift is None:
        return
    expected = expected_drawer_fen(uow, shift) + already_in_figures
    if cash > expected:
        raise refund_short(expected, cash, other_tender=other_tender)


def cash_out(payments_out: list[dict[str, Any]]) -> int:
    """Cash a refund's payments take out of the drawer (refund amounts are negative)."""
    return -sum(int(p["amount_fen"]) for p in payments_out if p["tender"] == Tender.CASH.value)
