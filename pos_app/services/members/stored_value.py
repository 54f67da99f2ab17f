"""Stored value (储值): debits online or offline under the caps, give-backs (top-ups are a
handler of their own: pos_app.services.handlers.topups)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from pos_app.domain.errors import InvalidInput, RuleViolation, StateError
from pos_app.domain.loyalty import check_offline_debit
from pos_app.domain.members import Member
from pos_app.domain.sale import Sale
from pos_app.domain.tenders import Tender, TenderLine

from .common import CloudUnavailable, MemberContext
from .directory import MemberDirectory

log = logging.getLogger(__name__)


class MemberStoredValue:
    """The member's stored value through the cloud, and offline under the caps."""

    def __init__(self, ctx: MemberContext, directory: MemberDirectory) -> None:
        self.ctx = ctx
        self.uow = ctx.uow
        self.repo = ctx.repo
        self.directory = directory

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
        cloud = self.ctx.cloud()
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
            rules = self.ctx.rules()
            day = self.ctx.day()
            check_offline_debit(
                amount_fen,
                balance_fen=member.stored_value_fen,
                card_offline_fen=self.repo.offline_debits(day, member.id),
                till_offline_fen=self.repo.offline_debits(day),
                rules=rules,
            )
            ref = f"sv-offline:{key}"
            sale.member_extra["stored_value_balance_fen"] = member.stored_value_fen - amount_fen
        return sale.add_tender(
            Tender.STORED_VALUE, amount_fen, self.ctx.identity.cash_rounding, ref
        )

    def give_back_stored_value(self, sale: Sale) -> None:
        """An abandoned sale: credit back what the cloud debited (same key: safe to repeat)."""
        cloud = self.ctx.cloud()
        for t in sale.tenders:
            if t.tender is Tender.STORED_VALUE and t.reference and t.reference.startswith("sv:"):
                key = t.reference.split(":")[1]
                if cloud is None:
                    log.error("stored value %s of sale %s needs a manual credit", key, sale.id)
                    continue
                cloud.credit(sale.member_id or "", t.amount_fen, key + ":reverse", sale.id)
