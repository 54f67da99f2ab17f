"""guitai sale, return, sales list/show."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import click

from pos_app.domain.digits import is_digits
from pos_app.domain.errors import GuitaiError, InvalidInput, NeedsApproval, NotFound
from pos_app.domain.money import Money, format_fen
from pos_app.domain.payments import tender_for_code
from pos_app.domain.pricing import Discount
from pos_app.domain.return_rules import APPROVAL_ACTION
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Approval, Sale, SaleLine
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.tenders import Tender
from pos_app.domain.timeutil import local_day
from pos_app.services.members.checkout import MemberCheckout, PayStep

from .auth import approval, sign_in
from .common import emit, json_option, obj
from .receipt_text import receipt_text
from .return_options import return_options
from .store_credit import credit_recipient

if TYPE_CHECKING:
    from pos_app.bootstrap import App


def _pair(text: str, what: str) -> tuple[str, str]:
    code, sep, value = text.partition("=")
    if not sep or not code.strip() or not value.strip():
        raise InvalidInput(
            f"{what} “{text}” must look like CODE=VALUE", f"{what}“{text}”格式应为 代码=值"
        )
    return code.strip(), value.strip()


def _find_line(sale: Sale, code: str) -> SaleLine:
    for ln in reversed(sale.lines):
        if code in (ln.sku, ln.barcode):
            return ln
    raise NotFound(
        f"{code} is not in this sale: scan it with --scan first",
        f"{code} 不在本单中，请先用 --scan 扫码",
    )


def _notice(err: GuitaiError) -> None:
    click.echo(f"注意：{err.message_zh}\nnote: {err.message}", err=True)


def _show_terminal_text(en: str, zh: str) -> None:
    click.echo(f"  {zh} / {en}", err=True)


def parse_pay(text: str) -> tuple[Tender, int, str | None]:
    parts = text.split(":")
    if len(parts) < 2:
        raise InvalidInput(
            f"--pay “{text}” must look like cash:100.00, wechat:100.00:CODE or code:100.00:CODE",
            f"--pay“{text}”格式应为 cash:100.00、wechat:100.00:付款码 或 code:100.00:付款码",
        )
    amount = Money.parse(parts[1]).fen
    code = parts[2] if len(parts) > 2 else None
    if parts[0].strip().lower() == "code":
        return _tender_of_code(code or ""), amount, code
    return Tender.parse(parts[0]), amount, code


def _tender_of_code(code: str) -> Tender:
    """code:AMOUNT:CODE — the wallet is the one the scanned code's prefix names."""
    tender = tender_for_code(code.strip())
    if tender is None:
        raise InvalidInput(
            f"“{code}” is not a payment code of WeChat Pay (10–15…), Alipay (25–30…), "
            "UnionPay QR (62…) or digital RMB (01…): scan the customer's code again",
            f"“{code}”不是微信（10–15 开头）、支付宝（25–30 开头）、云闪付（62 开头）或"
            "数字人民币（01 开头）付款码：请重新扫顾客的付款码",
        )
    return Tender(tender)


