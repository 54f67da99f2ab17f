"""Store credit (退至储值, issue 20): a refund given onto a member's stored value.

A gift receipt never gives money back in cash, so its recipient takes store credit instead;
any customer may ask for it on an ordinary receipt too.  The cloud's stored-value ledger is
the authority on balances, so the credit is online only, booked before the refund commits and
keyed by the refund id (asked again, the cloud answers the same credit, never a second one).
Should the refund not commit after all, the credit is taken back under its own key: money is
never half-moved.  A customer who is not a member is enrolled on the spot (with their consent),
and the enrolment reaches the cloud before the credit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pos_app.domain.errors import InvalidInput, RuleViolation
from pos_app.domain.members import Member, mask_phone
from pos_app.domain.tenders import Tender

from .common import CloudUnavailable, MemberContext
from .directory import MemberDirectory

log = logging.getLogger(__name__)


def offline_refusal() -> RuleViolation:
    return RuleViolation(
        "Store credit needs the cloud, which cannot be reached: exchange the goods instead, "
        "or try again when online",
        "退至储值需要连接云端，目前无法连接：请改为换货，或联网后重试",
    )


def credit_fen(payments: list[dict[str, Any]]) -> int:
    """What a refund's payments put onto stored value (refund amounts are negative)."""
    return -sum(int(p["amount_fen"]) for p in payments if p["tender"] == Tender.STORE_CREDIT.value)


class MemberStoreCredit:
    """Who takes the credit (found, or enrolled on the spot) and the credit itself: before
    the refund commits (the cloud), inside it (the mirror), and its give-back on failure."""

    def __init__(self, ctx: MemberContext, directory: MemberDirectory) -> None:
        self.ctx = ctx
        self.repo = ctx.repo
        self.directory = directory

    def recipient(
        self,
        phone: str,
        *,
        consent: bool = False,
        name: str = "",
        publish: Callable[[], None] | None = None,
    ) -> tuple[Member, bool]:
        """The member whose stored value takes the credit, by mobile number: (member,
        enrolled now).  Not a member yet: enrolled with their consent (the membership
        funnel's point), and `publish` sends the enrolment to the cloud at once."""
        if not phone.strip():
            raise InvalidInput(
                "Store credit goes to a member: give the customer's mobile number (--member PHONE)",
                "退至储值需要会员：请输入顾客手机号（--member 手机号）",
            )
        if self.ctx.cloud() is None:
            raise offline_refusal()
        found = self.directory.find(phone)
        if len(found) == 1:
            return found[0], False
        if found:
            raise InvalidInput(
                f"{len(found)} members end in {phone}: give the whole number",
                f"尾号 {phone} 有 {len(found)} 位会员，请输入完整手机号",
            )
        if not consent:
            raise InvalidInput(
                f"{phone} is not a member: store credit enrols them; with the customer's "
                "consent tick “the customer agrees to join” (--consent on the command line), "
                "or exchange the goods instead",
                f"{phone} 还不是会员：退至储值需先注册会员，征得顾客同意后勾选“顾客同意注册会员”"
                "（命令行加 --consent），或改为换货",
            )
        member, created = self.directory.enroll(phone, name=name, consent=True)
        if created and publish is not None:
            try:
                publish()
            except Exception:  # the credit below says what to do when the cloud lacks them
                log.exception("the enrolment of %s could not be sent to the cloud", member.id)
        return member, created

    def give(self, plan: dict[str, Any], member_id: str) -> dict[str, Any]:
        """Before the refund commits: the credit onto the member's stored value through the
        cloud, keyed by the refund id.  Returns the payload's `store_credit` block."""
        amount = credit_fen(plan["payments"])
        cloud = self.ctx.cloud()
        if cloud is None:
            raise offline_refusal()
        refund_id = str(plan["refund_id"])
        try:
            ans = cloud.credit(member_id, amount, f"{refund_id}:credit", f"refund:{refund_id}")
        except CloudUnavailable as err:
            raise offline_refusal() from err
        m = self.repo.by_id(member_id)
        return {
            "member_id": member_id,
            "phone_masked": mask_phone(m.phone) if m is not None else "",
            "amount_fen": amount,
            "balance_fen": int(ans.get("balance_fen", 0)),
            "transaction_id": str(ans.get("transaction_id", "")),
        }

    def take_back(self, refund_id: str, credit: dict[str, Any]) -> None:
        """The refund did not commit: the credit comes off again (its own key: safe to
        repeat).  Unreachable now: logged for a manual debit, as a sale's give-back is."""
        cloud = self.ctx.cloud()
        try:
            if cloud is None:
                raise CloudUnavailable("no cloud", "无法连接云端")
            cloud.debit(
                str(credit["member_id"]),
                int(credit["amount_fen"]),
                f"{refund_id}:credit:reverse",
                f"refund:{refund_id}:reverse",
            )
        except Exception:
            log.exception(
                "store credit %s of refund %s needs a manual debit", credit["member_id"], refund_id
            )

    def book(self, payload: dict[str, Any]) -> None:
        """Inside the refund's transaction: the mirror of the member's balance as the cloud
        answered it."""
        credit = payload.get("store_credit")
        if not credit:
            return
        m = self.repo.by_id(str(credit["member_id"]))
        if m is not None:
            delta = int(credit["balance_fen"]) - m.stored_value_fen
            self.repo.adjust(m.id, 0, delta, str(payload["completed_at"]))
