"""guitai shift open|pay-in|pay-out|no-sale|close, report x|z."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from pos_app.domain.errors import GuitaiError
from pos_app.domain.money import Money, format_fen
from pos_app.domain.users import Role

from .auth import sign_in
from .common import emit, json_option, obj


@click.group()
def shift() -> None:
    """Open and close shifts, move cash."""


@shift.command("open")
@click.option("--user", required=True)
@click.option("--float", "float_", required=True, help="Cash in the drawer at start, e.g. 500.00")
@json_option
@click.pass_context
def shift_open(ctx: click.Context, user: str, float_: str, as_json: bool) -> None:
    till = obj(ctx).till
    u = sign_in(till, user)
    r = till.shifts.open(u, Money.parse(float_).fen)
    emit(
        r,
        as_json,
        f"第 {r['shift_id']} 班已开班，营业日 {r['business_day']}，备用金 ¥{format_fen(r['float_fen'])}\n"
        f"Shift {r['shift_id']} open for {r['business_day']}, float {format_fen(r['float_fen'])}",
    )


_MOVE_NAMES = {
    "pay_in": ("存入", "Pay-in"),
    "pay_out": ("支出", "Pay-out"),
    "no_sale": ("开钱箱（无销售）", "No-sale drawer opening"),
}


def _move(kind: str) -> Callable[..., None]:
    @click.option("--user", required=True)
    @click.option("--reason", required=kind != "no_sale", default="", help="Why (printed on Z).")
    @json_option
    @click.pass_context
    def cmd(ctx: click.Context, user: str, reason: str, as_json: bool, amount: str = "0") -> None:
        till = obj(ctx).till
        u = sign_in(till, user)
        till.side_effects.wire(_notice)
        if kind == "no_sale":
            reason = reason or "no sale"  # the only movement whose reason is optional
        r = till.shifts.cash_move(u, kind, Money.parse(amount).fen, reason)
        zh, en = _MOVE_NAMES[kind]
        amount_text = f" ¥{format_fen(r['amount_fen'])}" if kind != "no_sale" else ""
        text = (
            f"已记录{zh}{amount_text}（{r['reason']}）\n{en}{amount_text} recorded ({r['reason']})"
        )
        drawer = r.get("drawer") or {}
        if drawer.get("opened"):
            text += "\n钱箱已打开 drawer opened"
        elif kind == "no_sale":
            text += "\n钱箱未打开 drawer NOT opened"  # the reason went to stderr as a note
        emit(r, as_json, text)

    return cmd


shift.command("pay-in", help="Cash put into the drawer (备用金 / 存款).")(
    click.argument("amount")(_move("pay_in"))
)
shift.command("pay-out", help="Cash taken out of the drawer, with a reason.")(
    click.argument("amount")(_move("pay_out"))
)
shift.command("no-sale", help="Open the drawer without a sale (recorded with the user).")(
    _move("no_sale")
)


def _notice(err: GuitaiError) -> None:
    click.echo(f"注意：{err.message_zh}\nnote: {err.message}", err=True)


def _text(ctx: click.Context) -> Callable[[dict[str, Any]], str]:
    """The report as text: the same document the receipt printer prints (80 mm)."""

    def render(r: dict[str, Any]) -> str:
        from pos_app.adapters import receipt_docs
        from receipts import render_text
        from receipts.profiles import paper

        return render_text(receipt_docs.z_document(obj(ctx).till.uow, r), paper(80))

    return render


def _print(ctx: click.Context, reports: list[dict[str, Any]], copy: bool) -> None:
    till = obj(ctx).till
    for r in reports:
        out = till.printing().print_report(r, copy=copy)
        if out["state"] != "done":  # sent, but the printer never said it printed
            state = str(out["state"])
            click.echo(
                f"注意：{out.get('message_zh') or state}\nnote: {out.get('message') or state}",
                err=True,
            )


print_option = click.option(
    "--print",
    "to_printer",
    is_flag=True,
    help="Also print it on the receipt printer (a Z printed again says 重印).",
)


@shift.command("close")
@click.option("--user", required=True, help="Manager closing the day.")
@click.option("--counted", required=True, help="Cash counted in the drawer, e.g. 1234.50")
@json_option
@click.pass_context
def shift_close(ctx: click.Context, user: str, counted: str, as_json: bool) -> None:
    """Close the shift and business day; prints the Z report (on the receipt printer too
    when one is set up)."""
    till = obj(ctx).till
    u = sign_in(till, user, role=Role.MANAGER)
    till.side_effects.wire(_notice)
    r = till.shifts.close(u, Money.parse(counted).fen)
    emit(r, as_json, _text(ctx))


@click.group()
def report() -> None:
    """X (mid-shift) and Z (end of day) reports."""


@report.command("x")
@print_option
@json_option
@click.pass_context
def report_x(ctx: click.Context, to_printer: bool, as_json: bool) -> None:
    """The open shift's figures so far (read only)."""
    r = obj(ctx).till.shifts.x_report()
    if to_printer:
        _print(ctx, [r], copy=False)
    emit(r, as_json, _text(ctx))


@report.command("z")
@click.option("--day", required=True, help="Business day YYYY-MM-DD (reprint its Z reports).")
@print_option
@json_option
@click.pass_context
def report_z(ctx: click.Context, day: str, to_printer: bool, as_json: bool) -> None:
    """A closed day's Z reports, as stored at the close."""
    reports = obj(ctx).till.shifts.z_reports(day)
    if to_printer:
        _print(ctx, reports, copy=True)
    render = _text(ctx)
    emit(
        reports if len(reports) > 1 else reports[0],
        as_json,
        lambda _: "\n\n".join(render(r) for r in reports),
    )


def period_text(r: dict[str, Any]) -> str:
    f = format_fen
    out = [
        f"期间报表 period report {r['from']} – {r['to']}",
        f"sales   {r['sales']['count']:>7}  {f(r['sales']['total_fen']):>14}",
        f"refunds {r['refunds']['count']:>7}  {f(r['refunds']['total_fen']):>14}",
        f"net              {f(r['net_fen']):>14}",
        "by tender:",
    ]
    out += [f"  {t:<14}{f(v):>14}" for t, v in r["by_tender"].items()]
    out += ["by VAT rate (gross):"]
    out += [f"  {v['rate_bp'] / 100:g}%  {f(v['gross_fen'])}" for v in r["by_vat"]]
    out += ["by category:"]
    out += [
        f"  {c['category'] or '-':<14}{c['qty']:>7}  {f(c['amount_fen']):>14}"
        for c in r["by_category"]
    ]
    return "\n".join(out)


@report.command("period")
@click.option("--from", "first_day", required=True, help="First business day YYYY-MM-DD.")
@click.option("--to", "last_day", required=True, help="Last business day YYYY-MM-DD (included).")
@json_option
@click.pass_context
def report_period(ctx: click.Context, first_day: str, last_day: str, as_json: bool) -> None:
    from pos_app.services.period_report import period_report

    emit(period_report(obj(ctx).till.uow, first_day, last_day), as_json, period_text)
