"""Services on the in-memory unit of work (tests/support/fakes.py): no database, no threads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fakes import SETTINGS, FakeUnitOfWork, lookup

from pos_app.domain.ports import ManualClock
from pos_app.services.selling import SaleService
from pos_app.services.shifts import ShiftService


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(SETTINGS)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))


@pytest.fixture
def sales(uow: FakeUnitOfWork, clock: ManualClock) -> SaleService:
    return SaleService(uow, clock, lookup)


@pytest.fixture
def shifts(uow: FakeUnitOfWork, clock: ManualClock) -> ShiftService:
    return ShiftService(uow, clock)
