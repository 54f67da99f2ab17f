"""The wire shapes of the e-receipt page's join calls (join_routes.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .api_models import RequestShape, Shape

PHONE_PATTERN = r"^\s*(\+?86)?1[3-9][0-9]{9}\s*$"


class JoinCodeRequest(RequestShape):
    phone: str = Field(
        description="an 11-digit mainland China mobile number", pattern=PHONE_PATTERN
    )


class JoinCodeSent(Shape):
    sent: bool
    expires_in_s: int = Field(description="the code is valid this long (300)")
    resend_after_s: int = Field(description="the next code for this phone after this long")


class JoinRequest(RequestShape):
    phone: str = Field(pattern=PHONE_PATTERN)
    code: str = Field(description="the 6 digits of the SMS", pattern=r"^\s*[0-9]{6}\s*$")
    consent: Literal[True] = Field(description="agreed to the membership terms")
    name: str | None = Field(
        default=None, max_length=20, description="letters, spaces and · only (else bad_name)"
    )
    birthday: str | None = Field(
        default=None, description="YYYY-MM-DD, not in the future", pattern=r"^\d{4}-\d{2}-\d{2}$"
    )


class JoinResult(Shape):
    member_id: str
    points_credited: int = Field(
        description="this receipt's points credited now; 0 when it was credited before, "
        "cannot be (refunded, a member's sale) or waits for the sale to sync"
    )
    new_member: bool = Field(description="false: the phone was a member already (signed in)")
    claim: str = Field(
        description="credited | pending (credited when the sale syncs) | claimed_before | "
        "not_genuine | gift_receipt | member_sale | refunded | altered | not_a_sale"
    )
