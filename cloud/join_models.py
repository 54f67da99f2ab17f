"""The wire shapes of the e-receipt page's join calls (join_routes.py)."""

from __future__ import annotations

from pydantic import Field

from .api_models import RequestShape, Shape


class JoinCodeRequest(RequestShape):
    phone: str = Field(description="an 11-digit mainland China mobile number", max_length=20)


class JoinCodeSent(Shape):
    sent: bool
    expires_in_s: int = Field(description="the code is valid this long (300)")
    resend_after_s: int = Field(description="the next code for this phone after this long")


class JoinRequest(RequestShape):
    phone: str = Field(max_length=20)
    code: str = Field(description="the 6 digits of the SMS", max_length=6)
    consent: bool = Field(description="agreed to the membership terms: must be true")
    name: str | None = Field(default=None, max_length=20)
    birthday: str | None = Field(default=None, description="YYYY-MM-DD", max_length=10)


class JoinResult(Shape):
    member_id: str
    points_credited: int = Field(
        description="this receipt's points credited now; 0 when it was credited before, "
        "cannot be (refunded, a member's sale) or waits for the sale to sync"
    )
    new_member: bool = Field(description="false: the phone was a member already (signed in)")
    claim: str = Field(
        description="credited | pending (credited when the sale syncs) | claimed_before | "
        "not_genuine | member_sale | refunded | altered"
    )
