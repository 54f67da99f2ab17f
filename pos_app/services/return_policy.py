"""The brand's return rules applied to a planned refund or exchange (the rules themselves
are pure: pos_app.domain.return_rules).  The rules arrive with the cloud's config changes
(key `return_rules`) and are read from the till's mirror when a return is judged."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pos_app.domain.errors import GuitaiError
from pos_app.domain.ports import Clock
from pos_app.domain.return_rules import (
    CONFIG_KEY,
    ReturnCase,
    ReturnRules,
    enforce,
)
from pos_app.domain.sale import Approval

log = logging.getLogger(__name__)


class CloudConfig(Protocol):
    def cloud_config(self, key: str) -> Any: ...


def rules_reader(repo: CloudConfig) -> Callable[[], ReturnRules]:
    """The rules as last pulled; a document the till cannot read counts as none published
    (logged: the cloud checks a document before publishing it)."""

    def read() -> ReturnRules:
        try:
            return ReturnRules.from_doc(repo.cloud_config(CONFIG_KEY))
        except GuitaiError:
            log.exception("the published return rules cannot be read: none applied")
            return ReturnRules()

    return read


def no_rules() -> ReturnRules:
    return ReturnRules()


def check_refund(
    rules: ReturnRules,
    clock: Clock,
    tz: str,
    plan: dict[str, Any],
    *,
    mode: str,
    approvals: Sequence[Approval],
    quality: bool = False,
    gift: bool = False,
) -> None:
    """A refund's plan (handlers.refunds.plan_refund) against the rules: raises when it may
    not go ahead as asked."""
    case = ReturnCase(
        original=plan["original"],
        lines=plan["lines"],
        money_out_fen=sum(int(x["amount_fen"]) for x in plan["lines"]),
        mode=mode,
        quality=quality,
        gift=gift,
        approvals=tuple(approvals),
    )
    enforce(rules, case, clock.now(), tz)
