"""How many returns without a receipt a member made in the brand's 30 days (issue 20).

Online, the cloud counts them at every store from the refunds it ingested; this till's own
not yet synced are added by refund id, so none counts twice.  Only a cloud out of reach
falls back on what the till holds (its own journal): a refusal or an error of the cloud is
its answer, and the return waits for it rather than passing a cap it cannot check."""

from __future__ import annotations

from pos_app.domain.errors import CloudUnreachable
from pos_app.domain.no_receipt import CAP_CLOUD, CAP_TILL

from .deps import NoReceiptHistory
from .sale_source import RemoteSales


def made_since(
    history: NoReceiptHistory, remote: RemoteSales | None, phone_key: str, since: str
) -> tuple[int, str]:
    """(the member's returns without a receipt since then, which count: CAP_CLOUD|CAP_TILL)."""
    mine = history.refunds_since(phone_key, since)
    if remote is None:
        return len(mine), CAP_TILL
    try:
        chain = remote.no_receipt_refunds(phone_key, since)
    except CloudUnreachable:
        return len(mine), CAP_TILL
    return len(set(chain) | set(mine)), CAP_CLOUD
