"""Who the e-receipt page is for, worked out from the database: the page state (visitor,
follower, member), this receipt's follow code for a visitor, and whether the visitor is the
receipt's own member (who alone sees the member block)."""

from __future__ import annotations

from typing import Any

from ..follow_qr import FollowQrCodes
from .receipt_hero import VISITOR, HeroView, page_state
from .visitor import Visitor


def receipt_view(
    service: Any, codes: FollowQrCodes, found: dict[str, Any], visitor: Visitor
) -> tuple[HeroView, bool]:
    """(the hero's view, whether the visitor is the receipt's member) for a looked-up token
    (receipt_routes.lookup) whose verdict is genuine or revoked_till."""
    sale = found.get("sale")
    payload = (sale or {}).get("payload") or {}
    member = (payload.get("member") or {}).get("id")
    owner = False
    if visitor.member_id and member:
        canonical = service.members.views.canonical_member_id
        owner = canonical(visitor.member_id) == canonical(str(member))
    following = bool(visitor.openid) and service.members.followers.is_following(visitor.openid)
    state = page_state(visitor, following)
    code = None
    if state == VISITOR and found["verdict"] == "genuine":
        fields = found["fields"]
        code = codes.for_receipt(
            found["device"],
            fields.key_id.hex(),
            fields.receipt_no,
            str(payload.get("associate") or ""),
        )
    return HeroView(state, code), owner
