"""The sale aggregate: lines, discounts, tenders, completion.

A sale lives in memory (or suspended as JSON) until it is completed; completing it produces
the `sale.completed` payload (docs/events.md) that the journal hashes and everything
downstream (receipt, reports, cloud) reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .errors import InvalidInput, NeedsApproval, NotFound, RuleViolation, StateError
from .ids import time_ordered_id
from .money import CashRounding, Money, format_fen
from .pricing import Discount, DiscountKind, share_bp, spread, vat_breakdown
from .promotions import Saving
from .sale_limits import (
    DEFAULT_MAX_SALE_FEN,
    MAX_CHANGE_FEN,
    MAX_LINES,
    DiscountLimits,
    check_qty,
    sale_too_big,
)
from .tenders import NETWORK_TENDERS, Tender, TenderLine


class Sellable(Protocol):
    """What the sale needs to know of a catalog item (pos_app.domain.catalog.SkuInfo has it)."""

    @property
    def sku(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def price_fen(self) -> int: ...
    @property
    def member_price_fen(self) -> int | None: ...
    @property
    def category(self) -> str: ...
    @property
    def vat_rate_bp(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Approval:
    """A manager's override (店长授权), kept with the sale and in the audit trail."""

    action: str
    approver: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"action": self.action, "approver": self.approver, "reason": self.reason}


@dataclass(slots=True)
class SaleLine:
    line_no: int
    sku: str
    name: str
    qty: int
    unit_price_fen: int
    list_price_fen: int
    category: str
    vat_rate_bp: int
    barcode: str = ""
    style: str = ""
    colour: str = ""
    size: str = ""
    discount: Discount | None = None

    @property
    def gross_fen(self) -> int:
        return self.qty * self.unit_price_fen

    @property
    def line_discount_fen(self) -> int:
        return self.discount.amount_off(self.gross_fen) if self.discount else 0

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.line_discount_fen

    @property
    def member_saving_fen(self) -> int:
        """What the member price took off the list price (会员价优惠): shown by name, so the
        customer sees the list price and what membership saved."""
        return self.qty * max(0, self.list_price_fen - self.unit_price_fen)


@dataclass(frozen=True, slots=True)
class VoidedLine:
    sku: str
    name: str
    qty: int
    unit_price_fen: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "qty": self.qty,
            "unit_price_fen": self.unit_price_fen,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal_fen: int  # Σ qty × unit price
    line_discount_fen: int
    order_discount_fen: int
    total_fen: int  # before cash rounding
    paid_fen: int  # tendered so far, net of change
    due_fen: int  # still to pay (before cash rounding)
    savings_fen: int = 0  # named savings (promotions, coupons, points): docs/members.md


