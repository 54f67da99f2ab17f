"""Shifts: open with a float, pay in / pay out, no-sale opens, X and Z reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pos_app.domain import events
from pos_app.domain.errors import InvalidInput, NotFound, RuleViolation, StateError
from pos_app.domain.events import CashMoved, ShiftClosed
from pos_app.domain.money import format_fen
from pos_app.domain.ports import Clock
from pos_app.domain.reports import build_shift_report
from pos_app.domain.timeutil import iso_utc, local_day
from pos_app.domain.users import Role, User

from .context import TillIdentity
from .messagebus import MessageBus
from .unit_of_work import AbstractUnitOfWork


class DrawerCashShort(RuleViolation):
    """Cash out of the drawer (a cash refund, a pay-out) beyond the cash it should hold."""

    code = "drawer_cash_short"


def expected_drawer_fen(uow: AbstractUnitOfWork, shift: Mapping[str, Any]) -> int:
    """The cash the drawer should hold now: float + cash taken − cash refunded + pay-ins −
    pay-outs (the X report's `cash.expected_fen`)."""
    report = build_shift_report(
        "X", shift, uow.shifts.figures(int(shift["id"])), generated_at="", store={}, tz="UTC"
    )
    return int(report["cash"]["expected_fen"])


def refund_short(expected_fen: int, cash_fen: int, *, other_tender: bool) -> DrawerCashShort:
    short = format_fen(cash_fen - expected_fen)
    have, out = format_fen(max(expected_fen, 0)), format_fen(cash_fen)
    if other_tender:
        todo = (
            "Refund to the original payment instead (--refund original), or pay cash into "
            "the drawer first (Pay in / guitai shift pay-in)",
            "请改为原路退回（--refund original），或先向钱箱存入现金（存入 / guitai shift pay-in）",
        )
    else:
        todo = (
            "Pay cash into the drawer first (Pay in / guitai shift pay-in), then refund",
            "请先向钱箱存入现金（存入 / guitai shift pay-in），再办理退款",
        )
    return DrawerCashShort(
        f"Not enough cash in the drawer: it should hold ¥{have}, the cash refund is ¥{out} "
        f"(¥{short} short). {todo[0]}",
        f"钱箱现金不足：应有 ¥{have}，需退现金 ¥{out}（差 ¥{short}）。{todo[1]}",
    )


class ShiftService:
    def __init__(
        self, uow: AbstractUnitOfWork, clock: Clock, bus: MessageBus | None = None
    ) -> None:
        self.uow = uow
        self.clock = clock
        # What follows a commit (the drawer after a cash move, the Z's printing) subscribes to
        # CashMoved and ShiftClosed; a subscriber that fails never reopens the day.
        self.bus = bus or MessageBus()
        self.before_close: list[Callable[[], None]] = []  # e.g. an online backup
        # Extra sections of the X and Z reports: name -> section(shift row), e.g. stock
        self.report_sections: dict[str, Callable[[dict[str, Any]], Any]] = {}

    def _add_sections(self, report: dict[str, Any], shift: dict[str, Any]) -> dict[str, Any]:
        for name, section in self.report_sections.items():
            report[name] = section(shift)
        return report

    @property
    def identity(self) -> TillIdentity:
        return TillIdentity.load(self.uow)

    def current(self) -> dict[str, Any]:
        shift = self.uow.shifts.find_open()
        if shift is None:
            raise StateError(
                "No shift is open: run `guitai shift open --float AMOUNT`",
                "尚未开班：请运行 guitai shift open --float 金额",
            )
        return shift

    def last_float_fen(self) -> int | None:
        """The float the last closed day opened with (what the next shift usually counts
        again), or None on a till that never closed a day."""
        last = self.uow.shifts.next_z_no() - 1
        reports = self.uow.shifts.z_reports(z_no=last) if last > 0 else []
        if not reports:
            return None
        return int(reports[0]["cash"]["float_fen"])

    def open(self, user: User, float_fen: int) -> dict[str, Any]:
        if float_fen < 0:
            raise InvalidInput("The float cannot be negative", "备用金不能为负数")
        now = self.clock.now()
        at = iso_utc(now)
        with self.uow:
            if self.uow.shifts.find_open() is not None:
                raise StateError(
                    "A shift is already open: close it with a Z report first",
                    "已有班次未结：请先日结（Z 报表）",
                )
            day = local_day(now, self.identity.tz)
            sid = self.uow.shifts.insert(day, at, user.name, float_fen)
            payload = {
                "shift_id": sid,
                "business_day": day,
                "opened_by": user.name,
                "float_fen": float_fen,
                "opened_at": at,
            }
            self.uow.outbox.add(events.SHIFT_OPENED, payload, at)
            self.uow.commit()
        return payload

    def cash_move(self, user: User, kind: str, amount_fen: int, reason: str) -> dict[str, Any]:
        if kind not in ("pay_in", "pay_out", "no_sale"):
            raise InvalidInput(f"Unknown cash movement {kind}", f"未知的现金操作 {kind}")
        if kind != "no_sale" and amount_fen <= 0:
            raise InvalidInput("The amount must be more than zero", "金额必须大于零")
        if not reason.strip():
            raise InvalidInput(
                "Give a reason (it is printed on the Z report)", "请填写原因（会出现在日结报表上）"
            )
        at = iso_utc(self.clock.now())
        with self.uow:
            shift = self.current()
            if kind == "pay_out":
                expected = expected_drawer_fen(self.uow, shift)
                if amount_fen > expected:
                    have, out = format_fen(max(expected, 0)), format_fen(amount_fen)
                    raise DrawerCashShort(
                        f"Not enough cash in the drawer: it should hold ¥{have}, the pay-out is "
                        f"¥{out}. Pay cash in first (Pay in / guitai shift pay-in), or pay out "
                        f"at most ¥{have}",
                        f"钱箱现金不足：应有 ¥{have}，支出 ¥{out}。请先存入现金（存入 / guitai "
                        f"shift pay-in），或支出不超过 ¥{have}",
                    )
            self.uow.shifts.add_cash_move(
                int(shift["id"]), kind, amount_fen, reason.strip(), user.name, at
            )
            payload = {
                "shift_id": shift["id"],
                "kind": kind,
                "amount_fen": amount_fen,
                "reason": reason.strip(),
                "user": user.name,
                "at": at,
            }
            self.uow.outbox.add(events.CASH_MOVED, payload, at)
            self.uow.commit()
        self.bus.publish(CashMoved(payload))  # the drawer's outcome is added as "drawer"
        return payload

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
        return self._add_sections(report, shift)

    def close(self, user: User, counted_fen: int) -> dict[str, Any]:
        """The Z report: closes the shift and the business day.  Needs a manager."""
        if not user.has(Role.MANAGER):
            raise StateError(
                f"{user.name} is not a manager: a manager closes the day",
                f"{user.name} 不是店长，日结需要店长操作",
            )
        if counted_fen < 0:
            raise InvalidInput("Counted cash cannot be negative", "清点现金不能为负数")
        for hook in self.before_close:
            hook()
        at = iso_utc(self.clock.now())
        ident = self.identity
        with self.uow:
            shift = self.current()
            z_no = self.uow.shifts.next_z_no()
            report = build_shift_report(
                "Z",
                shift,
                self.uow.shifts.figures(int(shift["id"])),
                generated_at=at,
                store=ident.as_dict(),
                tz=ident.tz,
                counted_fen=counted_fen,
                z_no=z_no,
                closed_by=user.name,
            )
            report = self._add_sections(report, shift)
            self.uow.shifts.close(int(shift["id"]), at, user.name, counted_fen, z_no, report)
            self.uow.outbox.add(
                events.SHIFT_CLOSED,
                {
                    "shift_id": shift["id"],
                    "business_day": shift["business_day"],
                    "closed_by": user.name,
                    "closed_at": at,
                    "z_no": z_no,
                    "report": report,
                },
                at,
            )
            self.uow.commit()
        self.bus.publish(ShiftClosed(report))
        return report

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
