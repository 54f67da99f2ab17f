"""The sale's own limits, in the domain (so the till's screens and `guitai sale` agree): the most
one sale may hold, the most change cash may give, a gift at ¥0.00, and the cashier's discount
limit over the sale's discounts together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from pos_app.domain.errors import NeedsApproval, RuleViolation
from pos_app.domain.money import CashRounding
from pos_app.domain.pricing import Discount
from pos_app.domain.returns import ReturnRequest, plan_refund_lines
from pos_app.domain.sale import Approval, Sale
from pos_app.domain.sale_limits import DEFAULT_MAX_SALE_FEN, MAX_CHANGE_FEN, TOKEN_MAX_FEN
from pos_app.domain.tenders import Tender


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    price_fen: int
    member_price_fen: int | None = None
    category: str = "男装"
    vat_rate_bp: int = 1300


def new_sale(roles: frozenset[str] = frozenset({"cashier"}), **kw: int) -> Sale:
    return Sale(
        cashier="li", cashier_roles=roles, started_at=datetime(2026, 1, 1, tzinfo=UTC), **kw
    )


def complete(sale: Sale) -> dict:  # type: ignore[type-arg]
    return sale.completion_payload(
        receipt_no=1,
        completed_at="2026-01-01T00:00:00Z",
        business_day="2026-01-01",
        shift_id=1,
        store_id="S1",
        till_no=1,
    )


COAT = Item("FUR", "皮草大衣", 9_999_900)  # ¥99,999.00


def test_the_default_limit_is_far_below_the_token() -> None:
    assert DEFAULT_MAX_SALE_FEN == 100_000_000 and DEFAULT_MAX_SALE_FEN < TOKEN_MAX_FEN // 20


def test_a_sale_beyond_the_limit_is_refused_as_it_is_rung_up() -> None:
    s = new_sale()
    s.add(COAT, 10)  # ¥999,990.00: within ¥1,000,000.00
    with pytest.raises(RuleViolation) as e:
        s.add(COAT)  # the same line, one more
    assert "单笔上限" in e.value.message_zh and "max_sale_total" in e.value.message
    assert s.lines[0].qty == 10
    with pytest.raises(RuleViolation):
        s.set_qty(1, 11)
    with pytest.raises(RuleViolation):
        s.add(Item("X", "袜子", 1001))  # a new line
    assert [ln.qty for ln in s.lines] == [10]
    s.set_qty(1, 1)
    s.add(COAT, 9)


def test_a_line_that_would_overflow_the_token_is_refused() -> None:
    s = new_sale(max_total_fen=2_000_000_000)
    with pytest.raises(RuleViolation):
        s.add(Item("BIG", "贵", 1_000_000_000), 3)
    assert s.lines == []


def test_a_parked_sale_over_a_lowered_limit_is_not_completed() -> None:
    s = new_sale(frozenset({"manager"}))
    s.add(COAT, 2)
    s.max_total_fen = 100_000  # the brand lowered the limit while the sale was parked
    s.add_tender(Tender.CARD, s.totals().due_fen, CashRounding.NONE, reference="T")
    with pytest.raises(RuleViolation):
        complete(s)


def test_cash_may_exceed_what_is_due_by_at_most_the_change_limit() -> None:
    s = new_sale()
    s.add(Item("T", "T恤", 9900))
    with pytest.raises(RuleViolation) as e:
        s.add_tender(Tender.CASH, 99_999_999_999_900, CashRounding.NONE)
    assert "找零" in e.value.message_zh and "change" in e.value.message
    assert s.tenders == []
    with pytest.raises(RuleViolation):
        s.add_tender(Tender.CASH, 9900 + MAX_CHANGE_FEN + 1, CashRounding.NONE)
    line = s.add_tender(Tender.CASH, 9900 + MAX_CHANGE_FEN, CashRounding.NONE)
    assert line.change_fen == MAX_CHANGE_FEN


def test_a_refund_beyond_the_token_is_refused_before_anything_moves() -> None:
    original = {
        "receipt_no": 7,
        "lines": [
            {
                "line_no": 1,
                "sku": "A",
                "name": "x",
                "qty": 3,
                "unit_price_fen": 1_000_000_000,
                "amount_fen": 3_000_000_000,
                "vat_rate_bp": 1300,
            },
        ],
    }
    with pytest.raises(RuleViolation) as e:
        plan_refund_lines(original, {}, None)
    assert "分几次退货" in e.value.message_zh  # two of the three fit
    assert plan_refund_lines(original, {}, [ReturnRequest(1, 2)])[0]["amount_fen"] == 2_000_000_000


def test_an_approved_gift_completes_at_zero_without_a_payment() -> None:
    s = new_sale()
    s.add(Item("T", "T恤", 9900))
    with pytest.raises(NeedsApproval):
        s.set_order_discount(Discount.parse("100%"))
    s.set_order_discount(Discount.parse("100%"), Approval("order_discount", "wang", "赠品"))
    assert s.fully_paid
    p = complete(s)
    assert p["total_fen"] == 0 and p["payments"] == [] and p["lines"][0]["amount_fen"] == 0


def test_the_discount_limit_holds_for_the_sale_s_discounts_together() -> None:
    s = new_sale()
    s.add(Item("A", "夹克", 10000))
    s.add(Item("B", "T恤", 10000))
    s.set_line_discount(1, Discount.parse("10%"))  # 5% of the sale
    s.set_line_discount(2, Discount.parse("10%"))  # 10% of the sale: the limit
    with pytest.raises(NeedsApproval) as e:
        s.set_order_discount(Discount.parse("10%"))  # 19% in all
    assert "19%" in e.value.message and "合计" in e.value.message_zh
    assert s.order_discount is None
    s.set_order_discount(Discount.parse("10%"), Approval("order_discount", "wang", "VIP"))
    assert len(s.approvals) == 1
    s.set_order_discount(Discount.parse("5%"))  # lowering needs no manager
    s.set_order_discount(None)


def test_a_line_discount_after_an_order_discount_counts_both() -> None:
    s = new_sale()
    s.add(Item("A", "夹克", 10000))
    s.set_order_discount(Discount.parse("10%"))
    with pytest.raises(NeedsApproval):
        s.set_line_discount(1, Discount.parse("10%"))
    assert s.lines[0].discount is None
