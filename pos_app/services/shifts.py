"""Shifts: open with a float, pay in / pay out, no-sale opens, X and Z reports."""

from __future__ import annotations

from typing import Any

from pos_app.domain.commands import CloseShift, MoveCash, OpenShift
from pos_app.domain.errors import NotFound
from pos_app.domain.money import format_fen
from pos_app.domain.ports import Clock
from pos_app.domain.reports import build_shift_report
from pos_app.domain.timeutil import iso_utc
from pos_app.domain.users import User

from .context import TillIdentity
from .handlers.shifts import (
    Section,
    ShiftDeps,
    add_sections,
    close_shift,
    current_shift,
    move_cash,
    open_shift,
)
from .messagebus import MessageBus
from .unit_of_work import AbstractUnitOfWork


class ShiftService:
    """The shift's use cases (pos_app.services.handlers.shifts) and its reports."""

    def __init__(
        self, uow: AbstractUnitOfWork, clock: Clock, bus: MessageBus | None = None
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.deps = ShiftDeps(uow, clock, bus or MessageBus())

    @property
    def report_sections(self) -> dict[str, Section]:
        return self.deps.report_sections

    @property
    def identity(self) -> TillIdentity:
        return TillIdentity.load(self.uow)

    def current(self) -> dict[str, Any]:
        return current_shift(self.uow)

    def last_float_fen(self) -> int | None:
        """The float the last closed day opened with (what the next shift usually counts
        again), or None on a till that never closed a day."""
        last = self.uow.shifts.next_z_no() - 1
        reports = self.uow.shifts.z_reports(z_no=last) if last > 0 else []
        if not reports:
            return None
        return int(reports[0]["cash"]["float_fen"])

    def open(self, user: User, float_fen: int) -> dict[str, Any]:
        return open_shift(OpenShift(user, float_fen), self.deps)

    def cash_move(self, user: User, kind: str, amount_fen: int, reason: str) -> dict[str, Any]:
        return move_cash(MoveCash(user, kind, amount_fen, reason), self.deps)

    def x_report(self) -> dict[str, Any]:
        shift = self.current()
        ident = self.identity
        report = build_shift_report(
            "X",
            shift,
            self.uow.shifts.figures(int(shift["id"])),
            generated_at=iso_utc(self.clock.now()),
            store=ident.as_dict(),
            tz=ident.tz,
        )
        return add_sections(self.deps, report, shift)

    def close(self, user: User, counted_fen: int) -> dict[str, Any]:
        """The Z report: closes the shift and the business day.  Needs a manager."""
        return close_shift(CloseShift(user, counted_fen), self.deps)

    def z_reports(self, day: str) -> list[dict[str, Any]]:
        reports = self.uow.shifts.z_reports(day=day)
        if not reports:
            raise NotFound(f"No Z report for business day {day}", f"{day} 没有日结报表")
        return reports


def describe_difference(report: dict[str, Any]) -> str:
    diff = report["cash"]["difference_fen"]
    if diff is None:
        return ""
    if diff == 0:
        return "cash balances"
    return f"cash {'over' if diff > 0 else 'short'} by ¥{format_fen(abs(diff))}"