@click.command()
@click.option("--user", required=True, help="Cashier (PIN from GUITAI_PIN or a prompt).")
@click.option("--scan", "scans", multiple=True, required=True, help="Barcode or SKU; repeat.")
@click.option("--qty", "qtys", multiple=True, help="CODE=N: quantity of a scanned item.")
@click.option("--line-discount", "line_discounts", multiple=True, help="CODE=10% or CODE=20.00")
@click.option("--order-discount", help="5% or 30.00 off the whole sale.")
@click.option("--void-line", "void_lines", multiple=True, help="CODE=REASON: remove a line.")
@click.option(
    "--approve",
    "approver",
    help="Manager approving a discount beyond the limit (PIN from GUITAI_APPROVER_PIN).",
)
@click.option("--reason", default="", help="Reason kept with an approval.")
@click.option("--associate", help="Sales associate (导购) credited with the sale.")
@click.option("--member", "member_q", help="Member's mobile number (or member code GTM:…).")
@click.option("--coupon", help="Coupon code to redeem (one per sale).")
@click.option("--points", default=0, type=click.IntRange(0), help="Points to redeem.")
@click.option(
    "--pay",
    "pays",
    multiple=True,
    help="TENDER:AMOUNT[:CODE], e.g. cash:300.00; repeat to split (none for a sale of ¥0.00).",
)
@json_option
@click.pass_context
def sale(
    ctx: click.Context,
    user: str,
    scans: tuple[str, ...],
    qtys: tuple[str, ...],
    line_discounts: tuple[str, ...],
    order_discount: str | None,
    void_lines: tuple[str, ...],
    approver: str | None,
    reason: str,
    associate: str | None,
    member_q: str | None,
    coupon: str | None,
    points: int,
    pays: tuple[str, ...],
    as_json: bool,
) -> None:
    """Ring up and complete one sale, then print its receipt."""
    till = obj(ctx).till
    cashier = sign_in(till, user)
    till.side_effects.wire(_notice)
    pay_plan = [parse_pay(p) for p in pays]  # bad --pay fails before anything is rung up
    from .member_cmds import member_service

    members = member_service(till)
    if points and not member_q:
        raise InvalidInput("--points needs --member PHONE", "使用积分需要 --member 手机号")
    s = till.sales.new_sale(cashier)
    s.associate = associate
    mc = MemberCheckout(members, till.checkout, s)
    member = members.directory.find_one(member_q) if member_q else None
    if member is not None:
        mc.attach(member)
    for code in scans:
        till.sales.scan(s, code)
    for q in qtys:
        code, n = _pair(q, "--qty")
        if not is_digits(n):
            raise InvalidInput(
                f"--qty {q}: the quantity must be a whole number", f"--qty {q}：数量必须是整数"
            )
        s.set_qty(_find_line(s, code).line_no, int(n))
    for v in void_lines:
        code, why = _pair(v, "--void-line")
        s.void_line(_find_line(s, code).line_no, why)
    ok = approval(till, approver, "discount", reason)
    try:
        for d in line_discounts:
            code, value = _pair(d, "--line-discount")
            s.set_line_discount(_find_line(s, code).line_no, Discount.parse(value, reason), ok)
        if order_discount:
            s.set_order_discount(Discount.parse(order_discount, reason), ok)
    except NeedsApproval as err:
        err.message += " (add --approve MANAGER with GUITAI_APPROVER_PIN)"
        err.message_zh += "（请加 --approve 店长 并设置 GUITAI_APPROVER_PIN）"
        raise
    mc.coupon_code, mc.points = coupon, points
    pricing = mc.price()
    if points and pricing.points_used < points:
        _notice_text(
            f"only {pricing.points_used} of {points} points can be used on this bill",
            f"本单最多可用 {pricing.points_used} 积分",
        )
    due = s.totals().due_fen
    if due > 0 and not pay_plan:
        raise InvalidInput(
            f"¥{format_fen(due)} is due: add --pay TENDER:AMOUNT, e.g. --pay cash:{format_fen(due)}",
            f"应付 ¥{format_fen(due)}：请加 --pay 付款方式:金额，例如 --pay cash:{format_fen(due)}",
        )
    if due <= 0 and pay_plan:
        raise InvalidInput(
            "Nothing is due on this sale (a gift at ¥0.00): leave out --pay",
            "本单应付 ¥0.00（赠品）：请去掉 --pay",
        )
    plan = [PayStep(tender, amount, code) for tender, amount, code in pay_plan]
    payload = mc.settle(plan, on_text=_show_terminal_text)
    emit(sale_json(payload), as_json, lambda _: receipt_text(till, payload))


def _notice_text(en: str, zh: str) -> None:
    click.echo(f"注意：{zh}\nnote: {en}", err=True)


def sale_json(p: dict[str, Any]) -> dict[str, Any]:
    member = p.get("member") or {}
    out = {k: v for k, v in p.items() if not k.startswith("_")} | {
        "entry_hash": p.get("_entry_hash"),
        "change_fen": sum(int(x.get("change_fen", 0)) for x in p["payments"]),
        "tax": p.get("vat"),
        "savings": p.get("savings", []),
    }
    if member:
        out["points_earned"] = member.get("points_earned", 0)
        out["points_redeemed"] = member.get("points_redeemed", 0)
        out["balances"] = {
            "points": member.get("points_balance"),
            "stored_value_fen": member.get("stored_value_balance_fen"),
        }
    return out


