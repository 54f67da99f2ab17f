"""Members (会员): one mobile number, one member.  Pure rules and the panel's derived facts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .digits import only_digits
from .errors import InvalidInput

TIERS = ("core", "potential", "ordinary")
MEMBER_CODE_PREFIX = "GTM:"  # a member code scanned from the member's WeChat card


def normalize_phone(text: str) -> str:
    """A mainland mobile number: 11 digits starting with 1 (spaces, dashes, +86 dropped)."""
    digits = only_digits(text)
    if text.strip().startswith("+86") or (len(digits) == 13 and digits.startswith("86")):
        digits = digits[2:]
    if len(digits) != 11 or not digits.startswith("1"):
        raise InvalidInput(
            f"“{text}” is not a mobile number: give 11 digits starting with 1",
            f"“{text}”不是有效的手机号：请输入以 1 开头的 11 位数字",
        )
    return digits


def mask_phone(phone: str) -> str:
    """138****5678: the one masking of a mobile number wherever one is shown (member column,
    follow-ups, receipts, logs); a number already masked stays as it is."""
    digits = phone.strip()
    if "*" in digits:
        return digits
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def parse_birthday(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError as err:
        raise InvalidInput(
            f"Birthday “{text}” must be YYYY-MM-DD", f"生日“{text}”格式应为 YYYY-MM-DD"
        ) from err


def parse_tags(text: str) -> list[str]:
    return sorted({t.strip() for t in text.replace("，", ",").split(",") if t.strip()})


def member_code_id(code: str) -> str | None:
    """The member id inside a scanned member code, or None if it is not one."""
    c = code.strip()
    return c[len(MEMBER_CODE_PREFIX) :] if c.upper().startswith(MEMBER_CODE_PREFIX) else None


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    phone: str
    name: str = ""
    birthday: str | None = None
    tier: str = "ordinary"
    points: int = 0
    stored_value_fen: int = 0
    consent_at: str | None = None
    associate: str | None = None
    tags: tuple[str, ...] = ()
    created_at: str = ""

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def as_dict(self) -> dict[str, Any]:
        return {
            "member_id": self.id,
            "phone": self.phone,
            "phone_masked": self.phone_masked,
            "name": self.name,
            "birthday": self.birthday,
            "tier": self.tier,
            "points": self.points,
            "stored_value_fen": self.stored_value_fen,
            "consent_at": self.consent_at,
            "associate": self.associate,
            "tags": list(self.tags),
            "created_at": self.created_at,
        }


def birthday_this_month(birthday: str | None, today: date) -> bool:
    return bool(birthday) and date.fromisoformat(str(birthday)).month == today.month


def is_lapsed(last_purchase_at: datetime | None, now: datetime, lapsed_days: int) -> bool:
    """No purchase for `lapsed_days` (a member who never bought is not lapsed: they are new)."""
    return last_purchase_at is not None and (now - last_purchase_at).days >= lapsed_days


@dataclass(frozen=True, slots=True)
class History:
    """What the member's purchases tell the associate."""

    usual_sizes: dict[str, str] = field(default_factory=dict)  # category -> size
    favourite_categories: list[str] = field(default_factory=list)


def history_from_lines(lines: Iterable[Mapping[str, Any]], top: int = 3) -> History:
    """Lines bought (`category`, `size`, `qty`) → usual size per category, top categories."""
    cats: Counter[str] = Counter()
    sizes: dict[str, Counter[str]] = {}
    for ln in lines:
        cat, qty = str(ln.get("category") or ""), int(ln.get("qty") or 1)
        if not cat:
            continue
        cats[cat] += qty
        size = str(ln.get("size") or "")
        if size:
            sizes.setdefault(cat, Counter())[size] += qty
    fav = [c for c, _ in sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    usual = {
        c: sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for c, cnt in sizes.items()
    }
    return History(usual, fav)