@dataclass(slots=True)
class Sale:
    cashier: str
    cashier_roles: frozenset[str]
    started_at: datetime
    id: str = field(default_factory=time_ordered_id)
    lines: list[SaleLine] = field(default_factory=list)
    voided_lines: list[VoidedLine] = field(default_factory=list)
    order_discount: Discount | None = None
    tenders: list[TenderLine] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    member_id: str | None = None
    member_phone_masked: str | None = None
    associate: str | None = None
    # Named savings from the promotion engine (pos_app.domain.promotions), applied after the
    # line discounts and before the order discount; cleared whenever the lines change.
    savings: list[Saving] = field(default_factory=list)
    member_extra: dict[str, Any] = field(default_factory=dict)  # points, balances after
    limits: DiscountLimits = field(default_factory=DiscountLimits)
    max_total_fen: int = DEFAULT_MAX_SALE_FEN
    state: str = "open"  # open | completed | voided

    # ---- lines --------------------------------------------------------------------------

    def _require_open(self) -> None:
        self.savings = []
        if self.state != "open":
            raise StateError(
                f"This sale is already {self.state}; start a new sale",
                "这笔交易已结束，请开始新的交易",
            )
        if self.tenders:
            raise StateError(
                "Payment has started: cancel the payments before changing the sale",
                "已开始付款：请先取消付款再修改商品",
            )

    def line(self, line_no: int) -> SaleLine:
        for ln in self.lines:
            if ln.line_no == line_no:
                return ln
        raise NotFound(f"There is no line {line_no} in this sale", f"本单没有第 {line_no} 行")

    def add(
        self,
        item: Sellable,
        qty: int = 1,
        *,
        barcode: str = "",
        style: str = "",
        colour: str = "",
        size: str = "",
    ) -> SaleLine:
        """Add an item; scanning the same undiscounted item again raises its quantity."""
        self._require_open()
        check_qty(qty)
        price = item.price_fen
        if self.member_id and item.member_price_fen is not None:
            price = min(price, item.member_price_fen)
        for ln in self.lines:
            if ln.sku == item.sku and ln.discount is None and ln.unit_price_fen == price:
                check_qty(ln.qty + qty)
                self._check_size(qty * price)
                ln.qty += qty
                return ln
        if len(self.lines) >= MAX_LINES:
            raise RuleViolation(
                f"A sale holds at most {MAX_LINES} lines: complete this one and start another",
                f"每单最多 {MAX_LINES} 行，请先结账再开新单",
            )
        self._check_size(qty * price)
        line = SaleLine(
            line_no=max((ln.line_no for ln in self.lines), default=0) + 1,
            sku=item.sku,
            name=item.name,
            qty=qty,
            unit_price_fen=price,
            list_price_fen=item.price_fen,
            category=item.category,
            vat_rate_bp=item.vat_rate_bp,
            barcode=barcode,
            style=style,
            colour=colour,
            size=size,
        )
        self.lines.append(line)
        return line

    def set_qty(self, line_no: int, qty: int) -> None:
        self._require_open()
        check_qty(qty)
        ln = self.line(line_no)
        self._check_size((qty - ln.qty) * ln.unit_price_fen)
        ln.qty = qty

    def _check_size(self, more_fen: int) -> None:
        """Refuse a change that takes the sale's list amount beyond the store's limit per sale
        (what is left to pay can only be less, so the receipt can always be issued)."""
        after = sum(ln.gross_fen for ln in self.lines) + more_fen
        if after > self.max_total_fen:
            raise sale_too_big(after, self.max_total_fen)

    def void_line(self, line_no: int, reason: str) -> VoidedLine:
        self._require_open()
        if not reason.strip():
            raise InvalidInput("Say why the line is voided", "请填写删除该行的原因")
        ln = self.line(line_no)
        self.lines.remove(ln)
        voided = VoidedLine(ln.sku, ln.name, ln.qty, ln.unit_price_fen, reason.strip())
        self.voided_lines.append(voided)
        return voided

    # ---- discounts ----------------------------------------------------------------------

    def _manual_off(
        self, changed: SaleLine | None, line: Discount | None, order: Discount | None
    ) -> int:
        """Fen the cashier's own discounts take off, with `line` on `changed` and `order` for
        the whole sale (promotions, coupons and points are the brand's, not counted)."""
        lines_off = 0
        for ln in self.lines:
            d = line if ln is changed else ln.discount
            lines_off += d.amount_off(ln.gross_fen) if d else 0
        base = sum(ln.gross_fen for ln in self.lines) - lines_off
        return lines_off + (order.amount_off(base) if order else 0)

    def _check_limit(self, off_fen: int, approval: Approval | None) -> None:
        """The limit holds for the sale's discounts together, not each on its own: a 10% line
        discount and a 10% order discount take 19% off, and that is what a manager approves.
        Lowering a discount never needs a manager."""
        depth = share_bp(off_fen, sum(ln.gross_fen for ln in self.lines))
        limit = self.limits.limit_for(self.cashier_roles)
        if depth <= limit or off_fen <= self._manual_off(None, None, self.order_discount):
            return
        if approval is None:
            raise NeedsApproval(
                f"The discounts on this sale come to {depth / 100:g}%, beyond your limit of "
                f"{limit / 100:g}%: a manager must approve",
                f"本单折扣合计 {depth / 100:g}%，超出您的权限（{limit / 100:g}%），需要店长授权",
            )
        self.approvals.append(approval)

    def set_line_discount(
        self, line_no: int, discount: Discount | None, approval: Approval | None = None
    ) -> None:
        self._require_open()
        ln = self.line(line_no)
        if (
            discount is not None
            and discount.kind is DiscountKind.AMOUNT
            and discount.value > ln.gross_fen
        ):
            raise RuleViolation(
                f"¥{format_fen(discount.value)} off is more than the line "
                f"(¥{format_fen(ln.gross_fen)})",
                f"折扣 ¥{format_fen(discount.value)} 超过该行金额 ¥{format_fen(ln.gross_fen)}",
            )
        self._check_limit(self._manual_off(ln, discount, self.order_discount), approval)
        ln.discount = discount

    def set_order_discount(
        self, discount: Discount | None, approval: Approval | None = None
    ) -> None:
        self._require_open()
        if discount is not None:
            base = sum(ln.net_fen for ln in self.lines)
            if discount.kind is DiscountKind.AMOUNT and discount.value > base:
                raise RuleViolation(
                    f"¥{format_fen(discount.value)} off is more than the sale "
                    f"(¥{format_fen(base)})",
                    f"整单折扣 ¥{format_fen(discount.value)} 超过应付金额 ¥{format_fen(base)}",
                )
        self._check_limit(self._manual_off(None, None, discount), approval)
        self.order_discount = discount

    # ---- totals -------------------------------------------------------------------------

    def totals(self) -> Totals:
        subtotal = sum(ln.gross_fen for ln in self.lines)
        line_disc = sum(ln.line_discount_fen for ln in self.lines)
        saved = sum(s.amount_fen for s in self.savings)
        net = subtotal - line_disc - saved
        order_disc = self.order_discount.amount_off(net) if self.order_discount else 0
        total = net - order_disc
        paid = sum(t.amount_fen - t.change_fen for t in self.tenders)
        rounding = sum(t.rounding_fen for t in self.tenders)
        return Totals(subtotal, line_disc, order_disc, total, paid, total - paid - rounding, saved)

    def saving_on_line(self, line_no: int) -> int:
        return sum(s.on_line(line_no) for s in self.savings)

    def apply_savings(self, savings: list[Saving]) -> None:
        """Put the promotion engine's savings on the sale (before any payment)."""
        if self.state != "open" or self.tenders:
            raise StateError(
                "Payment has started: savings can no longer change",
                "已开始付款，不能再修改优惠",
            )
        for s in savings:
            for line_no, fen in s.lines:
                ln = self.line(line_no)
                if fen < 0 or fen > ln.net_fen:
                    raise RuleViolation(
                        f"{s.name}: a saving cannot exceed its line", f"{s.name}：优惠超过该行金额"
                    )
        for ln in self.lines:
            if sum(s.on_line(ln.line_no) for s in savings) > ln.net_fen:
                raise RuleViolation("Savings exceed a line's amount", "优惠合计超过该行金额")
        self.savings = list(savings)

    # ---- tenders ------------------------------------------------------------------------

    def add_tender(
        self,
        tender: Tender,
        amount_fen: int,
        rounding: CashRounding,
        reference: str | None = None,
        card: dict[str, str] | None = None,
    ) -> TenderLine:
        """Add a payment.  Cash may exceed what is due (change); other tenders may not."""
        if self.state != "open":
            raise StateError(f"This sale is already {self.state}", "这笔交易已结束")
        if not self.lines:
            raise RuleViolation("The sale is empty: scan an item first", "本单没有商品，请先扫码")
        if amount_fen <= 0:
            raise InvalidInput("A payment must be more than zero", "付款金额必须大于零")
        due = self.totals().due_fen
        if due <= 0:
            raise RuleViolation("The sale is already paid in full", "本单已付清")
        change = 0
        rounding_fen = 0
        if tender is Tender.CASH:
            cash_due = rounding.cash_due(due)
            rounding_fen = due - cash_due if amount_fen >= cash_due else 0
            change = max(0, amount_fen - (due - rounding_fen))
            if change > MAX_CHANGE_FEN:
                raise RuleViolation(
                    f"¥{format_fen(amount_fen)} cash for ¥{format_fen(cash_due)} due would give "
                    f"¥{format_fen(change)} change (at most ¥{format_fen(MAX_CHANGE_FEN)}): "
                    "check the amount the customer handed over",
                    f"收现金 ¥{format_fen(amount_fen)}，应付 ¥{format_fen(cash_due)}，需找零 "
                    f"¥{format_fen(change)}（最多 ¥{format_fen(MAX_CHANGE_FEN)}）：请核对实收金额",
                )
        elif amount_fen > due:
            raise RuleViolation(
                f"{tender.label_en} cannot pay more than is due (¥{format_fen(due)}); "
                "only cash gives change",
                f"{tender.label_zh}不能超过应付金额 ¥{format_fen(due)}，只有现金可以找零",
            )
        line = TenderLine(tender, amount_fen, change, rounding_fen, reference, card)
        self.tenders.append(line)
        return line

    def cancel_tenders(self) -> None:
        if any(t.tender in NETWORK_TENDERS for t in self.tenders):
            raise StateError(
                "Card and payment-code payments are already taken: refund them instead",
                "银行卡/付款码已扣款，不能直接取消，请退款",
            )
        self.tenders.clear()

    @property
    def fully_paid(self) -> bool:
        return bool(self.lines) and self.totals().due_fen <= 0

    # ---- completion ---------------------------------------------------------------------

    def completion_payload(
        self,
        *,
        receipt_no: int,
        completed_at: str,
        business_day: str,
        shift_id: int,
        store_id: str,
        till_no: int,
    ) -> dict[str, Any]:
        """The `sale.completed` payload; refuses a sale that is not fully paid."""
        if self.state != "open":
            raise StateError(f"This sale is already {self.state}", "这笔交易已结束")
        t = self.totals()  # once: fully_paid would add them up again
        if not self.lines or t.due_fen > 0:
            raise RuleViolation(
                f"¥{format_fen(t.due_fen)} is still due: add a payment before completing",
                f"还差 ¥{format_fen(t.due_fen)}，请继续收款",
            )
        if t.subtotal_fen > self.max_total_fen:  # a parked sale from before a lower limit
            raise sale_too_big(t.subtotal_fen, self.max_total_fen)
        rounding = sum(x.rounding_fen for x in self.tenders)
        nets = [ln.net_fen - self.saving_on_line(ln.line_no) for ln in self.lines]
        order_parts = spread(t.order_discount_fen, nets)
        after_order = [n - o for n, o in zip(nets, order_parts, strict=True)]
        round_parts = spread(rounding, after_order)
        lines: list[dict[str, Any]] = []
        for ln, o, r in zip(self.lines, order_parts, round_parts, strict=True):
            discount = ln.line_discount_fen + self.saving_on_line(ln.line_no) + o + r
            lines.append(
                {
                    "line_no": ln.line_no,
                    "sku": ln.sku,
                    "name": ln.name,
                    "qty": ln.qty,
                    "unit_price_fen": ln.unit_price_fen,
                    "list_price_fen": ln.list_price_fen,
                    "discount_fen": discount,
                    "line_discount_fen": ln.line_discount_fen,
                    "amount_fen": ln.gross_fen - discount,
                    "vat_rate_bp": ln.vat_rate_bp,
                    "category": ln.category,
                    "style": ln.style,
                    "colour": ln.colour,
                    "size": ln.size,
                    "barcode": ln.barcode,
                }
            )
        total = sum(int(x["amount_fen"]) for x in lines)
        payments = [tl.as_dict() for tl in self.tenders]
        assert total == t.total_fen - rounding
        assert sum(p["amount_fen"] - p["change_fen"] for p in payments) == total
        member = (
            {"id": self.member_id, "phone_masked": self.member_phone_masked} | self.member_extra
            if self.member_id
            else None
        )
        extra: dict[str, Any] = {}
        if self.savings:
            extra["savings"] = [s.as_dict() for s in self.savings]
            extra["savings_fen"] = t.savings_fen
        return extra | {
            "sale_id": self.id,
            "store_id": store_id,
            "till_no": till_no,
            "receipt_no": receipt_no,
            "completed_at": completed_at,
            "business_day": business_day,
            "shift_id": shift_id,
            "currency": "CNY",
            "cashier": self.cashier,
            "associate": self.associate,
            "member": member,
            "lines": lines,
            "voided_lines": [v.as_dict() for v in self.voided_lines],
            "subtotal_fen": t.subtotal_fen,
            "line_discount_fen": t.line_discount_fen,
            "order_discount_fen": t.order_discount_fen,
            "rounding_fen": rounding,
            "total_fen": total,
            "vat": [
                v.as_dict()
                for v in vat_breakdown((int(x["vat_rate_bp"]), int(x["amount_fen"])) for x in lines)
            ],
            "payments": payments,
            "approvals": [a.as_dict() for a in self.approvals],
        }

    def mark_completed(self) -> None:
        self.state = "completed"

    def void(self, reason: str) -> dict[str, Any]:
        """Void the whole sale before completion; returns what the void event records."""
        if self.state != "open":
            raise StateError(f"This sale is already {self.state}", "这笔交易已结束")
        if any(t.tender in NETWORK_TENDERS for t in self.tenders):
            raise StateError(
                "Card or payment-code money was taken: refund it before voiding the sale",
                "已有银行卡/付款码收款，请先退款再作废本单",
            )
        if not reason.strip():
            raise InvalidInput("Say why the sale is voided", "请填写作废原因")
        self.state = "voided"
        return {
            "sale_id": self.id,
            "cashier": self.cashier,
            "reason": reason.strip(),
            "lines": [
                {"sku": ln.sku, "name": ln.name, "qty": ln.qty, "amount_fen": ln.net_fen}
                for ln in self.lines
            ],
            "total_fen": self.totals().total_fen,
        }


def money(fen: int) -> Money:
    return Money(fen)
