"""`--refund store-credit --member PHONE [--consent]` of `guitai return` (issue 20): the member
who takes the credit, found or enrolled on the spot, the enrolment sent to the cloud at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_app.domain.errors import InvalidInput
from pos_app.domain.members import Member
from pos_app.domain.return_rules import STORE_CREDIT

if TYPE_CHECKING:
    from pos_app.bootstrap import App


def credit_recipient(
    till: App, mode: str, phone: str | None, consent: bool
) -> tuple[Member | None, bool]:
    """(the member the store credit goes to, enrolled now); (None, False) for other refunds."""
    if mode != STORE_CREDIT:
        if phone:
            raise InvalidInput(
                "--member goes with --refund store-credit (the member who takes the credit)",
                "--member 需与 --refund store-credit 一起使用（退至该会员储值）",
            )
        return None, False
    return till.members().returns.store_credit.recipient(
        phone or "", consent=consent, publish=till.sync.push_now
    )
