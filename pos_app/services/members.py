"""Members at the counter: find, enroll, the member panel, member prices and promotions,
points, coupons, stored value, the associate's follow-ups and suggestions.

The cloud is the authority for balances (specs/sync-protocol.md); this service keeps the
till selling without it: a member enrolled offline syncs as `member.enrolled` (the cloud
merges a phone it already knows), points and offline coupon redemptions sync as events, and
an offline stored-value debit is allowed only under the per-card and per-till caps.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Protocol

from pos_app.domain import events
from pos_app.domain.errors import GuitaiError, InvalidInput, NotFound, RuleViolation, StateError
from pos_app.domain.loyalty import (
    LoyaltyRules,
    check_coupon,
    check_offline_debit,
    followup_times,
    points_earned,
)
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
from pos_app.domain.ports import Clock
from pos_app.domain.promotions import (
    BasketLine,
    Coupon,
    PointsRedemption,
    Pricing,
    Promotion,
    price_basket,
)
from pos_app.domain.sale import Sale, Sellable
from pos_app.domain.tenders import Tender, TenderLine
from pos_app.domain.timeutil import iso_utc, local_day

from .context import TillIdentity
from .ports import Store

log = logging.getLogger(__name__)


class CloudUnavailable(GuitaiError):
    """The cloud could not be reached: the till goes on with its offline rules."""

    code = "cloud_unreachable"


class MemberCloud(Protocol):
    """The online calls (sync protocol, "Online-only calls"); adapters/member_cloud.py."""

    def member_by_phone(self, phone: str) -> dict[str, Any] | None: ...
    def debit(
        self, member_id: str, amount_fen: int, key: str, reference: str
    ) -> dict[str, Any]: ...
    def credit(
        self, member_id: str, amount_fen: int, key: str, reference: str
    ) -> dict[str, Any]: ...
    def redeem_coupon(
        self, code: str, member_id: str, sale_id: str, key: str
    ) -> dict[str, Any]: ...
    def release_coupon(self, code: str, sale_id: str) -> dict[str, Any]: ...


def _member_from_cloud(d: dict[str, Any]) -> Member:
    tags = d.get("tags") or ()
    if isinstance(tags, str):
        tags = tuple(t for t in tags.split(",") if t)
    return Member(
        id=str(d.get("id") or d["member_id"]),
        phone=str(d["phone"]),
        name=str(d.get("name", "")),
        birthday=d.get("birthday"),
        tier=str(d.get("tier", "ordinary")),
        points=int(d.get("points", 0)),
        stored_value_fen=int(d.get("stored_value_fen", 0)),
        consent_at=d.get("consent_at"),
        associate=d.get("associate"),
        tags=tuple(tags),
        created_at=str(d.get("created_at", "")),
    )


class MemberService:
    def __init__(
        self,
        store: Store,
        repo: Any,  # adapters/db/members_repo.SqliteMembers
        clock: Clock,
        lookup: Callable[[str], Sellable],
        cloud: Callable[[], MemberCloud | None] = lambda: None,
        receipt_lookup: Callable[[str], dict[str, Any] | None] | None = None,
    ) -> None:
        self.receipt_lookup = receipt_lookup  # e-receipt URL or token -> the sale payload
        self.store = store
        self.repo = repo
        self.clock = clock
        self.lookup = lookup
        self._cloud = cloud
        self._coupon_online: dict[str, bool] = {}  # sale id -> confirmed by the cloud

    # ---- settings ---------------------------------------------------------------------

    @property
    def identity(self) -> TillIdentity:
        return TillIdentity.load(self.store)

    def rules(self) -> LoyaltyRules:
        s = dict(self.store.settings())
        if "loyalty_rules" not in s:
            pushed = self.repo.cloud_config("loyalty")
            if pushed is not None:
                import json

                s["loyalty_rules"] = json.dumps(pushed)
        return LoyaltyRules.from_settings(s)

    def _now(self) -> str:
        return iso_utc(self.clock.now())

    def _day(self) -> str:
        shift = self.store.open_shift()
        if shift is not None:
            return str(shift["business_day"])
        return local_day(self.clock.now(), self.identity.tz)

    def _cloud_call(self) -> MemberCloud | None:
        try:
            return self._cloud()
        except GuitaiError:  # not enrolled: an offline-only till
            return None

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
        digits = "".join(ch for ch in q if ch.isdigit())
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
        cloud = self._cloud_call()
        if cloud is None:
            return None
        try:
            data = cloud.member_by_phone(phone)
        except CloudUnavailable:
            return None
        if data is None:
            return None
        m = _member_from_cloud(data)
        with self.store.transaction():
            self.repo.upsert(m, self._now())
        return m

    def by_id(self, member_id: str) -> Member:
        m: Member | None = self.repo.by_id(member_id)
        if m is None:
            raise NotFound(f"No member {member_id} on this till", f"本机没有会员 {member_id}")
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
        now = self._now()
        ident = self.identity
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
        with self.store.transaction():
            if self.repo.by_phone(phone) is not None:  # enrolled meanwhile on this till
                return self.repo.by_phone(phone), False
            self.repo.upsert(m, now)
            self.repo.set_tags(m.id, m.tags, now)
            self.store.append_outbox(
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
        return m, True

    def set_tags(self, member_id: str, tags: str, user: str) -> Member:
        m = self.by_id(member_id)
        new = parse_tags(tags)
        now = self._now()
        with self.store.transaction():
            self.repo.set_tags(m.id, new, now)
            self.store.append_outbox(
                events.MEMBER_UPDATED,
                {"member_id": m.id, "phone": m.phone, "tags": new, "by": user, "at": now},
                now,
            )
        return replace(m, tags=tuple(new))

    # ---- the member panel -------------------------------------------------------------

    def panel(self, member_id: str) -> dict[str, Any]:
        """What the member panel shows (a read model: the UI renders it)."""
        m = self.by_id(member_id)
        rules = self.rules()
        now = self.clock.now()
        ident = self.identity
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
                check_coupon(c, m.id, now)
            except GuitaiError:
                continue
            if not self.repo.coupon_used_here(c.code):
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
            "offline_stored_value_today_fen": self.repo.offline_debits(self._day(), m.id),
            "member_code": f"GTM:{m.id}",
        }

    # ---- prices and promotions --------------------------------------------------------

    def attach(self, sale: Sale, member: Member) -> None:
        """Put the member on the sale; lines already scanned get their member price."""
        sale.member_id = member.id
        sale.member_phone_masked = member.phone_masked
        for ln in sale.lines:
            if ln.discount is not None:
                continue
            item = self.lookup(ln.sku)
            if item.member_price_fen is not None and item.member_price_fen < ln.unit_price_fen:
                ln.unit_price_fen = item.member_price_fen
        sale.savings = []

    def promotions(self) -> list[Promotion]:
        out = []
        for d in self.repo.promotions():
            try:
                out.append(Promotion.from_dict(d))
            except GuitaiError:
                log.warning("promotion %s from the cloud is not valid; skipped", d.get("id"))
        return out

    def coupon(self, code: str, member: Member | None) -> Coupon:
        d = self.repo.coupon(code.strip())
        if d is None:
            raise NotFound(f"No coupon {code} on this till", f"本机没有券 {code}")
        c = Coupon.from_dict(d)
        check_coupon(c, member.id if member else None, self.clock.now())
        if self.repo.coupon_used_here(c.code):
            raise RuleViolation(f"Coupon {c.code} was already used", f"券 {c.code} 已被使用")
        return c

    def price(
        self,
        sale: Sale,
        member: Member | None,
        coupon_code: str | None = None,
        points: int = 0,
    ) -> Pricing:
        """Run the promotion engine over the sale and put its savings on it."""
        rules = self.rules()
        if points < 0:
            raise InvalidInput("Points to redeem cannot be negative", "兑换积分不能为负数")
        if points and member is None:
            raise RuleViolation("Only a member can redeem points", "只有会员可以使用积分")
        if member is not None and points > member.points:
            raise RuleViolation(
                f"The member has {member.points} points, not {points}",
                f"会员只有 {member.points} 积分，不足 {points}",
            )
        coupon = self.coupon(coupon_code, member) if coupon_code else None
        sale.savings = []
        basket = [
            BasketLine(
                ln.line_no,
                ln.sku,
                ln.category,
                ln.qty,
                ln.unit_price_fen,
                ln.net_fen,
                member_priced=ln.unit_price_fen < ln.list_price_fen and ln.discount is None,
            )
            for ln in sale.lines
        ]
        pricing = price_basket(
            basket,
            self.promotions(),
            is_member=member is not None,
            tier=member.tier if member else None,
            tier_discount_bp=rules.tier_discount_bp,
            coupon=coupon,
            points=PointsRedemption(points, rules.redeem_points_per_yuan, rules.redeem_cap_bp)
            if points
            else None,
        )
        sale.apply_savings(list(pricing.savings))
        if member is not None:
            self._preview_points(sale, member, pricing.points_used, rules)
        return pricing

    def _preview_points(self, sale: Sale, member: Member, used: int, rules: LoyaltyRules) -> None:
        lines = [
            {
                "amount_fen": ln.net_fen - sale.saving_on_line(ln.line_no),
                "category": ln.category,
            }
            for ln in sale.lines
        ]
        earned = points_earned(lines, member.tier, rules)
        sale.member_extra = {
            "tier": member.tier,
            "points_earned": earned,
            "points_redeemed": used,
            "points_balance": member.points - used + earned,
            "stored_value_balance_fen": member.stored_value_fen,
        }

    def reserve_coupon(self, sale: Sale) -> bool:
        """Redeem the sale's coupon with the cloud before payment (a coupon used at another
        till is refused here).  Offline: allowed once per till, reconciled by the cloud.
        Returns whether it was confirmed online."""
        code = next((s.ref for s in sale.savings if s.kind == "coupon"), None)
        if code is None:
            return False
        cloud = self._cloud_call()
        online = False
        if cloud is not None:
            try:
                cloud.redeem_coupon(code, sale.member_id or "", sale.id, f"coupon:{sale.id}:{code}")
                online = True
            except CloudUnavailable:
                online = False
        self._coupon_online[sale.id] = online
        return online

    def release_coupon(self, sale: Sale) -> None:
        """The sale was abandoned: give back a coupon the cloud redeemed for it."""
        if not self._coupon_online.pop(sale.id, False):
            return
        code = next((s.ref for s in sale.savings if s.kind == "coupon"), None)
        cloud = self._cloud_call()
        if code is None or cloud is None:
            return
        try:
            cloud.release_coupon(code, sale.id)
        except CloudUnavailable:
            log.error(
                "coupon %s of abandoned sale %s stays redeemed: release it in the cloud",
                code,
                sale.id,
            )

    # ---- stored value -----------------------------------------------------------------

    def pay_stored_value(self, sale: Sale, member: Member, amount_fen: int) -> TenderLine:
        """Debit the member's stored value: with the cloud's answer, or offline under caps."""
        if sale.member_id != member.id:
            raise StateError("Attach the member to the sale first", "请先将会员关联到本单")
        if amount_fen <= 0:
            raise InvalidInput("A payment must be more than zero", "付款金额必须大于零")
        due = sale.totals().due_fen
        if amount_fen > due:
            raise RuleViolation(
                f"Stored value cannot pay more than is due (¥{due / 100:.2f})",
                f"储值支付不能超过应付金额 ¥{due / 100:.2f}",
            )
        key = str(uuid.uuid4())
        cloud = self._cloud_call()
        answer: dict[str, Any] | None = None
        if cloud is not None:
            try:
                answer = cloud.debit(member.id, amount_fen, key, f"sale:{sale.id}")
            except CloudUnavailable:
                answer = None
        if answer is not None:
            ref = f"sv:{key}:{answer.get('transaction_id', '')}"
            balance = int(answer.get("balance_fen", member.stored_value_fen - amount_fen))
            sale.member_extra["stored_value_balance_fen"] = balance
        else:
            rules = self.rules()
            day = self._day()
            check_offline_debit(
                amount_fen,
                balance_fen=member.stored_value_fen,
                card_offline_fen=self.repo.offline_debits(day, member.id),
                till_offline_fen=self.repo.offline_debits(day),
                rules=rules,
            )
            ref = f"sv-offline:{key}"
            sale.member_extra["stored_value_balance_fen"] = member.stored_value_fen - amount_fen
        return sale.add_tender(Tender.STORED_VALUE, amount_fen, self.identity.cash_rounding, ref)

    def top_up(self, member_id: str, amount_fen: int, user: str) -> int:
        """Add stored value: online only (the cloud's answer is the balance)."""
        m = self.by_id(member_id)
        if amount_fen <= 0:
            raise InvalidInput("A top-up must be more than zero", "充值金额必须大于零")
        cloud = self._cloud_call()
        refuse = RuleViolation(
            "Top-ups need the cloud, which cannot be reached: try again when online",
            "充值需要连接云端，目前无法连接，请联网后重试",
        )
        if cloud is None:
            raise refuse
        try:
            answer = cloud.credit(m.id, amount_fen, str(uuid.uuid4()), f"topup:{user}")
        except CloudUnavailable as err:
            raise refuse from err
        balance = int(answer.get("balance_fen", m.stored_value_fen + amount_fen))
        with self.store.transaction():
            self.repo.adjust(m.id, 0, balance - m.stored_value_fen, self._now())
        return balance

    def give_back_stored_value(self, sale: Sale) -> None:
        """An abandoned sale: credit back what the cloud debited (same key: safe to repeat)."""
        cloud = self._cloud_call()
        for t in sale.tenders:
            if t.tender is Tender.STORED_VALUE and t.reference and t.reference.startswith("sv:"):
                key = t.reference.split(":")[1]
                if cloud is None:
                    log.error("stored value %s of sale %s needs a manual credit", key, sale.id)
                    continue
                cloud.credit(sale.member_id or "", t.amount_fen, key + ":reverse", sale.id)

    # ---- completion -------------------------------------------------------------------

    def within_sale(self, sale: Sale) -> Callable[[dict[str, Any]], None]:
        """The in-transaction step for a member sale: ledger rows, outbox events, the mirror's
        balances and the associate's follow-ups commit with the sale or not at all."""
        rules = self.rules()

        def step(payload: dict[str, Any]) -> None:
            member = payload.get("member") or {}
            mid = member.get("id")
            now = payload["completed_at"]
            day = payload["business_day"]
            base = {
                "member_id": mid,
                "sale_id": payload["sale_id"],
                "receipt_no": payload["receipt_no"],
                "store_id": payload["store_id"],
                "till_no": payload["till_no"],
                "at": now,
            }
            for s in payload.get("savings", []):
                if s["kind"] != "coupon":
                    continue
                offline = not self._coupon_online.pop(payload["sale_id"], False)
                self.repo.add_ledger(
                    mid or "",
                    "coupon_redeemed",
                    int(s["amount_fen"]),
                    ref=s["ref"],
                    sale_id=payload["sale_id"],
                    offline=offline,
                    business_day=day,
                    at=now,
                )
                self.store.append_outbox(
                    events.COUPON_REDEEMED,
                    base | {"code": s["ref"], "amount_fen": s["amount_fen"], "offline": offline},
                    now,
                )
            if not mid:
                return
            earned = int(member.get("points_earned", 0))
            used = int(member.get("points_redeemed", 0))
            sv_total = 0
            for p in payload["payments"]:
                if p["tender"] != Tender.STORED_VALUE.value:
                    continue
                ref = str(p.get("reference") or "")
                offline = ref.startswith("sv-offline:")
                key = ref.split(":")[1] if ":" in ref else ref
                amount = int(p["amount_fen"])
                sv_total += amount
                self.repo.add_ledger(
                    mid,
                    "sv_debit",
                    amount,
                    ref=key,
                    sale_id=payload["sale_id"],
                    offline=offline,
                    business_day=day,
                    at=now,
                )
                self.store.append_outbox(
                    events.STORED_VALUE_DEBITED,
                    base | {"amount_fen": amount, "idempotency_key": key, "offline": offline},
                    now,
                )
            if used:
                self.repo.add_ledger(
                    mid,
                    "points_redeemed",
                    used,
                    ref="points",
                    sale_id=payload["sale_id"],
                    offline=False,
                    business_day=day,
                    at=now,
                )
                self.store.append_outbox(events.POINTS_REDEEMED, base | {"points": used}, now)
            if earned:
                self.repo.add_ledger(
                    mid,
                    "points_earned",
                    earned,
                    ref="sale",
                    sale_id=payload["sale_id"],
                    offline=False,
                    business_day=day,
                    at=now,
                )
                self.store.append_outbox(events.POINTS_EARNED, base | {"points": earned}, now)
            self.repo.adjust(mid, earned - used, -sv_total, now)
            assoc = payload.get("associate")
            if assoc:
                done = datetime.fromisoformat(now.replace("Z", "+00:00"))
                plan = [
                    {
                        "step": i,
                        "due_at": iso_utc(due),
                        "associate": assoc,
                        "sale_id": payload["sale_id"],
                    }
                    for i, due in enumerate(followup_times(done, rules), start=1)
                ]
                for f in plan:
                    self.repo.add_followup(
                        mid, payload["sale_id"], assoc, f["step"], f["due_at"], now
                    )
                # synced so the brand's CRM (and the associate's phone) see the schedule
                self.store.append_outbox(
                    events.MEMBER_UPDATED, {"member_id": mid, "followups": plan, "at": now}, now
                )

        return step

    def refund_payout(self, plan: dict[str, Any]) -> list[dict[str, Any]]:
        """Before a refund commits: stored value goes back onto the card through the cloud
        (online only, one Idempotency-Key per refund); other lines are returned unchanged."""
        member = (plan["original"].get("member") or {}).get("id")
        out = []
        for p in plan["payments"]:
            if p["tender"] == Tender.STORED_VALUE.value:
                cloud = self._cloud_call()
                if cloud is None or not member:
                    raise RuleViolation(
                        "Stored value goes back to the card only online: refund cash instead",
                        "储值退回需要连接云端，请改为退现金",
                    )
                try:
                    ans = cloud.credit(
                        str(member),
                        -int(p["amount_fen"]),
                        f"{plan['refund_id']}:sv",
                        f"refund:{plan['refund_id']}",
                    )
                except CloudUnavailable as err:
                    raise RuleViolation(
                        "Stored value goes back to the card only online: refund cash instead",
                        "储值退回需要连接云端，请改为退现金",
                    ) from err
                p = dict(p, reference=f"sv:{plan['refund_id']}:{ans.get('transaction_id', '')}")
            out.append(p)
        return out

    def within_refund(self) -> Callable[[dict[str, Any]], None]:
        """The in-transaction step for a refund: points earned on what is returned are taken
        back, in proportion to the refunded amount (rounded down, never below zero twice)."""

        def step(payload: dict[str, Any]) -> None:
            original = self.store.sale_payload(sale_id=payload["original_sale_id"]) or {}
            member = original.get("member") or {}
            mid, earned = member.get("id"), int(member.get("points_earned", 0) or 0)
            total = int(original.get("total_fen", 0))
            sv_back = -sum(
                int(p["amount_fen"])
                for p in payload["payments"]
                if p["tender"] == Tender.STORED_VALUE.value
            )
            if mid and sv_back:
                self.repo.adjust(mid, 0, sv_back, payload["completed_at"])
            if not mid or earned <= 0 or total <= 0:
                return
            back = earned * min(total, -int(payload["total_fen"])) // total
            if back <= 0:
                return
            now, day = payload["completed_at"], payload["business_day"]
            self.repo.add_ledger(
                mid,
                "points_redeemed",
                back,
                ref="refund",
                sale_id=payload["refund_id"],
                offline=False,
                business_day=day,
                at=now,
            )
            self.repo.adjust(mid, -back, 0, now)
            self.store.append_outbox(
                events.POINTS_REDEEMED,
                {
                    "member_id": mid,
                    "sale_id": payload["original_sale_id"],
                    "refund_id": payload["refund_id"],
                    "receipt_no": payload["receipt_no"],
                    "store_id": payload["store_id"],
                    "till_no": payload["till_no"],
                    "points": back,
                    "reason": "refund",
                    "at": now,
                },
                now,
            )

        return step

    # ---- follow-ups -------------------------------------------------------------------

    def followups(self, associate: str | None = None, due: bool = False) -> list[dict[str, Any]]:
        return list(self.repo.followups(associate, self._now() if due else None))

    def finish_followup(self, fid: int, user: str, note: str = "") -> None:
        now = self._now()
        with self.store.transaction():
            row = next((r for r in self.repo.followups(None, None) if r["id"] == fid), None)
            if row is None or not self.repo.finish_followup(fid, user, note, now):
                raise NotFound(f"No open follow-up {fid}", f"没有未完成的回访 {fid}")
            self.store.append_outbox(
                events.MEMBER_UPDATED,
                {
                    "member_id": row["member_id"],
                    "followup_done": {
                        "sale_id": row["sale_id"],
                        "step": row["step"],
                        "by": user,
                        "note": note,
                        "at": now,
                    },
                    "at": now,
                },
                now,
            )

    # ---- suggestions ------------------------------------------------------------------

    def suggestions(
        self, skus: list[str], member_id: str | None = None, limit: int = 5
    ) -> dict[str, Any]:
        """Items often bought with the basket; for a member, items in their sizes and
        favourite categories (the store's best sellers first)."""
        together = self.repo.bought_together(skus, skus, limit)
        for_member: list[dict[str, Any]] = []
        if member_id:
            panel = self.panel(member_id)
            seen = set(skus)
            for cat in panel["favourite_categories"]:
                size = panel["usual_sizes"].get(cat)
                for item in self.repo.items_in(cat, size, sorted(seen), limit):
                    if item["sku"] not in seen and len(for_member) < limit:
                        seen.add(item["sku"])
                        for_member.append(
                            item | {"reason": f"常购 {cat}" + (f" {size}" if size else "")}
                        )
        return {"bought_together": together, "for_member": for_member}

    def sales_by_associate(
        self, first_day: str, last_day: str | None = None
    ) -> list[dict[str, Any]]:
        return list(self.repo.sales_by_associate(first_day, last_day or first_day))
