"""The use-case handlers on the in-memory unit of work: everything a sale or refund books
commits in one transaction, in one function; what follows the commit is an event on the bus."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fakes import ITEMS, MANAGER, FakeUnitOfWork

from pos_app.domain import events
from pos_app.domain.commands import CompleteSale, RefundSale, VoidSale
from pos_app.domain.errors import RuleViolation, StateError
from pos_app.domain.events import CashMoved, RefundCompleted, SaleCompleted, ShiftClosed
from pos_app.domain.money import CashRounding
from pos_app.domain.payments import AttemptState, PaymentAttempt
from pos_app.domain.ports import ManualClock
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Sale
from pos_app.domain.tenders import Tender
from pos_app.services.handlers.refunds import refund_sale
from pos_app.services.handlers.sales import complete_sale, void_sale
from pos_app.services.messagebus import MessageBus
from pos_app.services.selling import SaleService
from pos_app.services.shifts import ShiftService

JACKET, TEE = "6901234567892", "6901234567908"


class Jobs:
    """The receipt printer's job queue: which receipts are owed."""

    def __init__(self, fail: bool = False) -> None:
        self.owed: list[int] = []
        self.fail = fail

    def reserve(self, payload: dict[str, Any]) -> None:
        if self.fail:
            raise RuntimeError("device table locked")
        self.owed.append(int(payload["receipt_no"]))


