"""ShiftService on the in-memory unit of work: opening and closing (Z) a shift."""

from __future__ import annotations

import pytest
from fakes import MANAGER, FakeUnitOfWork

from pos_app.domain import events
from pos_app.domain.errors import StateError
from pos_app.domain.money import CashRounding
from pos_app.domain.tenders import Tender
from pos_app.domain.users import Role, User
from pos_app.services.selling import SaleService
from pos_app.services.shifts import ShiftService


def test_opening_a_shift_commits_it_with_its_event(
    uow: FakeUnitOfWork, shifts: ShiftService
) -> None:
    opened = shifts.open(MANAGER, 20000)
    assert opened["float_fen"] == 20000 and opened["business_day"] == "2026-11-25"
    assert shifts.current()["id"] == opened["shift_id"]
    assert uow.outbox.types() == [events.SHIFT_OPENED]
    with pytest.raises(StateError, match="already open"):
        shifts.open(MANAGER, 0)
    assert uow.commits == 1 and len(uow.shifts.rows) == 1


def test_closing_the_day_writes_the_z_report_and_its_event(
    uow: FakeUnitOfWork, shifts: ShiftService, sales: SaleService
) -> None:
    shifts.open(MANAGER, 10000)
    sale = sales.new_sale(MANAGER)
    sales.scan(sale, "6901234567908")
    sale.add_tender(Tender.CASH, 9900, CashRounding.NONE)
    sales.complete(sale)
    z = shifts.close(MANAGER, 19900)
    assert z["z_no"] == 1
    assert z["sales"]["count"] == 1 and z["sales"]["total_fen"] == 9900
    assert z["cash"]["expected_fen"] == 19900
    assert uow.shifts.find_open() is None
    assert shifts.z_reports("2026-11-25") == [z]
    assert uow.outbox.types()[-1] == events.SHIFT_CLOSED


def test_a_cashier_cannot_close_the_day_and_nothing_is_written(
    uow: FakeUnitOfWork, shifts: ShiftService
) -> None:
    shifts.open(MANAGER, 0)
    cashier = User("王芳", frozenset({Role.CASHIER.value}), "x")
    with pytest.raises(StateError, match="not a manager"):
        shifts.close(cashier, 0)
    assert uow.shifts.find_open() is not None and uow.commits == 1
