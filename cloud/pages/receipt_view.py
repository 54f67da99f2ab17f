"""Who the e-receipt page is for, worked out from the database: the page state (visitor,
follower, member), this receipt's follow code for a visitor, and whether the visitor is the
receipt's own member (who alone sees the member block)."""

from __future__ import annotations

from typing import Any

from ..db import Tx
from ..follow_qr import FollowQrCodes
from ..members.followers import is_following
from ..members.rows import canonical
from .receipt_hero import VISITOR, HeroView, page_state
from .visitor import Visitor


def receipt_view(
    tx: Tx, codes: FollowQrCodes, found: dict[str, Any], visitor: Visitor
) -> tuple[HeroView, bool]:
    """(the hero's view, whether the visitor is the receipt's member) for a looked-up token
    (receipt_routes.judge) whose verdict is genuine or revoked_till, read in the page's one
    transaction.  The follow code is the receipt's stored one (read with the till and the
    sale: receipt_lookup.token_receipt): a receipt without one gets it from WeChat after
    that transaction (`needs_follow_code`)."""
    sale = found.get("sale")
    payload = (sale or {}).get("payload") or {}
    member = (payload.get("member") or {}).get("id")
    owner = False
    if visitor.member_id and member:
        owner = canonical(tx, visitor.member_id) == canonical(tx, str(member))
    following = bool(visitor.openid) and is_following(tx, str(visitor.openid))
    state = page_state(visitor, following)
    code = None
    if state == VISITOR and found["verdict"] == "genuine":
        code = codes.of_row(found["follow_row"])  # read with the token's till and sale
    return HeroView(state, code), owner


def needs_follow_code(codes: FollowQrCodes, found: dict[str, Any], view: HeroView) -> bool:
    """A visitor's genuine receipt with no stored code, while WeChat's API is configured."""
    return (
        view.state == VISITOR
        and found["verdict"] == "genuine"
        and view.follow_qr is None
        and codes.can_fetch
    )


def with_follow_code(codes: FollowQrCodes, found: dict[str, Any], view: HeroView) -> HeroView:
    """The view with the receipt's code fetched from WeChat (its own transaction: once per
    receipt, never while the page's transaction holds a connection)."""
    fields = found["fields"]
    payload = (found.get("sale") or {}).get("payload") or {}
    code = codes.for_receipt(
        found["device"],
        fields.key_id.hex(),
        fields.receipt_no,
        str(payload.get("associate") or ""),
    )
    return HeroView(view.state, code)