@click.command("return")
@click.option("--user", required=True, help="Cashier (PIN from GUITAI_PIN or a prompt).")
@click.option("--receipt", "receipt_no", type=int, help="Original receipt number.")
@click.option(
    "--line",
    "lines",
    multiple=True,
    help="N=QTY: line of the original and quantity; omit to return everything still returnable.",
)
@return_options(
    ["cash", "original", "store-credit"],
    "Refund to cash, to the original tenders, or onto a member's stored value (退至储值).",
    "Why the customer returns the goods.",
)
@click.option(
    "--member",
    "member_phone",
    help="--refund store-credit: the mobile number of the member who takes the credit.",
)
@click.option(
    "--consent",
    is_flag=True,
    help="--refund store-credit: not a member yet, the customer agrees to be enrolled.",
)
@click.option(
    "--no-receipt",
    is_flag=True,
    help="Goods brought back without a receipt: --scan them, a manager approves (--approve).",
)
@click.option("--scan", "codes", multiple=True, help="--no-receipt: a returned item; repeat.")
@click.option(
    "--till",
    "till_no",
    type=click.IntRange(1, 999),
    help="The receipt is another till's of this store (its sale as the cloud last synced it).",
)
@click.option("--store", "store_id", help="The receipt is another store's.")
@click.option(
    "--ereceipt",
    help="The scanned e-receipt (QR URL or token) instead of --receipt: any till or store.",
)
@json_option
@click.pass_context
def return_(
    ctx: click.Context,
    user: str,
    receipt_no: int | None,
    lines: tuple[str, ...],
    mode: str,
    reason: str,
    approver: str | None,
    quality: bool,
    till_no: int | None,
    store_id: str | None,
    ereceipt: str | None,
    member_phone: str | None,
    consent: bool,
    no_receipt: bool,
    codes: tuple[str, ...],
    as_json: bool,
) -> None:
    """Refund against a completed sale (partial by line and quantity), or without a receipt."""
    till = obj(ctx).till
    if no_receipt or codes:
        _without_receipt(ctx, user, codes, mode, reason, approver, member_phone, consent, as_json)
        return
    if (receipt_no is None) == (ereceipt is None) or (ereceipt and (till_no or store_id)):
        raise InvalidInput(
            "Give --receipt NO (with --till N / --store S for another till's or store's "
            "receipt) or --ereceipt URL_OR_TOKEN",
            "请提供 --receipt 小票号（其他收银机或门店的小票加 --till / --store）或 "
            "--ereceipt 电子小票",
        )
    sold_at = SoldAt(till_no, store_id) if till_no or store_id else None
    number, gift = int(receipt_no or 0), False
    if ereceipt is not None:
        number, sold_at = till.receipts.return_origin(ereceipt)
        gift = till.receipts.gift_receipt(ereceipt)  # exchanges only: no money back
    cashier = sign_in(till, user)
    till.side_effects.wire(_notice)
    requests = None
    if lines:
        requests = []
        for item in lines:
            n, q = _pair(item, "--line")
            if not (is_digits(n) and is_digits(q)):
                raise InvalidInput(
                    f"--line {item}: write LINE=QTY with whole numbers",
                    f"--line {item}：格式应为 行号=数量",
                )
            requests.append(ReturnRequest(int(n), int(q)))
    from pos_app.services.members.checkout import member_refund

    approvals = rule_approvals(till, approver, reason)
    recipient, enrolled = credit_recipient(till, mode, member_phone, consent)
    with approval_hint():
        payload = member_refund(
            till.checkout,
            till.members().returns,
            cashier,
            number,
            requests,
            mode,
            reason,
            approvals,
            on_text=_show_terminal_text,
            quality=quality,
            gift=gift,
            sold_at=sold_at,
            credit_to=recipient.id if recipient is not None else None,
        )
    out = sale_json(payload)
    if recipient is not None:
        out["store_credit"] = dict(out["store_credit"], enrolled=enrolled)
    emit(out, as_json, lambda _: receipt_text(till, payload))


def _without_receipt(
    ctx: click.Context,
    user: str,
    codes: tuple[str, ...],
    mode: str,
    reason: str,
    approver: str | None,
    phone: str | None,
    consent: bool,
    as_json: bool,
) -> None:
    """`guitai return --no-receipt --scan CODE …` (pos_app/cli/no_receipt_cmd.py)."""
    from .no_receipt_cmd import refund_without_receipt, refuse_receipt_flags, rule_texts

    p = ctx.params
    if not p.get("no_receipt"):
        raise InvalidInput(
            "--scan goes with --no-receipt (goods brought back without a receipt); with a "
            "receipt choose its lines with --line N=QTY",
            "--scan 需与 --no-receipt 一起使用（无小票退货）；有小票时请用 --line 行号=数量",
        )
    refuse_receipt_flags(
        [
            f"--{name.replace('_', '-')}"
            for name, flag in (
                ("receipt", p.get("receipt_no")),
                ("ereceipt", p.get("ereceipt")),
                ("till", p.get("till_no")),
                ("store", p.get("store_id")),
                ("line", p.get("lines")),
                ("quality", p.get("quality")),
            )
            if flag
        ]
    )
    till = obj(ctx).till
    cashier = sign_in(till, user)
    till.side_effects.wire(_notice)
    approvals = rule_approvals(till, approver, reason)
    with approval_hint():
        payload, enrolled = refund_without_receipt(
            till,
            cashier,
            codes,
            mode=mode,
            reason=reason,
            approvals=approvals,
            phone=phone,
            consent=consent,
        )
    out = sale_json(payload)
    out["no_receipt"] = dict(out["no_receipt"], lines=rule_texts(payload))
    if enrolled is not None:
        out["store_credit"] = dict(out["store_credit"], enrolled=enrolled)
    emit(out, as_json, lambda _: receipt_text(till, payload))


