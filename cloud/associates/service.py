"""`Associates`: the accounts and the workbench, composed for CloudService."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..changelog import Publish
from ..db import CloudDB
from ..members.issuing import CouponIssuing
from .accounts import Accounts
from .workbench import Workbench


class Associates:
    def __init__(
        self,
        db: CloudDB,
        now: Callable[[], datetime],
        publish: Publish,
        issuing: CouponIssuing,
    ) -> None:
        self.accounts = Accounts(db, now)
        self.workbench = Workbench(db, now, publish, issuing)
