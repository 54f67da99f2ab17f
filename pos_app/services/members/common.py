"""What every member part reads: the cloud port, the mirror's port, the loyalty rules, the clock."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

from pos_app.domain.errors import GuitaiError
from pos_app.domain.loyalty import LoyaltyRules
from pos_app.domain.members import Member
from pos_app.domain.ports import Clock
from pos_app.domain.timeutil import iso_utc, local_day

from ..context import TillIdentity
from ..unit_of_work import AbstractUnitOfWork
from .ports import MemberRepo

log = logging.getLogger(__name__)


class CloudUnavailable(GuitaiError):
    """The cloud could not be reached: the till goes on with its offline rules."""

    code = "cloud_unreachable"


class MemberCloud(Protocol):
    """The online calls (sync protocol, "Online-only calls"); adapters/member_cloud.py."""

    def member_by_phone(self, phone: str) -> dict[str, Any] | None: ...
    def debit(
        self, member_id: str, amount_fen: int, key: str, reference: str
    ) -> dict[str, Any]: ...
    def credit(
        self, member_id: str, amount_fen: int, key: str, reference: str
    ) -> dict[str, Any]: ...
    def redeem_coupon(
        self, code: str, member_id: str, sale_id: str, key: str
    ) -> dict[str, Any]: ...
    def release_coupon(self, code: str, sale_id: str) -> dict[str, Any]: ...
    def chain_view(self, phone: str) -> dict[str, Any] | None: ...


def member_from_cloud(d: dict[str, Any]) -> Member:
    tags = d.get("tags") or ()
    if isinstance(tags, str):
        tags = tuple(t for t in tags.split(",") if t)
    return Member(
        id=str(d.get("id") or d["member_id"]),
        phone=str(d["phone"]),
        name=str(d.get("name", "")),
        birthday=d.get("birthday"),
        tier=str(d.get("tier", "ordinary")),
        points=int(d.get("points", 0)),
        stored_value_fen=int(d.get("stored_value_fen", 0)),
        consent_at=d.get("consent_at"),
        associate=d.get("associate"),
        tags=tuple(tags),
        created_at=str(d.get("created_at", "")),
    )


class MemberContext:
    """The settings every member part reads: the till's identity, the loyalty rules (the
    brand's, pushed by the cloud unless set here), the clock, the business day and the cloud
    (when it can be reached).  Read-only: it holds no state of its own."""

    def __init__(
        self,
        uow: AbstractUnitOfWork,
        repo: MemberRepo,
        clock: Clock,
        cloud: Callable[[], MemberCloud | None] = lambda: None,
    ) -> None:
        self.uow = uow
        self.repo = repo
        self.clock = clock
        self._cloud = cloud

    @property
    def identity(self) -> TillIdentity:
        return TillIdentity.load(self.uow)

    def rules(self) -> LoyaltyRules:
        s = dict(self.uow.settings.all())
        if "loyalty_rules" not in s:
            pushed = self.repo.cloud_config("loyalty")
            if pushed is not None:
                s["loyalty_rules"] = json.dumps(pushed)
        return LoyaltyRules.from_settings(s)

    def now(self) -> str:
        return iso_utc(self.clock.now())

    def day(self) -> str:
        shift = self.uow.shifts.find_open()
        if shift is not None:
            return str(shift["business_day"])
        return local_day(self.clock.now(), self.identity.tz)

    def cloud(self) -> MemberCloud | None:
        try:
            return self._cloud()
        except GuitaiError:  # not enrolled: an offline-only till
            return None