class Ledger:
    """The member ledger as the handler calls it."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.booked: list[str] = []

    def book_sale(self, payload: dict[str, Any]) -> None:
        self.booked.append(payload["sale_id"])
        self.uow.outbox.add(events.POINTS_EARNED, {"points": 3}, payload["completed_at"])


@pytest.fixture
def bus() -> MessageBus:
    return MessageBus()


@pytest.fixture
def sales(uow: FakeUnitOfWork, clock: ManualClock, bus: MessageBus) -> SaleService:
    from fakes import lookup

    return SaleService(uow, clock, lookup, bus)


@pytest.fixture
def shifts(uow: FakeUnitOfWork, clock: ManualClock, bus: MessageBus) -> ShiftService:
    return ShiftService(uow, clock, bus)


def basket(sales: SaleService, *codes: str) -> Sale:
    sale = sales.new_sale(MANAGER)
    for code in codes:
        sales.scan(sale, code)
    return sale


def approved_card(uow: FakeUnitOfWork, sale: Sale, amount_fen: int) -> str:
    at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    attempt = PaymentAttempt(
        "att-1", "sale", "card", amount_fen, AttemptState.APPROVED, "zvt", "otn-1", at, at
    )
    uow.payments.insert(attempt)
    sale.add_tender(Tender.CARD, amount_fen, CashRounding.NONE, reference=attempt.id)
    return attempt.id


def test_complete_sale_books_everything_in_one_commit_then_publishes(
    uow: FakeUnitOfWork, sales: SaleService, shifts: ShiftService, bus: MessageBus
) -> None:
    shifts.open(MANAGER, 0)
    sale = basket(sales, JACKET, JACKET, TEE)
    attempt = approved_card(uow, sale, sale.totals().due_fen)
    jobs, ledger = Jobs(), Ledger(uow)
    sales.deps.receipt_jobs = jobs
    seen: list[tuple[int, int]] = []
    bus.subscribe(SaleCompleted, lambda e: seen.append((e.payload["receipt_no"], uow.commits)))

    done = complete_sale(CompleteSale(sale, (attempt,)), sales.deps, ledger)

    assert uow.commits == 2  # the shift, then the sale with all its bookings
    assert uow.outbox.types() == [events.SHIFT_OPENED, events.SALE_COMPLETED, events.POINTS_EARNED]
    assert uow.stock.on_hand(ITEMS[JACKET].sku) == -2 and uow.stock.on_hand(ITEMS[TEE].sku) == -1
    assert [m["reason"] for m in uow.stock.moves] == ["sale", "sale"]
    assert jobs.owed == [done["receipt_no"]]
    assert uow.payments.rows[attempt].state == AttemptState.ATTACHED
    assert uow.payments.rows[attempt].sale_id == sale.id
    assert ledger.booked == [sale.id]
    assert seen == [(done["receipt_no"], 2)]  # published after the commit
    assert done["_entry_hash"] == uow.journal.rows[0].entry_hash


def test_a_failing_booking_rolls_the_sale_back_and_publishes_nothing(
    uow: FakeUnitOfWork, sales: SaleService, shifts: ShiftService, bus: MessageBus
) -> None:
    shifts.open(MANAGER, 0)
    sale = basket(sales, JACKET)
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    sales.deps.receipt_jobs = Jobs(fail=True)
    seen: list[object] = []
    bus.subscribe(SaleCompleted, seen.append)
    with pytest.raises(RuntimeError):
        complete_sale(CompleteSale(sale), sales.deps)
    assert uow.journal.rows == [] and uow.sales.rows == [] and uow.stock.moves == []
    assert uow.outbox.types() == [events.SHIFT_OPENED]
    assert seen == [] and sale.state == "open"


def test_a_failing_subscriber_never_undoes_the_sale(
    uow: FakeUnitOfWork, sales: SaleService, shifts: ShiftService, bus: MessageBus
) -> None:
    shifts.open(MANAGER, 0)

    def paper_out(event: SaleCompleted) -> None:
        raise OSError("paper out")

    later: list[int] = []
    bus.subscribe(SaleCompleted, paper_out)
    bus.subscribe(SaleCompleted, lambda e: later.append(e.payload["receipt_no"]))
    sale = basket(sales, TEE)
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    done = sales.complete(sale)
    assert uow.sales.payload(receipt_no=done["receipt_no"]) is not None
    assert later == [done["receipt_no"]]  # the next subscriber still ran


def test_refund_books_stock_back_and_publishes_the_refund(
    uow: FakeUnitOfWork, sales: SaleService, shifts: ShiftService, bus: MessageBus
) -> None:
    shifts.open(MANAGER, 50000)
    sale = basket(sales, JACKET, TEE)
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    sold = sales.complete(sale)
    jobs = Jobs()
    sales.deps.receipt_jobs = jobs
    refunds: list[dict[str, Any]] = []
    bus.subscribe(RefundCompleted, lambda e: refunds.append(e.wire()))
    cmd = RefundSale(MANAGER, sold["receipt_no"], (ReturnRequest(1, 1),), "cash", "size")

    r = refund_sale(cmd, sales.deps)

    assert uow.stock.on_hand(ITEMS[JACKET].sku) == 0 and uow.stock.on_hand(ITEMS[TEE].sku) == -1
    assert (
        uow.stock.moves[-1]["reason"] == "return" and uow.stock.moves[-1]["ref"] == r["refund_id"]
    )
    assert jobs.owed == [r["receipt_no"]]
    assert uow.outbox.types()[-1] == events.REFUND_COMPLETED
    assert refunds == [{k: v for k, v in r.items() if k != "_entry_hash"}]


def test_the_checkout_refund_checks_the_drawer_before_anything_moves(
    uow: FakeUnitOfWork, sales: SaleService, shifts: ShiftService
) -> None:
    shifts.open(MANAGER, 0)
    sale = basket(sales, JACKET)
    attempt = approved_card(uow, sale, sale.totals().due_fen)
    sold = complete_sale(CompleteSale(sale, (attempt,)), sales.deps)
    cmd = RefundSale(MANAGER, sold["receipt_no"], None, "cash", "")

    def no_terminal() -> Any:
        raise AssertionError("a cash refund never reaches the terminal")

    with pytest.raises(RuleViolation):  # the drawer holds no cash: refund to the card
        refund_sale(cmd, sales.deps, tenders=no_terminal)
    assert [e.kind for e in uow.journal.rows] == ["sale"]


def test_void_records_the_sale_without_a_receipt_number(
    uow: FakeUnitOfWork, sales: SaleService, shifts: ShiftService
) -> None:
    shifts.open(MANAGER, 0)
    sale = basket(sales, TEE)
    void_sale(VoidSale(sale, "customer left"), sales.deps)
    assert uow.outbox.types() == [events.SHIFT_OPENED, events.SALE_VOIDED]
    assert uow.sales.rows == [] and uow.commits == 2
    with pytest.raises(StateError):
        void_sale(VoidSale(basket(sales, TEE), "again"), _closed(sales))


def _closed(sales: SaleService) -> Any:
    """The same deps on a till whose shift is closed."""
    uow = FakeUnitOfWork()
    return type(sales.deps)(uow, sales.clock, sales.deps.identity, MessageBus())


def test_cash_moves_and_the_z_publish_after_their_commit(
    uow: FakeUnitOfWork, shifts: ShiftService, bus: MessageBus
) -> None:
    def drawer(event: CashMoved) -> None:
        event.move["drawer"] = {"opened": True, "commits": uow.commits}

    closed: list[int] = []
    bus.subscribe(CashMoved, drawer)
    bus.subscribe(ShiftClosed, lambda e: closed.append(e.report["z_no"]))
    shifts.open(MANAGER, 0)
    move = shifts.cash_move(MANAGER, "pay_in", 5000, "change")
    assert move["drawer"] == {"opened": True, "commits": 2}  # the answer carries the outcome
    assert "drawer" not in uow.outbox.events[-1]["payload"]  # the event on the wire does not
    report = shifts.close(MANAGER, 5000)
    assert closed == [report["z_no"]] and uow.commits == 3


def test_the_z_backs_up_first_and_carries_the_extra_sections(
    uow: FakeUnitOfWork, shifts: ShiftService
) -> None:
    from pos_app.domain.commands import CloseShift, OpenShift
    from pos_app.services.handlers.shifts import close_shift, open_shift

    deps = shifts.deps
    open_shift(OpenShift(MANAGER, 1000), deps)
    backups: list[int] = []

    def backup_fails() -> None:
        backups.append(uow.commits)
        raise OSError("backup disk missing")

    deps.backup = backup_fails
    deps.report_sections["stock_adjustments"] = lambda shift: {"shift": shift["id"]}
    with pytest.raises(OSError):
        close_shift(CloseShift(MANAGER, 1000), deps)
    assert backups == [1] and uow.shifts.find_open() is not None  # the day stays open
    deps.backup = lambda: backups.append(uow.commits)
    report = close_shift(CloseShift(MANAGER, 1000), deps)
    assert backups == [1, 1] and uow.commits == 2 and uow.shifts.find_open() is None
    assert report["stock_adjustments"] == {"shift": 1}
    assert uow.outbox.types()[-1] == events.SHIFT_CLOSED
