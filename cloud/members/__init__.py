"""The cloud's member ledger, as composed parts: `Members(db, now, publish, receipts)`.

- `ledger`: the member side of a till's events, booked in the ingest transaction (ledger.py)
- `points`, `coupons`: the points ledger and the coupon redemptions (points.py, coupons.py)
- `funnel`: the e-receipt funnel and WeChat follows (funnel.py), per business day with the
  returns within 90 days (funnel_days.py, `funnel.by_day`)
- `followers`: who follows the official account (followers.py)
- `views`: one member across every store, and the reconciliation flags (views.py)
- `claims`: receipts claimed from their page by a member who joined there (claims.py)
- `segments`, `issuing`, `promos`: named member segments, coupons issued to members and
  targeted promotions (segments.py, issuing.py, promos.py)

What they share (alias resolution, the member row a till pulls, flags, funnel counters) are
functions on a transaction in rows.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..changelog import Publish
from ..db import CloudDB
from .claims import Claims
from .coupons import Coupons
from .followers import Followers
from .funnel import Funnel, ReceiptLookup
from .issuing import CouponIssuing
from .ledger import Ledger
from .points import Points
from .promos import Promos
from .segments import Segments
from .views import MemberViews

__all__ = ["Members"]


class Members:
    def __init__(
        self,
        db: CloudDB,
        now: Callable[[], datetime],
        publish: Publish,
        receipts: ReceiptLookup,
    ) -> None:
        self.points = Points(now, publish)
        self.coupons = Coupons(db, now, publish)
        self.funnel = Funnel(db, now, receipts)
        self.followers = Followers(db)
        self.views = MemberViews(db)
        self.ledger = Ledger(now, publish, self.points, self.coupons)
        self.claims = Claims(now, publish)  # 补积分: receipts claimed from their page
        self.segments = Segments(db, now, publish)  # 分群 (segments.py)
        self.issuing = CouponIssuing(db, now, publish, self.segments)  # coupons to people
        self.promos = Promos(db, now, publish, self.segments)  # 会员日, targeted promotions
