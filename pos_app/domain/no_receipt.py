"""Returns without a receipt (无小票退货, issue 20): the price each unit goes back at, and the
brand's limits on them.

A unit goes back at the lowest net unit price its SKU was sold at in this store in the last 90
days (what a customer could have paid), never above what it sells for today; with no sale in
that time, at today's price after today's promotions.  A manager approves every one with a
reason, the brand's non-returnable categories still apply, and the brand may cap how many a
member (by phone) makes in 30 days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InvalidInput, NeedsApproval, RuleViolation
from .return_rules import APPROVAL_ACTION, ReturnRules
from .sale import Approval

PRICE_DAYS = 90  # the lowest price of the last 90 days
LIMIT_DAYS = 30  # the brand's cap counts the last 30 days

LOWEST_90_DAYS, TODAY_PRICE = "lowest_90_days", "today_price"
# Which count the cap was checked against: the cloud's, of every store (online), or this
# till's own (the cloud out of reach)
CAP_CLOUD, CAP_TILL = "cloud", "till"
COUNTED = {
    CAP_CLOUD: ("at the brand's stores", "（品牌所有门店）"),
    CAP_TILL: ("at this till (the cloud is out of reach)", "（本机统计，云端无法连接）"),
}
RULE_TEXT = {
    LOWEST_90_DAYS: ("the lowest price of the last 90 days", "按近90天最低售价"),
    TODAY_PRICE: ("today's price after today's promotions", "按今日售价（含今日促销）"),
}


def unit_price(sold_fen: Sequence[int], today_fen: int) -> tuple[int, str]:
    """(the price one unit goes back at, the rule that set it): the lowest net unit price of
    the last 90 days (`sold_fen`), never above today's price after promotions (`today_fen`)."""
    if sold_fen and min(sold_fen) <= today_fen:
        return min(sold_fen), LOWEST_90_DAYS
    return today_fen, TODAY_PRICE


def check_no_receipt(
    rules: ReturnRules,
    lines: Sequence[Mapping[str, Any]],
    approvals: Sequence[Approval],
    *,
    phone: str | None,
    made_30_days: int,
    cap_source: str = CAP_TILL,
) -> None:
    """Raise when a return without a receipt may not go ahead: a non-returnable category or
    the brand's cap (RuleViolation), no manager's approval with a reason (NeedsApproval).
    `made_30_days`: how many the member made in the last 30 days, counted where
    `cap_source` says."""
    banned = [ln for ln in lines if str(ln.get("category", "")) in rules.non_returnable]
    if banned:
        raise RuleViolation(
            "Not returnable: "
            + "; ".join(
                f"{ln['name']}: category {ln['category']} is not returnable" for ln in banned
            ),
            "不能退换："
            + "；".join(f"{ln['name']}属于{ln['category']}类，不可退换" for ln in banned),
        )
    limit = rules.no_receipt_limit
    if limit is not None:
        if not phone:
            raise InvalidInput(
                "The brand caps returns without a receipt per member: give the customer's mobile "
                "number (--member PHONE)",
                "品牌限制每位会员的无小票退货次数：请输入顾客手机号（--member 手机号）",
            )
        if made_30_days >= limit:
            where, where_zh = COUNTED.get(cap_source, COUNTED[CAP_TILL])
            raise RuleViolation(
                f"{phone} has made {made_30_days} returns without a receipt in the last "
                f"{LIMIT_DAYS} days {where} (the brand allows {limit}): ask for the receipt or "
                "the e-receipt, or offer an exchange",
                f"{phone} 近{LIMIT_DAYS}天已无小票退货 {made_30_days} 次{where_zh}"
                f"（品牌上限 {limit} 次）：请顾客提供小票或电子小票，或改为换货",
            )
    if not any(a.action == APPROVAL_ACTION and a.reason.strip() for a in approvals):
        raise NeedsApproval(
            "A return without a receipt needs a manager's approval with a reason",
            "无小票退货需店长授权并填写原因",
        )
