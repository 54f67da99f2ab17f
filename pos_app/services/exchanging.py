"""An exchange at the counter (`guitai exchange` and the till's returns screen): the new
items are a sale with the original sale's member on it; the returned goods' value pays for
them as exchange credit, the customer pays any difference (cash, card, wallet: the sale's
tenders), or gets the balance back (cash or the original tenders).  All or nothing: a
payment taken for an exchange that does not commit is given back (the sale's abandon).  The
transaction is the handler's (pos_app.services.handlers.exchange)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from pos_app.domain.errors import GuitaiError, InvalidInput
from pos_app.domain.money import format_fen
from pos_app.domain.return_rules import line_statuses
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Approval
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.tenders import Tender
from pos_app.domain.users import User

from .checkout import Checkout
from .handlers import sale_source
from .handlers.exchange import ExchangeGoods, check_exchange, exchange_goods, plan_exchange
from .handlers.refunds import original_sale
from .members.checkout import MemberCheckout, PayStep
from .members.parts import Members
from .selling import SaleService

log = logging.getLogger(__name__)

TextCallback = Callable[[str, str], None]


def start_exchange(
    members: Members,
    checkout: Checkout,
    cashier: User,
    receipt_no: int,
    sold_at: SoldAt | None = None,
) -> MemberCheckout:
    """The sale of the new items, with the original sale's member on it (member prices,
    points) when the member is known here.  `sold_at`: another till's or store's sale."""
    deps = checkout.sales.deps
    found = sale_source.find_original(
        deps.uow,
        receipt_no,
        sold_at,
        deps.identity(),
        deps.elsewhere,
        deps.remote,
        deps.return_rules(),
    )
    original = found if found is not None else original_sale(deps.uow, receipt_no)
    mc = MemberCheckout(members, checkout, checkout.sales.new_sale(cashier))
    mid = (original.get("member") or {}).get("id")
    if mid:
        try:
            mc.attach(members.directory.by_id(str(mid)))
        except GuitaiError:  # the member is not in this till's mirror: sell without
            log.warning("member %s of receipt %s not found: exchange without", mid, receipt_no)
    return mc


def preview(
    mc: MemberCheckout,
    receipt_no: int,
    requests: Sequence[ReturnRequest],
    sold_at: SoldAt | None = None,
) -> dict[str, Any]:
    """credit_fen, new_fen, difference_fen (positive: to pay) of the exchange as it stands."""
    deps = mc.checkout.sales.deps
    plan = plan_exchange(deps.uow, receipt_no, tuple(requests), mc.sale, sold_at=sold_at, deps=deps)
    return {k: plan[k] for k in ("credit_fen", "new_fen", "difference_fen")}


def settle_exchange(
    mc: MemberCheckout,
    cmd: ExchangeGoods,
    pay: Sequence[PayStep],
    on_text: TextCallback | None = None,
) -> dict[str, Any]:
    """Check the rules, take the credit and the payment of the difference, commit; returns
    the handler's {"refund", "sale"} and the `difference_fen`.  Another store's sale: its
    returned quantities are reserved in the cloud before the difference is taken, released
    when the exchange does not commit, and committed by the refund event (as a return's)."""
    checkout = mc.checkout
    deps = checkout.sales.deps
    plan = plan_exchange(
        deps.uow, cmd.receipt_no, cmd.requests, mc.sale, sold_at=cmd.sold_at, deps=deps
    )
    check_exchange(deps, plan, cmd)  # refused before any money moves
    diff = int(plan["difference_fen"])
    if diff > 0 and not pay:
        due = format_fen(diff)
        raise InvalidInput(
            f"The new items cost ¥{due} more: add --pay TENDER:AMOUNT, e.g. --pay cash:{due}",
            f"新商品需补差价 ¥{due}：请加 --pay 付款方式:金额，例如 --pay cash:{due}",
        )
    if diff <= 0 and pay:
        raise InvalidInput(
            "Nothing is to pay on this exchange: leave out --pay (a balance goes back with "
            "--refund cash|original)",
            "本次换货无需补差价：请去掉 --pay（多出的金额用 --refund cash|original 退回）",
        )
    mc.check_plan(pay)
    credit = min(int(plan["credit_fen"]), int(plan["new_fen"]))
    if mc.sale.tenders:
        raise InvalidInput("Payment has already started", "已开始付款")
    with sale_source.held(deps.remote, plan):
        mc.begin_payment()
        try:
            if credit:
                mc.sale.add_tender(Tender.EXCHANGE, credit, checkout.rounding)
            for step in pay:
                mc.pay(step.tender, step.amount_fen, step.code, on_text)
            done = exchange_goods(
                cmd,
                deps,
                tenders=lambda: checkout.payments,
                member=mc.members.returns,
                ledger=mc.members.ledger,
                on_text=on_text,
                plan=plan,
            )
        except BaseException:
            mc.abandon()
            raise
    mc.coupon_reserved = False
    return done | {"difference_fen": diff}


def exchange_json(done: dict[str, Any]) -> dict[str, Any]:
    """`guitai exchange --json` (README, "Exchanges")."""
    refund, sale = done["refund"], done["sale"]
    return {
        "refund_id": refund["refund_id"],
        "sale_id": sale["sale_id"],
        "refund_receipt_no": refund["receipt_no"],
        "sale_receipt_no": sale["receipt_no"],
        "original_receipt_no": refund["original_receipt_no"],
        "returned_fen": -int(refund["total_fen"]),
        "new_fen": int(sale["total_fen"]),
        "difference_fen": done["difference_fen"],
        "refund_tenders": refund["payments"],
        "sale_tenders": sale["payments"],
        "entry_hashes": [refund["_entry_hash"], sale["_entry_hash"]],
    }


def exchange_command(
    cashier: User,
    receipt_no: int,
    requests: Sequence[ReturnRequest],
    mc: MemberCheckout,
    *,
    refund_mode: str = "cash",
    reason: str = "",
    approvals: Sequence[Approval] = (),
    quality: bool = False,
    gift: bool = False,
    sold_at: SoldAt | None = None,
) -> ExchangeGoods:
    return ExchangeGoods(
        cashier,
        receipt_no,
        tuple(requests),
        mc.sale,
        refund_mode,
        reason,
        tuple(approvals),
        quality,
        gift,
        sold_at,
    )


def line_status(sales: SaleService, original: dict[str, Any]) -> list[dict[str, Any]]:
    """Per line of the original: what is still returnable, until when, and why not (the
    returns screen; pos_app.domain.return_rules.LineStatus.as_dict)."""
    deps = sales.deps
    # summed across the store's tills, as the refund counts it (another till's or store's
    # sale opened from its e-receipt, or this till's returned at a sibling till)
    returned = sale_source.returned_qty(deps.uow, original, deps.elsewhere)
    rules = deps.return_rules()
    now, tz = deps.clock.now(), deps.identity().tz
    return [s.as_dict() for s in line_statuses(rules, original, returned, now, tz)]
