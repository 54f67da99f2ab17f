"""The cash the drawer should hold, and the refusal when cash out would take it below zero
(a cash refund, a pay-out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pos_app.domain.errors import RuleViolation
from pos_app.domain.money import format_fen
from pos_app.domain.reports import build_shift_report

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
