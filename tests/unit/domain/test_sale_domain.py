"""Properties of the sale aggregate: totals, discounts, tenders, completion payload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.domain.errors import InvalidInput, NeedsApproval, RuleViolation, StateError
from pos_app.domain.money import CashRounding
from pos_app.domain.pricing import Discount, DiscountKind, vat_contained
from pos_app.domain.sale import Approval, Sale
from pos_app.domain.tenders import Tender


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    price_fen: int
    member_price_fen: int | None = None
    category: str = "男装"
    vat_rate_bp: int = 1300


def new_sale(roles: frozenset[str] = frozenset({"cashier"})) -> Sale:
    return Sale(cashier="li", cashier_roles=roles, started_at=datetime(2026, 1, 1, tzinfo=UTC))


def complete(sale: Sale) -> dict:
    return sale.completion_payload(
        receipt_no=1,
        completed_at="2026-01-01T00:00:00Z",
        business_day="2026-01-01",
        shift_id=1,
        store_id="S1",
        till_no=1,
    )


items = st.builds(
    Item,
    sku=st.sampled_from(["A", "B", "C", "D"]),
    name=st.just("商品"),
    price_fen=st.integers(0, 500_000),
    vat_rate_bp=st.sampled_from([0, 600, 900, 1300]),
)
discounts = st.one_of(
    st.none(),
    st.builds(Discount, kind=st.just(DiscountKind.PERCENT), value=st.integers(0, 10_000)),
    st.builds(Discount, kind=st.just(DiscountKind.AMOUNT), value=st.integers(0, 10**6)),
)


@settings(max_examples=300, deadline=None)
@given(
    basket=st.lists(st.tuples(items, st.integers(1, 5), discounts), min_size=1, max_size=12),
    order=discounts,
    rounding=st.sampled_from(list(CashRounding)),
    split=st.booleans(),
)
def test_completed_sale_adds_up(basket, order, rounding, split) -> None:  # type: ignore[no-untyped-def]
    sale = new_sale(frozenset({"manager"}))
    ok = Approval("discount", "boss", "test")
    for item, qty, disc in basket:
        line = sale.add(item, qty)
        if disc is not None and not (
            disc.kind is DiscountKind.AMOUNT and disc.value > line.gross_fen
        ):
            sale.set_line_discount(line.line_no, disc, ok)
    if order is not None:
        try:
            sale.set_order_discount(order, ok)
        except RuleViolation:
            pass
    t = sale.totals()
    assert t.total_fen >= 0
    for ln in sale.lines:
        assert 0 <= ln.line_discount_fen <= ln.gross_fen
    if t.total_fen == 0:
        return
    if split and t.total_fen > 1:
        sale.add_tender(Tender.CARD, t.total_fen // 2, rounding, reference="T1")
    # ¥100 over what is left: within the change a customer can be given (MAX_CHANGE_FEN)
    sale.add_tender(Tender.CASH, sale.totals().due_fen + 10_000, rounding)
    p = complete(sale)
    assert sum(x["amount_fen"] for x in p["lines"]) == p["total_fen"]
    assert sum(x["amount_fen"] - x["change_fen"] for x in p["payments"]) == p["total_fen"]
    assert p["total_fen"] == t.total_fen - p["rounding_fen"]
    assert 0 <= p["rounding_fen"] < rounding.unit
    for x in p["lines"]:
        assert 0 <= x["discount_fen"] <= x["qty"] * x["unit_price_fen"]
        assert x["amount_fen"] >= 0
    assert sum(v["gross_fen"] for v in p["vat"]) == p["total_fen"]
    assert all(p2["change_fen"] == 0 for p2 in p["payments"] if p2["tender"] != "cash")


@given(st.lists(items, min_size=1, max_size=8), st.randoms())
def test_same_basket_prices_the_same_in_any_scan_order(basket, rnd) -> None:  # type: ignore[no-untyped-def]
    a, b = new_sale(), new_sale()
    for it in basket:
        a.add(it)
    shuffled = list(basket)
    rnd.shuffle(shuffled)
    for it in shuffled:
        b.add(it)
    assert a.totals() == b.totals()


def test_scanning_again_raises_quantity() -> None:
    s = new_sale()
    s.add(Item("A", "夹克", 29900))
    s.add(Item("A", "夹克", 29900))
    assert [(ln.sku, ln.qty) for ln in s.lines] == [("A", 2)]


def test_member_price_applies_to_members_only() -> None:
    s = new_sale()
    s.member_id = "m1"
    s.add(Item("A", "夹克", 29900, member_price_fen=26900))
    assert s.lines[0].unit_price_fen == 26900
    s2 = new_sale()
    s2.add(Item("A", "夹克", 29900, member_price_fen=26900))
    assert s2.lines[0].unit_price_fen == 29900


def test_discount_beyond_the_cashier_limit_needs_a_manager() -> None:
    s = new_sale()
    s.add(Item("A", "夹克", 10000))
    s.set_line_discount(1, Discount.parse("10%"))  # within the cashier's 10%
    with pytest.raises(NeedsApproval) as e:
        s.set_line_discount(1, Discount.parse("20%"))
    assert "店长" in e.value.message_zh
    assert s.lines[0].discount == Discount.parse("10%")  # unchanged by the refusal
    s.set_line_discount(1, Discount.parse("20%"), Approval("line_discount", "wang", "VIP"))
    assert s.approvals == [Approval("line_discount", "wang", "VIP")]
    with pytest.raises(NeedsApproval):
        s.set_order_discount(Discount.parse("30.00"))


def test_amount_discount_larger_than_the_line_is_refused() -> None:
    s = new_sale(frozenset({"manager"}))
    s.add(Item("A", "袜子", 1000))
    with pytest.raises(RuleViolation):
        s.set_line_discount(1, Discount.parse("10.01"))


def test_tender_rules() -> None:
    s = new_sale()
    with pytest.raises(RuleViolation):
        s.add_tender(Tender.CASH, 100, CashRounding.NONE)  # empty sale
    s.add(Item("A", "夹克", 29997))
    with pytest.raises(RuleViolation) as e:
        s.add_tender(Tender.CARD, 30000, CashRounding.NONE)
    assert "找零" in e.value.message_zh
    with pytest.raises(InvalidInput):
        s.add_tender(Tender.CASH, 0, CashRounding.NONE)
    s.add_tender(Tender.CASH, 10000, CashRounding.NONE)
    with pytest.raises(RuleViolation) as e2:
        complete(s)
    assert "199.97" in e2.value.message
    with pytest.raises(StateError):
        s.add(Item("B", "T恤", 100))  # payment started: lines are frozen
    line = s.add_tender(Tender.CASH, 20000, CashRounding.JIAO)
    assert (line.rounding_fen, line.change_fen) == (7, 10)
    p = complete(s)
    assert p["total_fen"] == 29990 and p["rounding_fen"] == 7


def test_void_line_and_sale_keep_reasons() -> None:
    s = new_sale()
    s.add(Item("A", "夹克", 29900))
    s.add(Item("B", "T恤", 9900))
    with pytest.raises(InvalidInput):
        s.void_line(2, " ")
    s.void_line(2, "顾客不要了")
    assert [v.reason for v in s.voided_lines] == ["顾客不要了"]
    rec = s.void("顾客离开")
    assert rec["total_fen"] == 29900 and s.state == "voided"


def test_vat_contained() -> None:
    assert vat_contained(11300, 1300) == 1300
    assert vat_contained(10600, 600) == 600
    assert vat_contained(5000, 0) == 0
