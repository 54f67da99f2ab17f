"""Taking payment for a sale and giving it back: cash in the drawer, cards through the
terminal, WeChat Pay / Alipay through the providers (pos_app.services.payments).

House rule 3: the one device call before a commit is payment.  A card or wallet approval is
persisted by the payment service before and after the call; it is attached to the sale inside
the sale's own transaction, and if the sale is abandoned it is reversed, never kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pos_app.domain.errors import GuitaiError, InvalidInput, RuleViolation
from pos_app.domain.money import CashRounding, format_fen
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Approval, Sale
from pos_app.domain.tenders import PAYMENT_TENDERS, Tender, TenderLine
from pos_app.domain.users import User

from .payments import PaymentService
from .selling import SaleService
from .shifts import expected_drawer_fen, refund_short

TextCallback = Callable[[str, str], None]


class Checkout:
    def __init__(
        self,
        sales: SaleService,
        payments: Callable[[], PaymentService],
        rounding: Callable[[], CashRounding],
    ) -> None:
        self.sales = sales
        self._payments = payments
        self._rounding = rounding  # the till's setting, read when first needed

    @property
    def payments(self) -> PaymentService:
        return self._payments()

    @property
    def rounding(self) -> CashRounding:
        return self._rounding()

    def tender_availability(self) -> dict[str, GuitaiError | None]:
        """card / wechat / alipay → None when it can be taken now, else why not."""
        out: dict[str, GuitaiError | None] = {}
        for t in (Tender.CARD, Tender.WECHAT, Tender.ALIPAY):
            try:
                self.check_available(t)
                out[t.value] = None
            except GuitaiError as err:
                out[t.value] = err
        return out

    def check_available(self, tender: Tender) -> None:
        """Refuse a tender whose terminal or provider is not set up or not reachable, at once."""
        if tender in PAYMENT_TENDERS:
            self.payments.check_available(tender.value)
        elif tender is not Tender.CASH:
            raise InvalidInput(
                f"{tender.label_en} is taken at the member panel, not as a plain tender",
                f"{tender.label_zh}请在会员面板中使用",
            )

    def pay(
        self,
        sale: Sale,
        tender: Tender,
        amount_fen: int,
        code: str | None = None,
        on_text: TextCallback | None = None,
    ) -> TenderLine:
        if tender is Tender.CASH:
            return sale.add_tender(tender, amount_fen, self.rounding)
        self.check_available(tender)
        due = sale.totals().due_fen
        if amount_fen > due:
            raise RuleViolation(
                f"{tender.label_en} cannot pay more than is due (¥{format_fen(due)})",
                f"{tender.label_zh}金额不能超过应付 ¥{format_fen(due)}",
            )
        if not sale.lines:
            raise RuleViolation("The sale is empty: scan an item first", "本单没有商品，请先扫码")

        def text(en: str, zh: str) -> None:
            if on_text:
                on_text(en, zh)

        paid = self.payments.charge(
            sale.id, tender.value, amount_fen, code, on_text=text if on_text else None
        )
        card = None
        if tender is Tender.CARD:
            card = {
                k: v
                for k, v in (
                    ("type", paid.card_type),
                    ("masked_pan", paid.masked_pan),
                    ("auth_code", paid.auth_code),
                )
                if v
            }
        return sale.add_tender(
            tender, amount_fen, self.rounding, reference=paid.attempt_id, card=card
        )

    def _attempt_ids(self, sale: Sale) -> list[str]:
        return [t.reference for t in sale.tenders if t.tender in PAYMENT_TENDERS and t.reference]

    def complete(
        self, sale: Sale, within: Callable[[dict[str, Any]], None] | None = None
    ) -> dict[str, Any]:
        """`within`: a further in-transaction step (the member ledger, docs/members.md)."""
        ids = self._attempt_ids(sale)

        def attach(payload: dict[str, Any]) -> None:
            for attempt_id in ids:
                self.payments.attach(attempt_id, sale.id)
            if within is not None:
                within(payload)

        return self.sales.complete(sale, within=attach if ids or within else None)

    def abandon(self, sale: Sale) -> None:
        """The customer walked away after paying part by card or wallet: give it back."""
        ids = self._attempt_ids(sale)
        if ids:
            self.payments.void_unattached(ids)
        sale.tenders.clear()

    def _check_drawer(
        self, payments: list[dict[str, Any]], already_in_figures: int, other_tender: bool
    ) -> None:
        """Refuse cash out beyond the drawer's expected cash.  `already_in_figures`: the cash
        of this refund the shift's figures already count (inside the commit); `other_tender`:
        the original sale was paid (partly) otherwise, so refunding there is the way out."""
        cash = _cash_out(payments)
        uow = self.sales.uow
        shift = uow.shifts.find_open()
        if cash <= 0 or shift is None:
            return
        expected = expected_drawer_fen(uow, shift) + already_in_figures
        if cash > expected:
            raise refund_short(expected, cash, other_tender=other_tender)

    def refund(
        self,
        cashier: User,
        receipt_no: int,
        requests: list[ReturnRequest] | None,
        mode: str = "cash",
        reason: str = "",
        approvals: list[Approval] | None = None,
        on_text: TextCallback | None = None,
        extra_payout: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None,
        extra_within: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """extra_payout / extra_within: further tenders' steps (stored value through the
        member service), run after the card and wallet ones.

        Cash given back may not take the drawer below zero (the shift's expected cash): the
        refund is refused before any terminal or provider call, and checked again inside the
        commit against a refund or pay-out that got in meanwhile."""
        attached: list[str] = []
        plan = self.sales.plan_refund(receipt_no, requests, mode)
        other = mode == "cash" and any(
            p["tender"] != Tender.CASH.value for p in plan["original"]["payments"]
        )
        self._check_drawer(plan["payments"], 0, other)

        def payout(plan: dict[str, Any]) -> list[dict[str, Any]]:
            out = []
            for p in plan["payments"]:
                if p["tender"] in {t.value for t in PAYMENT_TENDERS}:
                    if not p.get("reference"):
                        raise RuleViolation(
                            "The original payment has no terminal or provider reference: "
                            "refund cash instead",
                            "原支付没有交易参考号，无法原路退回，请退现金",
                        )
                    back = self.payments.refund(
                        p["reference"],
                        -int(p["amount_fen"]),
                        refund_id=plan["refund_id"],
                        on_text=on_text,  # the card terminal's texts reach the returns screen
                    )
                    attached.append(back.attempt_id)
                    p = dict(p, reference=back.attempt_id)
                out.append(p)
            return extra_payout(dict(plan, payments=out)) if extra_payout else out

        def attach(payload: dict[str, Any]) -> None:
            if not attached:  # no card or wallet money has moved: still free to refuse
                self._check_drawer(payload["payments"], _cash_out(payload["payments"]), other)
            for attempt_id in attached:
                self.payments.attach(attempt_id, payload["refund_id"])
            if extra_within is not None:
                extra_within(payload)

        return self.sales.refund(
            cashier,
            receipt_no,
            requests,
            mode,
            reason,
            approvals,
            payout=payout if mode == "original" else None,
            within=attach,
        )


def _cash_out(payments: list[dict[str, Any]]) -> int:
    """Cash a refund's payments take out of the drawer (refund amounts are negative)."""
    return -sum(int(p["amount_fen"]) for p in payments if p["tender"] == Tender.CASH.value)