def rule_approvals(till: App, approver: str | None, reason: str) -> list[Approval]:
    """A manager's approval of what the brand's return rules hold back: needs a reason."""
    if approver and not reason.strip():
        raise InvalidInput(
            "--approve needs --reason TEXT: the approval is kept with its reason",
            "店长授权需要填写原因：请加 --reason 原因",
        )
    a = approval(till, approver, APPROVAL_ACTION, reason)
    return [a] if a is not None else []


@contextmanager
def approval_hint() -> Iterator[None]:
    """The brand's return rules ask for a manager: say how, on the command line."""
    try:
        yield
    except NeedsApproval as err:
        err.message += ": add --approve MANAGER with GUITAI_APPROVER_PIN and --reason TEXT"
        err.message_zh += "：请加 --approve 店长（GUITAI_APPROVER_PIN）和 --reason 原因"
        raise


@click.group()
def sales() -> None:
    """Completed sales and refunds."""


def business_day(value: str | None, till: App) -> str | None:
    """--day as a business day: YYYY-MM-DD, or today / yesterday in the store's time zone.
    Anything else is refused: a day that cannot match would print "no sales" and mislead."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("today", "yesterday"):
        today = date.fromisoformat(local_day(till.clock.now(), till.identity().tz))
        return str(today - timedelta(days=1 if text == "yesterday" else 0))
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return str(date.fromisoformat(text))
    except ValueError:
        pass
    raise InvalidInput(
        f"--day {value}: write the business day as YYYY-MM-DD (e.g. 2026-11-25), or today or "
        "yesterday",
        f"--day {value}：营业日请写成 YYYY-MM-DD（如 2026-11-25），或 today / yesterday",
    )


@sales.command("list")
@click.option("--day", help="Business day YYYY-MM-DD (or today, yesterday).")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(1, 100000),
    help="Show at most N receipts, the newest first.",
)
@click.option("--all", "all_", is_flag=True, help="Show every receipt (no --limit).")
@json_option
@click.pass_context
def sales_list(ctx: click.Context, day: str | None, limit: int, all_: bool, as_json: bool) -> None:
    """Completed sales and refunds, the newest first, at the store's local time."""
    from pos_app.services.till_reads import local_time

    till = obj(ctx).till
    tz = till.identity().tz
    rows = till.uow.sales.recent(day=business_day(day, till), limit=None if all_ else limit + 1)
    more = not all_ and len(rows) > limit
    rows = rows[:limit] if more else rows
    for r in rows:
        r["completed_at_local"] = local_time(str(r["completed_at"]), tz, "%Y-%m-%d %H:%M:%S")
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['receipt_no']:>6} {r['kind']:<6} {r['completed_at_local']} {r['cashier']:<10} "
                f"{format_fen(r['total_fen']):>10}"
                for r in rs
            )
            or ("no sales on that day / 当天没有销售" if day else "no sales yet / 尚无销售")
        ),
    )
    if more:  # on standard error: --json stays a plain list
        click.echo(
            f"注意：只显示最新的 {limit} 张小票，还有更多：用 --limit N 或 --all 查看全部\n"
            f"note: showing the newest {limit} receipts only, there are more: use --limit N "
            "or --all",
            err=True,
        )


@sales.command("show")
@click.argument("receipt_no", type=int)
@json_option
@click.pass_context
def sales_show(ctx: click.Context, receipt_no: int, as_json: bool) -> None:
    till = obj(ctx).till
    p = till.uow.sales.payload(receipt_no=receipt_no)
    if p is None:
        raise NotFound(f"No receipt {receipt_no} on this till", f"本机没有小票 {receipt_no}")
    emit(sale_json(p), as_json, lambda _: receipt_text(till, p))
