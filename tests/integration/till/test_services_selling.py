"""Selling, returns, shifts and reports through the services on a real SQLite file."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.domain.errors import (
    AccessDenied,
    LockedOut,
    NotFound,
    RuleViolation,
    StateError,
)
from pos_app.domain.events import SaleCompleted
from pos_app.domain.money import CashRounding
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.tenders import Tender
from pos_app.domain.users import Role

CODES = ["6901234567892", "6901234567908", "6901234567915", "6901234567922", "6901234567939"]


def admin(till):  # type: ignore[no-untyped-def]
    return till.users.authenticate("admin", "7391")


def sell(till, user, codes, cash_extra=0, card=0):  # type: ignore[no-untyped-def]
    s = till.sales.new_sale(user)
    for c in codes:
        till.sales.scan(s, c)
    if card:
        s.add_tender(Tender.CARD, card, CashRounding.NONE, reference="T")
    due = s.totals().due_fen
    if due > 0:
        s.add_tender(Tender.CASH, due + cash_extra, CashRounding.NONE)
    return till.sales.complete(s)


def outbox(till):  # type: ignore[no-untyped-def]
    return [r[0] for r in till.database.conn.execute("SELECT type FROM outbox ORDER BY seq")]


def test_selling_needs_an_open_shift(till) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StateError) as e:
        till.sales.new_sale(admin(till))
    assert "shift open" in e.value.message


def test_a_sale_commits_everything_together(till, clock) -> None:  # type: ignore[no-untyped-def]
    u = admin(till)
    till.shifts.open(u, 50000)
    p = sell(till, u, CODES[:2], cash_extra=101)
    assert p["receipt_no"] == 1 and p["total_fen"] == 29900 + 9900
    assert p["payments"][0]["change_fen"] == 101
    conn = till.database.conn
    assert conn.execute("SELECT count(*) FROM sale_lines").fetchone()[0] == 2
    assert outbox(till) == ["shift.opened", "sale.completed", "stock.moved"]
    row = conn.execute(
        "SELECT payload, prev_entry_hash, entry_hash FROM outbox WHERE seq = 2"
    ).fetchone()
    assert json.loads(row[0])["sale_id"] == p["sale_id"] and row[1] == "00" * 32
    assert row[2] == p["_entry_hash"]


def test_a_printer_failure_after_commit_never_undoes_the_sale(till) -> None:  # type: ignore[no-untyped-def]
    def broken_printer(event):  # type: ignore[no-untyped-def]
        raise OSError("paper out")

    till.bus.subscribe(SaleCompleted, broken_printer)
    u = admin(till)
    till.shifts.open(u, 0)
    p = sell(till, u, CODES[:1])
    assert till.uow.sales.payload(receipt_no=p["receipt_no"]) is not None


def test_returns_and_gap_free_receipt_numbers(till) -> None:  # type: ignore[no-untyped-def]
    u = admin(till)
    till.shifts.open(u, 0)
    sell(till, u, [CODES[0], CODES[0], CODES[1]])
    r = till.sales.refund(u, 1, [ReturnRequest(1, 1)], "cash", "尺码不合适")
    assert r["receipt_no"] == 2 and r["total_fen"] == -29900
    assert r["payments"] == [{"tender": "cash", "amount_fen": -29900, "change_fen": 0}]
    with pytest.raises(RuleViolation):
        till.sales.refund(u, 1, [ReturnRequest(1, 2)], "cash", "")
    before = till.database.conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    with pytest.raises(NotFound):
        till.sales.refund(u, 99, None, "cash", "")
    with pytest.raises(NotFound):
        till.sales.refund(u, 2, None, "cash", "")  # a refund is not a sale to return against
    assert till.database.conn.execute("SELECT count(*) FROM sales").fetchone()[0] == before
    r2 = till.sales.refund(u, 1, None, "original", "")
    assert r2["receipt_no"] == 3 and r2["total_fen"] == -(29900 + 9900)
    assert outbox(till).count("refund.completed") == 2


def test_suspend_and_resume(till) -> None:  # type: ignore[no-untyped-def]
    u = admin(till)
    till.shifts.open(u, 0)
    s = till.sales.new_sale(u)
    till.sales.scan(s, CODES[2])
    sid = till.sales.suspend(s, "试衣中")
    assert [x["label"] for x in till.uow.suspended.all()] == ["试衣中"]
    back = till.sales.resume(sid, u)
    assert [ln.sku for ln in back.lines] == ["QP-2026-003-RED-S"]
    assert till.uow.suspended.all() == []
    with pytest.raises(NotFound):
        till.sales.resume(sid, u)


def test_void_sale_is_recorded_without_a_receipt_number(till) -> None:  # type: ignore[no-untyped-def]
    u = admin(till)
    till.shifts.open(u, 0)
    s = till.sales.new_sale(u)
    till.sales.scan(s, CODES[0])
    till.sales.void(s, "顾客离开")
    assert outbox(till)[-1] == "sale.voided"
    p = sell(till, u, CODES[:1])
    assert p["receipt_no"] == 1
    z = till.shifts.close(u, 29900)
    assert z["by_cashier"]["admin"]["voided_sales"] == 1


def test_pin_lockout_grows(till, clock) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        with pytest.raises(AccessDenied) as e:
            till.users.authenticate("admin", "0000")
        assert not isinstance(e.value, LockedOut)
    with pytest.raises(LockedOut) as e3:
        till.users.authenticate("admin", "0000")
    assert "30" in e3.value.message
    with pytest.raises(LockedOut):  # even the right PIN waits out the lockout
        till.users.authenticate("admin", "7391")
    clock.advance(seconds=31)
    with pytest.raises(LockedOut) as e4:
        till.users.authenticate("admin", "0001")
    assert "60" in e4.value.message
    clock.advance(seconds=61)
    assert till.users.authenticate("admin", "7391").name == "admin"


def test_only_managers_approve_and_close(till) -> None:  # type: ignore[no-untyped-def]
    till.users.add("li", {Role.CASHIER}, "5926")
    li = till.users.authenticate("li", "5926")
    with pytest.raises(AccessDenied):
        till.users.approval("li", "5926", "discount", "")
    till.shifts.open(li, 0)
    with pytest.raises(StateError):
        till.shifts.close(li, 0)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=st.lists(
        st.tuples(
            st.lists(st.sampled_from(CODES), min_size=1, max_size=4),
            st.booleans(),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_z_tender_totals_equal_the_days_sales_and_refunds(till_home, plan) -> None:  # type: ignore[no-untyped-def]
    import pathlib
    import shutil
    import tempfile

    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build
    from pos_app.config import Paths

    tmp = pathlib.Path(tempfile.mkdtemp())
    try:
        shutil.copytree(till_home, tmp / "t")
        db = open_database(tmp / "t" / "till.db")
        till = build(Paths(tmp / "t"), db)
        u = admin(till)
        till.shifts.open(u, 10000)
        sales_total, refund_total, card_total = 0, 0, 0
        for codes, card, ret in plan:
            total = sum(till.catalog().by_code(c).price_fen for c in codes)
            p = sell(till, u, codes, card=total // 2 if card else 0)
            card_total += total // 2 if card else 0
            sales_total += p["total_fen"]
            if ret:
                left = {ln["line_no"]: ln["qty"] for ln in p["lines"]}
                reqs = [ReturnRequest(n, 1) for n in list(left)[:ret]]
                r = till.sales.refund(u, p["receipt_no"], reqs, "original", "")
                refund_total += r["total_fen"]
        z = till.shifts.close(u, 0)
        tender_net = sum(t["net_fen"] for t in z["by_tender"].values())
        assert tender_net == sales_total + refund_total == z["net_fen"]
        assert z["sales"]["total_fen"] == sales_total and z["refunds"]["total_fen"] == refund_total
        assert sum(v["gross_fen"] for v in z["by_vat"]) == z["net_fen"]
        assert sum(c["net_fen"] for c in z["by_category"].values()) == z["net_fen"]
        assert z["cash"]["expected_fen"] == 10000 + z["by_tender"].get("cash", {}).get("net_fen", 0)
        assert z["grand_total_fen"] == z["net_fen"]
        db.close()
    finally:
        shutil.rmtree(tmp)
