"""guitai shift open|pay-in|pay-out|no-sale|close, report x|z."""

from __future__ import annotations

from typing import Any

import click

from pos_app.domain.money import Money, format_fen
from pos_app.domain.users import Role

from .auth import sign_in
from .common import emit, json_option, obj


def report_text(r: dict[str, Any]) -> str:
    f = format_fen
    title = f"Z 日结报表 #{r['z_no']}" if r["kind"] == "Z" else "X 交班报表 (read only)"
    out = [
        f"{title}  {r['store_name']} till {r['till_no']}",
        f"business day {r['business_day']}  opened {r['opened_at']} by {r['opened_by']}",
        f"receipts {r['first_receipt_no']}–{r['last_receipt_no']}",
        f"sales   {r['sales']['count']:>5}  {f(r['sales']['total_fen']):>12}",
        f"refunds {r['refunds']['count']:>5}  {f(r['refunds']['total_fen']):>12}",
        f"net            {f(r['net_fen']):>12}",
        "",
        "by tender:",
    ]
    out += [f"  {t:<14}{f(v['net_fen']):>12}" for t, v in r["by_tender"].items()]
    out += ["VAT contained:"]
    out += [
        f"  {v['rate_bp'] / 100:g}%  gross {f(v['gross_fen'])}  VAT {f(v['vat_fen'])}"
        for v in r["by_vat"]
    ]
    out += ["by cashier:"]
    for name, c in r["by_cashier"].items():
        out.append(
            f"  {name:<10} sales {c['sales']} {f(c['sales_fen'])} returns {c['returns']} "
            f"discounts {f(c['discounts_fen'])} voided lines {c['voided_lines']} "
            f"voided sales {c['voided_sales']} no-sale {c['no_sale_opens']}"
        )
    cash = r["cash"]
    out += [
        "cash:",
        f"  float {f(cash['float_fen'])}  cash sales {f(cash['cash_net_fen'])}  "
        f"pay in {f(cash['pay_in_fen'])}  pay out {f(cash['pay_out_fen'])}",
        f"  expected {f(cash['expected_fen'])}",
    ]
    if cash["counted_fen"] is not None:
        out.append(f"  counted {f(cash['counted_fen'])}  difference {f(cash['difference_fen'])}")
    out.append(f"grand total {f(r['grand_total_fen'])}")
    return "\n".join(out)


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
        f"Shift {r['shift_id']} open for {r['business_day']}, float {format_fen(r['float_fen'])}",
    )


def _move(kind: str) -> Any:
    @click.option("--user", required=True)
    @click.option("--reason", required=kind != "no_sale", default="", help="Why (printed on Z).")
    @json_option
    @click.pass_context
    def cmd(ctx: click.Context, user: str, reason: str, as_json: bool, amount: str = "0") -> None:
        till = obj(ctx).till
        u = sign_in(till, user)
        till.wire_side_effects(
            lambda err: click.echo(f"注意：{err.message_zh}\nnote: {err.message}", err=True)
        )
        r = till.shifts.cash_move(u, kind, Money.parse(amount).fen, reason or "no sale")
        emit(r, as_json, f"{kind} {format_fen(r['amount_fen'])} recorded ({r['reason']})")

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


@shift.command("close")
@click.option("--user", required=True, help="Manager closing the day.")
@click.option("--counted", required=True, help="Cash counted in the drawer, e.g. 1234.50")
@json_option
@click.pass_context
def shift_close(ctx: click.Context, user: str, counted: str, as_json: bool) -> None:
    """Close the shift and business day; prints the Z report."""
    till = obj(ctx).till
    u = sign_in(till, user, role=Role.MANAGER)
    r = till.shifts.close(u, Money.parse(counted).fen)
    emit(r, as_json, report_text)


@click.group()
def report() -> None:
    """X (mid-shift) and Z (end of day) reports."""


@report.command("x")
@json_option
@click.pass_context
def report_x(ctx: click.Context, as_json: bool) -> None:
    emit(obj(ctx).till.shifts.x_report(), as_json, report_text)


@report.command("z")
@click.option("--day", required=True, help="Business day YYYY-MM-DD (reprint its Z reports).")
@json_option
@click.pass_context
def report_z(ctx: click.Context, day: str, as_json: bool) -> None:
    reports = obj(ctx).till.shifts.z_reports(day)
    emit(
        reports if len(reports) > 1 else reports[0],
        as_json,
        lambda _: "\n\n".join(report_text(r) for r in reports),
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

    emit(period_report(obj(ctx).till.store, first_day, last_day), as_json, period_text)
