"""`--refund store-credit --member PHONE [--consent]` of `guitai return` (issue 20): the member
who takes the credit, found or enrolled on the spot, the enrolment sent to the cloud at once."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pos_app.domain.errors import InvalidInput
from pos_app.domain.members import Member
from pos_app.domain.return_rules import STORE_CREDIT

if TYPE_CHECKING:
    from .context import AppContext


def credit_recipient(
    app: AppContext, mode: str, phone: str | None, consent: bool
) -> tuple[Member | None, bool]:
    """(the member the store credit goes to, enrolled now); (None, False) for other refunds."""
    if mode != STORE_CREDIT:
        if phone:
            raise InvalidInput(
                "--member goes with --refund store-credit (the member who takes the credit)",
                "--member 需与 --refund store-credit 一起使用（退至该会员储值）",
            )
        return None, False
    return app.till.members().returns.store_credit.recipient(
        phone or "", consent=consent, publish=lambda: _push(app)
    )


def _push(app: AppContext) -> None:
    """Send the till's pending events (the new member's enrolment among them) now, as
    `guitai sync run` does: the cloud's ledger needs the member before the credit."""
    from pos_app.adapters.sync_link import build_relay

    logging.getLogger("sync.relay").setLevel(logging.ERROR)
    parts = build_relay(app.paths, app.database().conn)
    try:
        parts.relay.push(force=True)
    finally:
        parts.close()
