"""The one place a trigger gives a member a coupon: through the segments' coupon issuing
(cloud/members/issuing.py), so a trigger's copy is an ordinary member-bound copy that reaches
the till by the pull, issued once per (coupon, member, batch)."""

from __future__ import annotations

from typing import Any

from ..db import Tx
from ..members.issuing import CouponIssuing


def issue_one(
    issuing: CouponIssuing, tx: Tx, code: str, member_id: str, batch: str
) -> dict[str, Any]:
    return issuing.issue_in(tx, code, [member_id], batch)
