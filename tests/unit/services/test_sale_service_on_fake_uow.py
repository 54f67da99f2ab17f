"""SaleService on the in-memory unit of work: what a sale and a refund commit, and that a
failure inside the transaction leaves nothing behind."""

from __future__ import annotations

import pytest
from fakes import MANAGER, FakeUnitOfWork

from pos_app.domain import events
from pos_app.domain.errors import NotFound
from pos_app.domain.money import CashRounding
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.tenders import Tender
from pos_app.services import stock as stock_service
from pos_app.services.selling import SaleService
from pos_app.services.shifts import ShiftService


def sell(sales: SaleService, codes: list[str], cash_extra: int = 0) -> dict:  # type: ignore[type-arg]
    sale = sales.new_sale(MANAGER)
    for code in codes:
        sales.scan(sale, code)
    sale.add_tender(Tender.CASH, sale.totals().due_fen + cash_extra, CashRounding.NONE)
    return sales.complete(sale)


def test_completing_a_sale_commits_journal_sale_and_event_together(
    uow: FakeUnitOfWork, sales: SaleService, shifts: ShiftService
) -> None:
    shifts.open(MANAGER, 50000)
    p = sell(sales, ["6901234567892", "6901234567908"], cash_extra=100)
    assert p["receipt_no"] == 1 and p["total_fen"] == 29900 + 9900
    assert p["payments"][0]["change_fen"] == 100
    assert uow.commits == 2  # the shift, then the sale
    (entry,) = uow.journal.rows
    assert entry.kind == "sale" and entry.ref_id == p["sale_id"]
    assert p["_entry_hash"] == entry.entry_hash
    assert uow.outbox.types() == [events.SHIFT_OPENED, events.SALE_COMPLETED]
    assert uow.outbox.events[1]["entry_hash"] == entry.entry_hash
    assert uow.sales.payload(receipt_no=1)["sale_id"] == p["sale_id"]  # type: ignore[index]


def test_a_failure_inside_the_sale_transaction_rolls_everything_back(
    uow: FakeUnitOfWork, sales: SaleService, shifts: ShiftService, monkeypatch: pytest.MonkeyPatch
) -> None:
    shifts.open(MANAGER, 0)

    def stock_booking_fails(uow: object, payload: dict) -> None:  # type: ignore[type-arg]
        raise RuntimeError("stock table locked")

    monkeypatch.setattr(stock_service, "book_sale", stock_booking_fails)
    with pytest.raises(RuntimeError):
        sell(sales, ["6901234567892"])
    assert uow.journal.rows == [] and uow.sales.rows == []
    assert uow.outbox.types() == [events.SHIFT_OPENED]
    assert uow.rollbacks == 1
    monkeypatch.undo()
    assert sell(sales, ["6901234567892"])["receipt_no"] == 1  # the number was not used


def test_a_refund_takes_the_next_receipt_number_and_points_at_the_original(
    uow: FakeUnitOfWork, sales: SaleService, shifts: ShiftService
) -> None:
    shifts.open(MANAGER, 50000)
    sold = sell(sales, ["6901234567892", "6901234567908"])
    r = sales.refund(MANAGER, sold["receipt_no"], [ReturnRequest(1, 1)], "cash", "尺码不合适")
    assert r["receipt_no"] == 2 and r["total_fen"] == -29900
    assert r["original_sale_id"] == sold["sale_id"]
    assert [e.kind for e in uow.journal.rows] == ["sale", "refund"]
    assert uow.outbox.types()[-1] == events.REFUND_COMPLETED
    assert uow.sales.returned_qty(sold["sale_id"]) == {1: 1}
    with pytest.raises(NotFound):
        sales.refund(MANAGER, 99, None, "cash", "")
    assert len(uow.journal.rows) == 2  # the refused refund wrote nothing
