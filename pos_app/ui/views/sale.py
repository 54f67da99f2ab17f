"""Immutable snapshots of the open sale, taken on the worker right after a change; the
screens paint these only (never a sale that is being changed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pos_app.domain.sale import Sale

from .member import MemberBrief, SavingView, brief_of, saving_names, savings_of


@dataclass(frozen=True, slots=True)
class LineView:
    line_no: int
    sku: str
    name: str
    qty: int
    unit_price_fen: int
    discount: str
    discount_fen: int
    net_fen: int
    saving_fen: int = 0  # the line's share of the named savings (promotions, coupon, points)
    savings: str = ""  # their names
    member_saving_fen: int = 0  # 会员价优惠: unit_price_fen is then the list price


@dataclass(frozen=True, slots=True)
class TenderView:
    tender: str
    amount_fen: int
    change_fen: int


@dataclass(frozen=True, slots=True)
class SaleView:
    lines: tuple[LineView, ...]
    subtotal_fen: int
    discount_fen: int
    total_fen: int
    paid_fen: int
    due_fen: int
    cash_due_fen: int
    change_fen: int
    tenders: tuple[TenderView, ...]
    order_discount: str
    changed_line: int | None = None
    savings: tuple[SavingView, ...] = ()
    member: MemberBrief | None = None
    note: str = ""  # e.g. a coupon dropped because the basket changed
    associate: str = ""  # the associate (导购) credited with the sale
    member_saving_fen: int = 0  # what member prices took off the list prices (会员价优惠)

    @property
    def qty(self) -> int:
        return sum(ln.qty for ln in self.lines)

    @property
    def list_subtotal_fen(self) -> int:
        """The lines at list prices (what the receipt prints as 原价合计)."""
        return self.subtotal_fen + self.member_saving_fen


EMPTY_VIEW = SaleView((), 0, 0, 0, 0, 0, 0, 0, (), "")


def snapshot(
    sale: Sale, rounding: Any, changed_line: int | None = None, mc: Any = None, note: str = ""
) -> SaleView:
    t = sale.totals()
    lines = tuple(
        LineView(
            ln.line_no,
            ln.sku,
            ln.name,
            ln.qty,
            max(ln.unit_price_fen, ln.list_price_fen),
            ln.discount.describe() if ln.discount else "",
            ln.line_discount_fen,
            ln.net_fen - sale.saving_on_line(ln.line_no),
            sale.saving_on_line(ln.line_no),
            saving_names(sale, ln.line_no),
            ln.member_saving_fen,
        )
        for ln in sale.lines
    )
    due = max(0, t.due_fen)
    return SaleView(
        lines,
        t.subtotal_fen,
        t.line_discount_fen + t.order_discount_fen,
        t.total_fen,
        t.paid_fen,
        due,
        rounding.cash_due(due) if due else 0,
        sum(x.change_fen for x in sale.tenders),
        tuple(TenderView(x.tender.value, x.amount_fen, x.change_fen) for x in sale.tenders),
        sale.order_discount.describe() if sale.order_discount else "",
        changed_line,
        savings_of(sale),
        brief_of(mc),
        note,
        sale.associate or "",
        sum(ln.member_saving_fen for ln in sale.lines),
    )
