"""guitai exchange: goods taken back and new goods sold in one transaction (README,
"Exchanges")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from pos_app.domain.digits import is_digits
from pos_app.domain.errors import InvalidInput, NotFound, RuleViolation
from pos_app.domain.money import format_fen
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sold_at import SoldAt
from pos_app.services.members.checkout import PayStep

from .auth import sign_in
from .common import emit, json_option, obj
from .receipt_text import receipt_text
from .return_options import return_options
from .sale_cmds import (
    _notice,
    _pair,
    _show_terminal_text,
    approval_hint,
    parse_pay,
    rule_approvals,
)

if TYPE_CHECKING:
    from pos_app.bootstrap import App


def receipt_of_token(till: App, text: str) -> tuple[int, bool]:
    """The local sale a scanned e-receipt names, and whether it is a gift receipt."""
    from pos_app.adapters import receipt_docs

    r = receipt_docs.verify_receipt(till.uow, till.signer(), text)
    local = r["local_sale"]
    if not r["own_till"]:
        raise RuleViolation(
            "This e-receipt was issued by another till: exchange it at that till",
            "该电子小票由其他收银机开具：请到原收银机办理换货",
        )
    if local is None or not local["matches"]:
        reason = local["reason"] if local else "no such receipt on this till"
        raise NotFound(
            f"The e-receipt does not match a sale of this till ({reason}): call the manager",
            "电子小票与本机记录不符：请联系店长",
        )
    if local["kind"] != "sale":
        raise RuleViolation(
            "This is a refund's receipt: scan the sale's receipt",
            "这是退货单：请扫描销售小票",
        )
    return int(r["receipt_no"]), bool(r["gift"])


def _requests(items: tuple[str, ...]) -> list[ReturnRequest]:
    out = []
    for item in items:
        n, q = _pair(item, "--return-line")
        if not (is_digits(n) and is_digits(q)):
            raise InvalidInput(
                f"--return-line {item}: write LINE=QTY with whole numbers",
                f"--return-line {item}：格式应为 行号=数量",
            )
        out.append(ReturnRequest(int(n), int(q)))
    return out


@click.command()
@click.option("--user", required=True, help="Cashier (PIN from GUITAI_PIN or a prompt).")
@click.option("--receipt", "receipt_no", type=int, help="The original sale's receipt number.")
@click.option(
    "--till",
    "till_no",
    type=int,
    help="The receipt is another till's of this store (its sale as the cloud last synced it).",
)
@click.option("--store", "store_id", help="The receipt is another store's.")
@click.option(
    "--ereceipt",
    help="The original's e-receipt (scanned URL or token; gift too): any till or store.",
)
@click.option(
    "--return-line",
    "return_lines",
    multiple=True,
    required=True,
    help="N=QTY: a line of the original taken back; repeat.",
)
@click.option("--scan", "scans", multiple=True, required=True, help="A new item; repeat.")
@click.option(
    "--pay",
    "pays",
    multiple=True,
    help="TENDER:AMOUNT[:CODE] for a difference to pay (as `guitai sale --pay`); repeat.",
)
@return_options(
    ["cash", "original"],
    "How a balance in the customer's favour goes back.",
    "Why the goods come back.",
)
@json_option
@click.pass_context
def exchange(
    ctx: click.Context,
    user: str,
    receipt_no: int | None,
    till_no: int | None,
    store_id: str | None,
    ereceipt: str | None,
    return_lines: tuple[str, ...],
    scans: tuple[str, ...],
    pays: tuple[str, ...],
    mode: str,
    reason: str,
    approver: str | None,
    quality: bool,
    as_json: bool,
) -> None:
    """Exchange (换货): take back lines of a sale and sell new items, one receipt."""
    from pos_app.services.exchanging import (
        exchange_command,
        exchange_json,
        settle_exchange,
        start_exchange,
    )

    if (receipt_no is None) == (ereceipt is None) or (ereceipt and (till_no or store_id)):
        raise InvalidInput(
            "Name the original sale: --receipt NO (with --till N / --store S for another "
            "till's or store's receipt) or --ereceipt URL_OR_TOKEN (one of them)",
            "请指定原销售：--receipt 小票号（其他收银机或门店的小票加 --till / --store）或 "
            "--ereceipt 电子小票（二选一）",
        )
    till = obj(ctx).till
    cashier = sign_in(till, user)
    till.side_effects.wire(_notice)
    pay_plan = [PayStep(*parse_pay(p)) for p in pays]
    requests = _requests(return_lines)
    gift = False
    sold_at = SoldAt(till_no, store_id) if till_no or store_id else None
    if ereceipt is not None:
        receipt_no, sold_at = till.receipts.return_origin(ereceipt)
        if sold_at is None:  # this till's: checked against its own journal
            receipt_no, gift = receipt_of_token(till, ereceipt)
        else:
            gift = till.receipts.gift_receipt(ereceipt)
    receipt_no = int(receipt_no or 0)
    approvals = rule_approvals(till, approver, reason)
    mc = start_exchange(till.members(), till.checkout, cashier, receipt_no, sold_at)
    for code in scans:
        till.sales.scan(mc.sale, code)
    mc.price()
    cmd = exchange_command(
        cashier,
        receipt_no,
        requests,
        mc,
        refund_mode=mode,
        reason=reason,
        approvals=approvals,
        quality=quality,
        gift=gift,
        sold_at=sold_at,
    )
    with approval_hint():
        done = settle_exchange(mc, cmd, pay_plan, on_text=_show_terminal_text)
    out = exchange_json(done)

    def text(d: dict[str, Any]) -> str:
        diff = int(d["difference_fen"])
        money = ("-" if diff < 0 else "") + format_fen(abs(diff))
        head = (
            f"换货完成：退货单 {d['refund_receipt_no']}，销售单 {d['sale_receipt_no']}，"
            f"差价 ¥{money}\nexchange done: refund no. {d['refund_receipt_no']}, sale no. "
            f"{d['sale_receipt_no']}, difference ¥{money}\n"
        )
        return head + receipt_text(till, done["sale"])

    emit(out, as_json, text)
