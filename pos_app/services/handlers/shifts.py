"""Opening a shift, moving cash in and out of the drawer, and the Z that closes the day.
What follows their commit (the drawer after a cash move, the Z's printing) subscribes to
`CashMoved` and `ShiftClosed`; a subscriber that fails never reopens the day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pos_app.domain import events
from pos_app.domain.commands import CloseShift, MoveCash, OpenShift
from pos_app.domain.errors import InvalidInput, StateError
from pos_app.domain.events import CashMoved, ShiftClosed
from pos_app.domain.money import format_fen
from pos_app.domain.ports import Clock
from pos_app.domain.reports import build_shift_report
from pos_app.domain.timeutil import iso_utc, local_day
from pos_app.domain.users import Role

from ..context import TillIdentity
from ..drawer import DrawerCashShort, expected_drawer_fen
from ..messagebus import MessageBus
from ..unit_of_work import AbstractUnitOfWork

Section = Callable[[dict[str, Any]], Any]


@dataclass
class ShiftDeps:
    uow: AbstractUnitOfWork
    clock: Clock
    bus: MessageBus
    # House rule: an online backup before every Z close (set by the composition root).
    backup: Callable[[], object] | None = None
    # Extra sections of the X and Z reports: name -> section(shift row), e.g. stock.
    report_sections: dict[str, Section] = field(default_factory=dict)


def current_shift(uow: AbstractUnitOfWork) -> dict[str, Any]:
    shift = uow.shifts.find_open()
    if shift is None:
        raise StateError(
            "No shift is open: run `guitai shift open --float AMOUNT`",
            "尚未开班：请运行 guitai shift open --float 金额",
        )
    return shift


def open_shift(cmd: OpenShift, deps: ShiftDeps) -> dict[str, Any]:
    if cmd.float_fen < 0:
        raise InvalidInput("The float cannot be negative", "备用金不能为负数")
    uow = deps.uow
    now = deps.clock.now()
    at = iso_utc(now)
    with uow:
        if uow.shifts.find_open() is not None:
            raise StateError(
                "A shift is already open: close it with a Z report first",
                "已有班次未结：请先日结（Z 报表）",
            )
        day = local_day(now, TillIdentity.load(uow).tz)
        sid = uow.shifts.insert(day, at, cmd.user.name, cmd.float_fen)
        payload = {
            "shift_id": sid,
            "business_day": day,
            "opened_by": cmd.user.name,
            "float_fen": cmd.float_fen,
            "opened_at": at,
        }
        uow.outbox.add(events.SHIFT_OPENED, payload, at)
        uow.commit()
    return payload


def move_cash(cmd: MoveCash, deps: ShiftDeps) -> dict[str, Any]:
    """Pay in, pay out or no-sale; returns the move with what the drawer did ("drawer")."""
    kind, amount_fen, reason = cmd.kind, cmd.amount_fen, cmd.reason.strip()
    if kind not in ("pay_in", "pay_out", "no_sale"):
        raise InvalidInput(f"Unknown cash movement {kind}", f"未知的现金操作 {kind}")
    if kind != "no_sale" and amount_fen <= 0:
        raise InvalidInput("The amount must be more than zero", "金额必须大于零")
    if not reason:
        raise InvalidInput(
            "Give a reason (it is printed on the Z report)", "请填写原因（会出现在日结报表上）"
        )
    uow = deps.uow
    at = iso_utc(deps.clock.now())
    with uow:
        shift = current_shift(uow)
        if kind == "pay_out":
            expected = expected_drawer_fen(uow, shift)
            if amount_fen > expected:
                have, out = format_fen(max(expected, 0)), format_fen(amount_fen)
                raise DrawerCashShort(
                    f"Not enough cash in the drawer: it should hold ¥{have}, the pay-out is "
                    f"¥{out}. Pay cash in first (Pay in / guitai shift pay-in), or pay out "
                    f"at most ¥{have}",
                    f"钱箱现金不足：应有 ¥{have}，支出 ¥{out}。请先存入现金（存入 / guitai "
                    f"shift pay-in），或支出不超过 ¥{have}",
                )
        uow.shifts.add_cash_move(int(shift["id"]), kind, amount_fen, reason, cmd.user.name, at)
        payload = {
            "shift_id": shift["id"],
            "kind": kind,
            "amount_fen": amount_fen,
            "reason": reason,
            "user": cmd.user.name,
            "at": at,
        }
        uow.outbox.add(events.CASH_MOVED, payload, at)
        uow.commit()
    deps.bus.publish(CashMoved(payload))  # the drawer's outcome is added as "drawer"
    return payload


def close_shift(cmd: CloseShift, deps: ShiftDeps) -> dict[str, Any]:
    """The Z report: closes the shift and the business day.  Needs a manager."""
    user = cmd.user
    if not user.has(Role.MANAGER):
        raise StateError(
            f"{user.name} is not a manager: a manager closes the day",
            f"{user.name} 不是店长，日结需要店长操作",
        )
    if cmd.counted_fen < 0:
        raise InvalidInput("Counted cash cannot be negative", "清点现金不能为负数")
    if deps.backup is not None:
        deps.backup()
    uow = deps.uow
    at = iso_utc(deps.clock.now())
    ident = TillIdentity.load(uow)
    with uow:
        shift = current_shift(uow)
        z_no = uow.shifts.next_z_no()
        report = build_shift_report(
            "Z",
            shift,
            uow.shifts.figures(int(shift["id"])),
            generated_at=at,
            store=ident.as_dict(),
            tz=ident.tz,
            counted_fen=cmd.counted_fen,
            z_no=z_no,
            closed_by=user.name,
        )
        report = add_sections(deps, report, shift)
        uow.shifts.close(int(shift["id"]), at, user.name, cmd.counted_fen, z_no, report)
        uow.outbox.add(
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
        uow.commit()
    deps.bus.publish(ShiftClosed(report))
    return report


def add_sections(deps: ShiftDeps, report: dict[str, Any], shift: dict[str, Any]) -> dict[str, Any]:
    for name, section in deps.report_sections.items():
        report[name] = section(shift)
    return report
