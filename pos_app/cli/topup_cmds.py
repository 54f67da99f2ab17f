"""guitai member topup | topup-refund | topup-receipt | topup-rules: stored-value top-ups
(储值充值) paid by any tender, with the brand's bonus rules (充500送50), online only (issue 23;
README "Top-ups").  The commands join the `member` group (member_cmds.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pos_app.domain.commands import RefundTopUp, TopUp
from pos_app.domain.errors import InvalidInput, NotFound
from pos_app.domain.money import Money, format_fen
from pos_app.domain.payments import tender_for_code
from pos_app.domain.users import Role
from pos_app.services.handlers.topups import TOPUP_TENDERS

from .auth import sign_in
from .common import emit, json_option, obj

if TYPE_CHECKING:
    from pos_app.bootstrap import App


def parse_topup_pay(text: str) -> tuple[str, str | None]:
    """cash | card | wechat:CODE | alipay:CODE | unionpay:CODE | ecny:CODE | code:CODE."""
    name, _, code = text.partition(":")
    name = name.strip().lower()
    if name == "code":
        tender = tender_for_code(code.strip())
        if tender is None:
            raise InvalidInput(
                f"“{code}” is not a payment code of WeChat Pay (10–15…), Alipay (25–30…), "
                "UnionPay QR (62…) or digital RMB (01…): scan the customer's code again",
                f"“{code}”不是微信（10–15 开头）、支付宝（25–30 开头）、云闪付（62 开头）或"
                "数字人民币（01 开头）付款码：请重新扫顾客的付款码",
            )
        return tender, code.strip()
    if name not in TOPUP_TENDERS:
        raise InvalidInput(
            f"--pay “{text}” must be cash, card, code:CODE or a wallet with its code "
            "(wechat:CODE, alipay:CODE, unionpay:CODE, ecny:CODE)",
            f"--pay“{text}”应为 cash、card、code:付款码，或钱包加付款码（如 wechat:付款码）",
        )
    return name, code.strip() or None


def _member_id(till: App, ref: str) -> str:
    if not ref.upper().startswith("M") or ref.isdigit():
        return str(till.members().directory.find_one(ref).id)
    return ref


@click.command("topup")
@click.argument("member_id")
@click.argument("amount")
@click.option("--user", required=True)
@click.option(
    "--cash",
    is_flag=True,
    help="Paid in cash at this till: also recorded as a pay-in of the open shift.",
)
@click.option(
    "--pay",
    "pay",
    help="Paid by: cash, card (the terminal), or a payment code: code:CODE (routed by its "
    "prefix), wechat:CODE, alipay:CODE, unionpay:CODE, ecny:CODE.",
)
@json_option
@click.pass_context
def topup(
    ctx: click.Context,
    member_id: str,
    amount: str,
    user: str,
    cash: bool,
    pay: str | None,
    as_json: bool,
) -> None:
    """Add stored value (储值充值): online only, the cloud answers the new balance and the
    bonus its rules give; with a tender, a top-up receipt prints."""
    till = obj(ctx).till
    who = sign_in(till, user)
    member_id = _member_id(till, member_id)
    tender, code = parse_topup_pay(pay) if pay else (("cash", None) if cash else (None, None))
    if cash and tender != "cash":
        raise InvalidInput("Give --cash or --pay, not both", "--cash 与 --pay 只能选一个")
    if tender is not None:
        till.side_effects.wire()  # the drawer for cash, the top-up receipt on the printer
    p = till.topups().top_up(TopUp(who, member_id, Money.parse(amount).fen, tender, code))
    out: dict[str, Any] = {"member_id": member_id, "stored_value_fen": p["balance_fen"]}
    if tender == "cash":
        out["cash_recorded"] = True
    payment = p.get("payment") or {}
    out.update(
        topup_id=p["topup_id"],
        topup_no=p["topup_no"],
        tender=p["tender"],
        paid_fen=p["paid_fen"],
        bonus_fen=p["bonus_fen"],
        rule_name=p["rule_name"],
        bonus_balance_fen=p["bonus_balance_fen"],
        payment_ref=payment.get("provider_ref"),
    )
    bonus = f"  bonus / 赠送 ¥{format_fen(p['bonus_fen'])}" if p["bonus_fen"] else ""
    emit(out, as_json, f"balance / 余额 ¥{format_fen(p['balance_fen'])}{bonus}")


@click.command("topup-refund")
@click.argument("topup")
@click.option("--amount", help="Refund this much of it (default: all that is left).")
@click.option("--user", required=True, help="A manager.")
@json_option
@click.pass_context
def topup_refund(
    ctx: click.Context, topup: str, amount: str | None, user: str, as_json: bool
) -> None:
    """Refund a top-up (by its id or receipt number) to the tender it was paid with, the same
    wallet or card through the same provider, after the day's Z too.  The bonus it gave is
    forfeited first; refused when the member has spent the money since."""
    till = obj(ctx).till
    who = sign_in(till, user, role=Role.MANAGER)
    till.side_effects.wire()  # the drawer for a cash refund
    fen = Money.parse(amount).fen if amount else None
    r = till.topups().refund(RefundTopUp(who, topup, fen))
    emit(
        r,
        as_json,
        f"refunded / 已退 ¥{format_fen(r['amount_fen'])} ({r['tender']}), bonus forfeited / "
        f"扣回赠送 ¥{format_fen(r['forfeited_bonus_fen'])}; balance / 余额 "
        f"¥{format_fen(r['balance_fen'])}",
    )


@click.command("topup-receipt")
@click.argument("topup")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "escpos"]), default="text", show_default=True
)
@click.option("--paper", type=click.Choice(["58", "80"]), help="Paper width in mm.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.pass_context
def topup_receipt(
    ctx: click.Context, topup: str, fmt: str, paper: str | None, output: str | None
) -> None:
    """Render a top-up's receipt (by id or number) as text or ESC/POS bytes."""
    from pos_app.adapters.receipt_docs import profile
    from pos_app.adapters.topup_receipts import topup_bytes, topup_document
    from receipts import render_text
    from receipts.profiles import paper as paper_of

    till = obj(ctx).till
    payload = till.topups().get(topup)
    if payload is None:
        raise NotFound(f"No top-up {topup}", f"找不到充值单 {topup}")
    mm = int(paper) if paper else None
    if fmt == "escpos":
        if not output and sys.stdout.isatty():
            raise InvalidInput(
                "escpos is binary: write it to a file with -o FILE",
                "escpos 为二进制格式，请用 -o 文件 输出",
            )
        data = topup_bytes(till.uow, till.signer(), payload, mm)
    else:
        doc = topup_document(till.uow, till.signer(), payload)
        prof = profile(mm, None, till.uow.settings.get("printer_profile"))
        data = render_text(doc, paper_of(prof.paper_mm)).encode("utf-8")
    if output:
        Path(output).write_bytes(data)
        click.echo(f"top-up {topup} written to {output} ({len(data)} bytes)", err=True)
    elif fmt == "text":
        click.echo(data.decode("utf-8"), nl=False)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.command("topup-rules")
@json_option
@click.pass_context
def topup_rules(ctx: click.Context, as_json: bool) -> None:
    """The bonus rules the brand published (as last pulled by `guitai sync run`)."""
    rules = obj(ctx).till.topups().rules()
    emit(
        rules,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['id']}: 充{format_fen(r['min_fen'])}送{format_fen(r['bonus_fen'])} "
                f"{r['tier'] or ''} {r['starts_on'] or '…'}~{r['ends_on'] or '…'}"
                for r in rs
            )
            or "no rules / 暂无充值赠送规则"
        ),
    )


COMMANDS = (topup, topup_refund, topup_receipt, topup_rules)
