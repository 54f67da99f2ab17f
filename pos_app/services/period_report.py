"""Period report: sales, refunds, tenders, VAT and categories over a range of business days.

The aggregation runs in SQLite (`Store.period_figures`); this module checks the dates and gives
the figures a stable shape for the CLI, the cloud and the benchmarks (a year of sales, about
1,000,000 lines, answers in under a second: benchmarks/bench_proof.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pos_app.domain.errors import InvalidInput

from .unit_of_work import AbstractUnitOfWork

MAX_DAYS = 3 * 366


def _day(value: str, which: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise InvalidInput(
            f"The {which} date {value!r} is not a date: use YYYY-MM-DD",
            f"{which}日期 {value!r} 不是有效日期：请用 YYYY-MM-DD",
        ) from err


def period_report(uow: AbstractUnitOfWork, first_day: str, last_day: str) -> dict[str, Any]:
    first, last = _day(first_day, "from"), _day(last_day, "to")
    if last < first:
        raise InvalidInput(
            "The period ends before it starts: swap --from and --to",
            "结束日期早于开始日期：请交换 --from 和 --to",
        )
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(
            f"A period report covers at most {MAX_DAYS} days: split the period",
            f"期间报表最多覆盖 {MAX_DAYS} 天：请分段查询",
        )
    raw = uow.shifts.period_figures(first.isoformat(), last.isoformat())
    days: dict[str, dict[str, int]] = {}
    sales = {"count": 0, "total_fen": 0}
    refunds = {"count": 0, "total_fen": 0}
    for day, kind, count, total in raw["by_day"]:
        d = days.setdefault(
            day, {"sales": 0, "sales_fen": 0, "refunds": 0, "refunds_fen": 0, "net_fen": 0}
        )
        bucket = sales if kind == "sale" else refunds
        key = "sales" if kind == "sale" else "refunds"
        d[key] += int(count)
        d[f"{key}_fen"] += int(total or 0)
        d["net_fen"] += int(total or 0)
        bucket["count"] += int(count)
        bucket["total_fen"] += int(total or 0)
    return {
        "kind": "period",
        "from": first.isoformat(),
        "to": last.isoformat(),
        "sales": sales,
        "refunds": refunds,
        "net_fen": sales["total_fen"] + refunds["total_fen"],
        "by_day": [{"business_day": k, **v} for k, v in sorted(days.items())],
        "by_tender": {str(t): int(v or 0) for t, v in raw["by_tender"]},
        "by_vat": [{"rate_bp": int(r), "gross_fen": int(v or 0)} for r, v in raw["by_vat"]],
        "by_category": [
            {"category": str(c), "qty": int(q or 0), "amount_fen": int(a or 0)}
            for c, q, a in sorted(raw["by_category"], key=lambda r: str(r[0]))
        ],
    }
