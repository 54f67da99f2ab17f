"""Members: find (phone, last four, member code, e-receipt), enroll, tags, the panel."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from pos_app.domain import events
from pos_app.domain.digits import only_digits
from pos_app.domain.errors import GuitaiError, InvalidInput, NotFound
from pos_app.domain.loyalty import check_coupon, coupon_uses_total, usable_here
from pos_app.domain.members import (
    Member,
    birthday_this_month,
    history_from_lines,
    is_lapsed,
    member_code_id,
    normalize_phone,
    parse_birthday,
    parse_tags,
)
from pos_app.domain.promotions import Coupon
from pos_app.domain.timeutil import local_day

from .common import CloudUnavailable, MemberContext, member_from_cloud

log = logging.getLogger(__name__)


ReceiptLookup = Callable[[str], dict[str, Any] | None]


class MemberDirectory:
    """Who the members are: the mirror on this till, filled from the cloud on demand."""

    def __init__(self, ctx: MemberContext, receipt_lookup: ReceiptLookup | None = None) -> None:
        self.ctx = ctx
        self.uow = ctx.uow
        self.repo = ctx.repo
        self.receipt_lookup = receipt_lookup  # e-receipt URL or token -> the sale payload

    def by_id(self, member_id: str) -> Member:
        m = self.repo.by_id(member_id)
        if m is None:
            raise NotFound(f"No member {member_id} on this till", f"本机没有会员 {member_id}")
        return m

    # ---- find and enroll --------------------------------------------------------------

    def find(self, query: str) -> list[Member]:
        """By mobile number (exact), the last four digits (candidates), a member code, or a
        scanned e-receipt (URL or token).
        A number the mirror does not hold is asked of the cloud and kept in the mirror."""
        q = query.strip()
        if self.receipt_lookup is not None and ("/" in q or len(q) > 24):
            return [self.from_receipt(self.receipt_lookup(q))]
        code_id = member_code_id(q)
        if code_id is not None:
            m = self.repo.by_id(code_id)
            if m is None:
                raise NotFound(f"No member with code {q}", f"没有会员码为 {q} 的会员")
            return [m]
        digits = only_digits(q)
        if len(digits) == 4 and digits == q:
            return list(self.repo.by_last4(digits))
        phone = normalize_phone(q)
        m = self.repo.by_phone(phone)
        if m is not None:
            return [m]
        found = self._cloud_lookup(phone)
        return [found] if found else []

    def find_one(self, query: str) -> Member:
        found = self.find(query)
        if not found:
            raise NotFound(
                f"No member with phone {query}: enroll them (guitai member enroll)",
                f"没有手机号为 {query} 的会员：请先注册（guitai member enroll）",
            )
        if len(found) > 1:
            raise InvalidInput(
                f"{len(found)} members end in {query}: give the whole number",
                f"尾号 {query} 有 {len(found)} 位会员，请输入完整手机号",
            )
        return found[0]

    def _cloud_lookup(self, phone: str) -> Member | None:
        cloud = self.ctx.cloud()
        if cloud is None:
            return None
        try:
            data = cloud.member_by_phone(phone)
        except CloudUnavailable:
            return None
        if data is None:
            return None
        m = member_from_cloud(data)
        with self.uow:
            self.repo.upsert(m, self.ctx.now())
            self.uow.commit()
        return m

    def from_receipt(self, payload: dict[str, Any] | None) -> Member:
        """The member on a scanned e-receipt's sale (local or fetched from the cloud)."""
        member = (payload or {}).get("member") or {}
        if not member.get("id"):
            raise NotFound("That receipt has no member on it", "该小票没有会员信息")
        return self.by_id(str(member["id"]))

    def enroll(
        self,
        phone: str,
        *,
        name: str = "",
        birthday: str | None = None,
        consent: bool = False,
        associate: str | None = None,
        tags: str = "",
    ) -> tuple[Member, bool]:
        """Enroll at the till; an existing number finds that member instead (created False)."""
        phone = normalize_phone(phone)
        bday = parse_birthday(birthday)
        existing = self.repo.by_phone(phone) or self._cloud_lookup(phone)
        if existing is not None:
            return existing, False
        now = self.ctx.now()
        ident = self.ctx.identity
        m = Member(
            id="M" + uuid.uuid4().hex[:12].upper(),
            phone=phone,
            name=name.strip(),
            birthday=bday,
            consent_at=now if consent else None,
            associate=associate,
            tags=tuple(parse_tags(tags)),
            created_at=now,
        )
        with self.uow:
            again = self.repo.by_phone(phone)
            if again is not None:  # enrolled meanwhile on this till
                return again, False
            self.repo.upsert(m, now)
            self.repo.set_tags(m.id, m.tags, now)
            self.uow.outbox.add(
                events.MEMBER_ENROLLED,
                {
                    "member_id": m.id,
                    "phone": m.phone,
                    "name": m.name,
                    "birthday": m.birthday,
                    "tier": m.tier,
                    "marketing_consent": consent,
                    "consent_at": m.consent_at,
                    "associate": associate,
                    "tags": list(m.tags),
                    "store_id": ident.store_id,
                    "till_no": ident.till_no,
                    "enrolled_at": now,
                },
                now,
            )
            self.uow.commit()
        return m, True

    def set_tags(self, member_id: str, tags: str, user: str) -> Member:
        m = self.by_id(member_id)
        new = parse_tags(tags)
        now = self.ctx.now()
        with self.uow:
            self.repo.set_tags(m.id, new, now)
            self.uow.outbox.add(
                events.MEMBER_UPDATED,
                {"member_id": m.id, "phone": m.phone, "tags": new, "by": user, "at": now},
                now,
            )
            self.uow.commit()
        return replace(m, tags=tuple(new))

    # ---- the member panel -------------------------------------------------------------

    def panel(self, member_id: str) -> dict[str, Any]:
        """What the member panel shows (a read model: the UI renders it)."""
        m = self.by_id(member_id)
        rules = self.ctx.rules()
        now = self.ctx.clock.now()
        ident = self.ctx.identity
        sales = self.repo.member_sales(m.id, limit=50)
        last = [
            {
                "receipt_no": p["receipt_no"],
                "completed_at": p["completed_at"],
                "store_id": p.get("store_id"),
                "total_fen": p["total_fen"],
                "associate": p.get("associate"),
                "items": [ln["name"] for ln in p["lines"]],
            }
            for p in sales[:5]
        ]
        last_at = (
            datetime.fromisoformat(sales[0]["completed_at"].replace("Z", "+00:00"))
            if sales
            else None
        )
        hist = history_from_lines(ln for p in sales for ln in p["lines"])
        coupons = []
        for d in self.repo.coupons_for(m.id):
            try:
                c = Coupon.from_dict(d)
                c = usable_here(c, coupon_uses_total(d), self.repo.coupon_uses_here(c.code))
                check_coupon(c, m.id, now)
            except GuitaiError:
                continue
            coupons.append(d)
        today = date.fromisoformat(local_day(now, ident.tz))
        return m.as_dict() | {
            "coupons": coupons,
            "birthday_this_month": birthday_this_month(m.birthday, today),
            "lapsed": is_lapsed(last_at, now, rules.lapsed_days),
            "lapsed_days": rules.lapsed_days,
            "last_purchase_at": sales[0]["completed_at"] if sales else None,
            "last_visits": last,
            "usual_sizes": hist.usual_sizes,
            "favourite_categories": hist.favourite_categories,
            "offline_stored_value_today_fen": self.repo.offline_debits(self.ctx.day(), m.id),
            "member_code": f"GTM:{m.id}",
        }
