"""A return without a receipt (无小票退货, issue 20), one handler: the scanned goods priced by
the lowest net unit price of the last 90 days in this store (pos_app.domain.no_receipt), the
brand's rules and a manager's approval checked, then the refund as every refund goes (money
back, one transaction: journal entry, event, stock back, receipt), naming no original sale
and marked `no_receipt` in its payload."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pos_app.domain.commands import RefundSale, RefundWithoutReceipt
from pos_app.domain.errors import InvalidInput
from pos_app.domain.ids import time_ordered_id
from pos_app.domain.members import mask_phone, normalize_phone
from pos_app.domain.no_receipt import (
    CAP_TILL,
    LIMIT_DAYS,
    PRICE_DAYS,
    check_no_receipt,
    unit_price,
)
from pos_app.domain.return_rules import CASH, STORE_CREDIT
from pos_app.domain.returns import refund_tenders
from pos_app.domain.sale import Sellable
from pos_app.domain.timeutil import iso_utc

from .deps import SaleDeps, require_open_shift
from .no_receipt_cap import made_since
from .refunds import check_drawer, refund_planned

if TYPE_CHECKING:
    from ..members.returns import MemberReturns
    from ..payments import PaymentService


def phone_key(phone: str) -> str:
    """What the journal keeps of the customer's phone to count their returns: not the number."""
    return hashlib.sha256(normalize_phone(phone).encode()).hexdigest()[:16]


def refund_without_receipt(
    cmd: RefundWithoutReceipt,
    deps: SaleDeps,
    lookup: Callable[[str], Sellable],
    today_price: Callable[[Sellable], int],
    *,
    tenders: Callable[[], PaymentService] | None = None,
    member: MemberReturns | None = None,
) -> dict[str, Any]:
    """`today_price`: one unit's price today after today's promotions."""
    if cmd.mode not in (CASH, STORE_CREDIT):
        raise InvalidInput(
            "A return without a receipt goes back in cash or as store credit "
            "(--refund cash|store-credit)",
            "无小票退货只能退现金或退至储值（--refund cash|store-credit）",
        )
    if cmd.mode == STORE_CREDIT and (member is None or not cmd.credit_to):
        raise InvalidInput(
            "Store credit goes to a member: give the customer's mobile number (--member PHONE)",
            "退至储值需要会员：请输入顾客手机号（--member 手机号）",
        )
    history = deps.no_receipt
    if history is None:
        raise InvalidInput("This till takes no returns without a receipt", "本机不办理无小票退货")
    if not cmd.codes:
        raise InvalidInput(
            "Scan the goods brought back: --scan CODE (once per item)",
            "请扫描退回的商品：--scan 条码（每件一次）",
        )
    require_open_shift(deps.uow)
    now = deps.clock.now()
    since = iso_utc(now - timedelta(days=PRICE_DAYS))
    items: dict[str, tuple[Sellable, int]] = {}
    for code in cmd.codes:
        item = lookup(code)
        items[item.sku] = (item, items.get(item.sku, (item, 0))[1] + 1)
    lines: list[dict[str, Any]] = []
    basis: list[dict[str, Any]] = []
    for no, (item, qty) in enumerate(items.values(), 1):
        sold = history.sold_unit_prices(item.sku, since)
        today = today_price(item)
        price, rule = unit_price(sold, today)
        lines.append(
            {
                "line_no": no,
                "sku": item.sku,
                "name": item.name,
                "qty": qty,
                "unit_price_fen": price,
                "amount_fen": price * qty,
                "vat_rate_bp": item.vat_rate_bp,
                "category": item.category,
                "price_rule": rule,
            }
        )
        basis.append(
            {
                "line_no": no,
                "sku": item.sku,
                "price_rule": rule,
                "lowest_sold_fen": min(sold) if sold else None,
                "today_price_fen": today,
            }
        )
    key = phone_key(cmd.phone) if cmd.phone else None
    rules = deps.return_rules()
    made, cap_source = 0, None  # no cap published: nothing to count, nobody asked
    if key and rules.no_receipt_limit is not None:  # the cloud is asked only under a cap
        since = iso_utc(now - timedelta(days=LIMIT_DAYS))
        made, cap_source = made_since(history, deps.remote, key, since)
    check_no_receipt(
        rules,
        lines,
        cmd.approvals,
        phone=cmd.phone,
        made_30_days=made,
        cap_source=cap_source or CAP_TILL,
    )
    amount = sum(int(ln["amount_fen"]) for ln in lines)
    ident = deps.identity()
    original: dict[str, Any] = {  # none: the refund names no sale (the journal's payload says so)
        "sale_id": None,
        "receipt_no": None,
        "store_id": ident.store_id,
        "till_no": ident.till_no,
        "lines": [],
        "payments": [],
        "_returned": {},
    }
    plan: dict[str, Any] = {
        "refund_id": time_ordered_id(),
        "original": original,
        "returned": {},
        "lines": lines,
        "payments": refund_tenders(original, {}, amount, cmd.mode),
        "extra": {
            "no_receipt": {
                "price_days": PRICE_DAYS,
                "phone_key": key,
                "phone_masked": mask_phone(normalize_phone(cmd.phone)) if cmd.phone else None,
                # which count the brand's cap was checked against (None: no cap published)
                "cap_source": cap_source,
                "lines": basis,
            }
        },
    }
    if tenders is not None:
        check_drawer(deps.uow, plan["payments"], 0, False)
    refund = RefundSale(
        cmd.cashier,
        0,
        None,
        cmd.mode,
        cmd.reason,
        cmd.approvals,
        credit_to=cmd.credit_to,
    )
    return refund_planned(refund, deps, plan, False, tenders, member, None)
