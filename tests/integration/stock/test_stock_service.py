"""Stock through the wired till (real SQLite file, manual clock)."""

from __future__ import annotations

import json

import pytest

from pos_app.adapters.db.connection import open_database
from pos_app.bootstrap import build
from pos_app.domain.errors import AccessDenied, InvalidInput, NotFound, StateError
from pos_app.domain.money import CashRounding
from pos_app.domain.ports import Change
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.tenders import Tender
from pos_app.domain.users import Role
from pos_app.services import stock as stock_service

JACKET, TEE = "6901234567892", "6901234567908"
JACKET_SKU, TEE_SKU = "QP-2026-001-BLK-L", "QP-2026-002-WHT-M"


def admin(till):  # type: ignore[no-untyped-def]
    return till.users.authenticate("admin", "7391")


def sell(till, user, codes):  # type: ignore[no-untyped-def]
    s = till.sales.new_sale(user)
    for c in codes:
        till.sales.scan(s, c)
    s.add_tender(Tender.CASH, s.totals().due_fen, CashRounding.NONE)
    return till.sales.complete(s)


def events(till, type_="stock.moved"):  # type: ignore[no-untyped-def]
    rows = till.database.conn.execute(
        "SELECT payload FROM outbox WHERE type = ? ORDER BY seq", (type_,)
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


def receive_count(till, qty_by_sku):  # type: ignore[no-untyped-def]
    """Put stock on the shelf through a count (manager)."""
    u = admin(till)
    till.stock.count_start(u)
    for code, qty in qty_by_sku.items():
        till.stock.count_scan(code, qty)
    return till.stock.count_finish(u)


@pytest.fixture
def selling(till):  # type: ignore[no-untyped-def]
    till.shifts.open(admin(till), 50000)
    return till


def test_sales_and_returns_move_stock_in_their_transaction(selling) -> None:  # type: ignore[no-untyped-def]
    till = selling
    u = admin(till)
    receive_count(till, {JACKET: 3})
    p = sell(till, u, [JACKET, JACKET, TEE])
    assert till.stock.repo.on_hand(JACKET_SKU) == 1
    assert till.stock.repo.on_hand(TEE_SKU) == -1  # selling below zero is allowed …
    neg = till.stock.report_negative()  # … but flagged for the manager
    assert [s["sku"] for s in neg["skus"]] == [TEE_SKU]
    assert neg["skus"][0]["flagged_ref"] == p["sale_id"]
    moved = events(till)[-1]
    assert moved["reason"] == "sale" and moved["ref"] == p["sale_id"]
    assert {(ln["sku"], ln["qty"]) for ln in moved["lines"]} == {(JACKET_SKU, -2), (TEE_SKU, -1)}
    assert moved["lines"][0]["style"] == "QP-2026-001"
    till.sales.refund(u, p["receipt_no"], [ReturnRequest(1, 1)], "cash", "size")
    assert till.stock.repo.on_hand(JACKET_SKU) == 2
    assert events(till)[-1]["reason"] == "return"
    assert till.stock.repo.consistency() == []


def test_a_failing_stock_hook_rolls_the_sale_back(selling, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    till = selling

    def boom(uow, payload):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(stock_service, "book_sale", boom)
    with pytest.raises(RuntimeError):
        sell(till, admin(till), [JACKET])
    conn = till.database.conn
    assert conn.execute("SELECT count(*) FROM sales").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM stock_moves").fetchone()[0] == 0
    assert till.stock.repo.on_hand(JACKET_SKU) == 0


def test_grid_from_a_scanned_code_or_the_style(selling) -> None:  # type: ignore[no-untyped-def]
    till = selling
    conn = till.database.conn
    conn.execute("BEGIN")
    for sku, colour, size in [("QP-9-BLK-S", "黑", "S"), ("QP-9-BLK-M", "黑", "M"),
                              ("QP-9-WHT-M", "白", "M")]:  # fmt: skip
        conn.execute(
            "INSERT INTO skus(sku, style, name, colour, size, price_fen) VALUES (?,?,?,?,?,?)",
            (sku, "QP-9", f"风衣 {colour} {size}", colour, size, 59900),
        )
    conn.execute("INSERT INTO styles(style, name) VALUES ('QP-9', '风衣')")
    conn.execute("COMMIT")
    receive_count(till, {"QP-9-BLK-M": 4})
    g = till.stock.grid("qp-9-blk-m")  # a typed SKU in any case
    assert g["style"] == "QP-9" and g["sizes"] == ["S", "M"] and g["colours"] == ["黑", "白"]
    assert g["rows"][0]["cells"][1]["on_hand"] == 4
    assert g["rows"][1]["cells"][0] is None
    assert g["other_stores_error"] == "this till is not enrolled with the cloud"
    assert till.stock.grid("QP-9")["total"] == 4
    with pytest.raises(NotFound):
        till.stock.grid("NOPE-1")


def test_count_expected_is_corrected_for_sales_during_the_count(selling, clock) -> None:  # type: ignore[no-untyped-def]
    till = selling
    u = admin(till)
    receive_count(till, {JACKET: 5, TEE: 2})
    till.stock.count_start(u, "季末盘点")
    till.stock.count_scan(JACKET, 4)  # 4 on the shelf: 1 missing
    sell(till, u, [JACKET])  # a customer buys one after it was counted
    till.stock.count_scan(TEE, 3)
    status = till.stock.count_status()
    jacket = status["lines"][0]
    assert (jacket["expected"], jacket["sold_since_counted"], jacket["counted"]) == (5, 1, 4)
    assert jacket["difference"] == -1 and jacket["value_fen"] == -29900
    assert status["uncounted_skus_with_stock"] == 0
    cashier = till.users.add("li", {Role.CASHIER}, "5926")
    with pytest.raises(AccessDenied):
        till.stock.count_finish(cashier)
    r = till.stock.count_finish(u)
    assert r["posted_lines"] == 2
    assert till.stock.repo.on_hand(JACKET_SKU) == 3  # 5 − 1 missing − 1 sold
    assert till.stock.repo.on_hand(TEE_SKU) == 3
    posted = events(till)[-1]
    assert posted["reason"] == "count" and posted["approved_by"] == "admin"
    assert {(ln["sku"], ln["qty"]) for ln in posted["lines"]} == {(JACKET_SKU, -1), (TEE_SKU, 1)}
    with pytest.raises(StateError):
        till.stock.count_status()


def test_an_interrupted_count_resumes(selling, clock) -> None:  # type: ignore[no-untyped-def]
    till = selling
    till.stock.count_start(admin(till))
    till.stock.count_scan(JACKET, 2)
    with pytest.raises(StateError):
        till.stock.count_start(admin(till))  # one count at a time
    with pytest.raises(InvalidInput):
        till.stock.count_scan(JACKET, -3)  # cannot take back more than counted
    till.database.close()
    db = open_database(till.paths.database)
    try:
        again = build(till.paths, db, clock)
        again.stock.count_scan(JACKET, 1)
        assert again.stock.count_status()["lines"][0]["counted"] == 3
        again.stock.count_cancel(again.users.authenticate("admin", "7391"))
        assert again.stock.repo.on_hand(JACKET_SKU) == 0
    finally:
        db.close()


def test_receive_an_announced_delivery_with_short_and_over(selling) -> None:  # type: ignore[no-untyped-def]
    till = selling
    u = admin(till)
    from pos_app.adapters.db.relay_ports import RelayChangeSink

    sink = RelayChangeSink(till.uow)
    doc = {"doc": "D-1", "kind": "delivery", "from_store": "",
           "lines": [{"sku": JACKET_SKU, "qty": 5}, {"sku": TEE_SKU, "qty": 2}]}  # fmt: skip
    sink.apply_page([Change("stock_doc", "upsert", "D-1", doc)], "1")
    assert [d["doc"] for d in till.stock.receiving()] == ["D-1"]
    with pytest.raises(StateError):
        till.stock.receive_scan("D-1", JACKET, 1)  # not started
    till.stock.receive_start("D-1", u)
    till.stock.receive_scan("D-1", JACKET, 4)
    till.stock.receive_scan("D-1", TEE, 2)
    till.stock.receive_scan("D-1", "6901234567915", 1)  # not on the note
    r = till.stock.receive_finish("D-1", u)
    assert (r["short_units"], r["over_units"], r["received_units"]) == (1, 1, 7)
    assert till.stock.repo.on_hand(JACKET_SKU) == 4
    ev = events(till)[-1]
    assert ev["reason"] == "receive" and ev["doc"] == "D-1"
    assert ev["report"]["short_units"] == 1
    with pytest.raises(StateError):
        till.stock.receive_start("D-1", u)  # already received
    with pytest.raises(NotFound):
        till.stock.receive_start("D-404", u)
    # a re-announcement after receiving does not reopen it
    sink.apply_page([Change("stock_doc", "upsert", "D-1", doc)], "2")
    assert till.stock.repo.doc("D-1")["state"] == "received"


def test_send_to_another_store(selling) -> None:  # type: ignore[no-untyped-def]
    till = selling
    u = admin(till)
    receive_count(till, {JACKET: 3})
    r = till.stock.send(u, "s002", [(JACKET, 2), (JACKET_SKU, 1)], "补货")
    assert r["to_store"] == "S002" and r["units"] == 3
    assert till.stock.repo.on_hand(JACKET_SKU) == 0
    ev = events(till)[-1]
    assert ev["reason"] == "transfer_out" and ev["to_store"] == "S002"
    assert ev["send_lines"] == [{"sku": JACKET_SKU, "qty": 3}]
    for bad in ("S001", "", "S-2"):
        with pytest.raises(InvalidInput):
            till.stock.send(u, bad, [(JACKET, 1)])
    with pytest.raises(InvalidInput):
        till.stock.send(u, "S002", [(JACKET, 0)])
    assert till.stock.repo.on_hand(JACKET_SKU) == 0  # nothing half-written


def test_reports_and_the_z_section(selling, clock) -> None:  # type: ignore[no-untyped-def]
    till = selling
    u = admin(till)
    receive_count(till, {JACKET: 2, TEE: 3, "6901234567915": 1})
    sell(till, u, [TEE])
    value = till.stock.report_value()
    assert value["value_fen"] == 2 * 29900 + 2 * 9900 + 59900
    assert {c["category"] for c in value["categories"]} == {"男装", "配饰"}
    clock.advance(days=40)
    slow = till.stock.report_slow(30)
    assert {s["sku"] for s in slow["skus"]} == {JACKET_SKU, TEE_SKU, "QP-2026-003-RED-S"}
    sell(till, u, [TEE])
    assert TEE_SKU not in {s["sku"] for s in till.stock.report_slow(30)["skus"]}
    with pytest.raises(InvalidInput):
        till.stock.report_slow(0)
    z = till.shifts.close(u, 50000 + 9900 * 2)
    section = z["stock_adjustments"]
    assert section["by_reason"] == {"count": {"lines": 3, "units": 6}}
    assert section["sold_below_zero"] == []
    stored = till.shifts.z_reports(z["business_day"])[0]
    assert stored["stock_adjustments"] == section


def test_withdrawn_items_can_still_be_counted(selling) -> None:  # type: ignore[no-untyped-def]
    till = selling
    conn = till.database.conn
    conn.execute("UPDATE skus SET active = 0 WHERE sku = ?", (JACKET_SKU,))
    till.stock.count_start(admin(till))
    assert till.stock.count_scan(JACKET, 2)["counted"] == 2
    till.stock.count_finish(admin(till))
    assert till.stock.repo.on_hand(JACKET_SKU) == 2


def test_the_z_lists_each_sku_sold_below_zero_once_at_its_lowest(selling) -> None:  # type: ignore[no-untyped-def]
    till = selling
    u = admin(till)
    sell(till, u, [TEE])
    second = sell(till, u, [TEE, TEE])
    sell(till, u, [JACKET])
    below = till.shifts.x_report()["stock_adjustments"]["sold_below_zero"]
    assert [(b["sku"], b["on_hand_after"]) for b in below] == [(TEE_SKU, -3), (JACKET_SKU, -1)]
    assert below[0]["ref"] == second["sale_id"]  # the sale that took it lowest
