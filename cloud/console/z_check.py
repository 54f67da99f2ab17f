"""A Z report (日结) checked against the sales the cloud holds for the same till and shift:
counts and totals of sales and refunds, and each tender's net.  Pure: figures in, lines out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Line:
    label: str
    money: bool
    report: int
    synced: int

    @property
    def agrees(self) -> bool:
        return self.report == self.synced


def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _i(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def check(report: Mapping[str, Any], sums: Iterable[tuple[str, str, int, int]]) -> list[Line]:
    """`sums`: (dim, key, n, net_fen) rows of console_shift_sums for the report's shift."""
    got: dict[tuple[str, str], tuple[int, int]] = {(d, k): (int(n), int(f)) for d, k, n, f in sums}
    sales, refunds = _d(report.get("sales")), _d(report.get("refunds"))
    s_n, s_f = got.get(("kind", "sale"), (0, 0))
    r_n, r_f = got.get(("kind", "refund"), (0, 0))
    lines = [
        Line("销售笔数 Sales", False, _i(sales.get("count")), s_n),
        Line("销售额 Sales total", True, _i(sales.get("total_fen")), s_f),
        Line("退货笔数 Refunds", False, _i(refunds.get("count")), r_n),
        Line("退款额 Refunds total", True, _i(refunds.get("total_fen")), r_f),
        Line("净额 Net", True, _i(report.get("net_fen")), s_f + r_f),
    ]
    tenders = _d(report.get("by_tender"))
    names = sorted(set(tenders) | {k for d, k in got if d == "tender"})
    for t in names:
        mine = _d(tenders.get(t))
        lines.append(
            Line(
                f"支付 Tender {t}", True, _i(mine.get("net_fen")), got.get(("tender", t), (0, 0))[1]
            )
        )
    return lines
