"""Taking payment for a sale and giving it back: cash in the drawer, cards through the
terminal, WeChat Pay / Alipay through the providers (pos_app.services.payments).

House rule 3: the one device call before a commit is payment.  A card or wallet approval is
persisted by the payment service before and after the call; it is attached to the sale inside
the sale's own transaction (pos_app.services.handlers), and if the sale is abandoned it is
reversed, never kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.domain.commands import CompleteSale, RefundWithoutReceipt
from pos_app.domain.errors import GuitaiError, InvalidInput, RuleViolation
from pos_app.domain.money import CashRounding, format_fen
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Approval, Sale, Sellable
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.tenders import PAYMENT_TENDERS, Tender, TenderLine
from pos_app.domain.users import User

from .handlers.no_receipt import refund_without_receipt
from .handlers.refunds import refund_sale
from .handlers.sales import complete_sale
from .payments import PaymentService
from .selling import SaleService, refund_command

if TYPE_CHECKING:  # services.members imports this module
    from .members.ledger import MemberLedger
    from .members.returns import MemberReturns

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
        """card / wechat / alipay / unionpay / ecny → None when it can be taken now, else why
        not."""
        out: dict[str, GuitaiError | None] = {}
        # 云闪付 and 数字人民币 too: the tender screen takes their scanned codes (issue 23)
        for t in (Tender.CARD, Tender.WECHAT, Tender.ALIPAY, Tender.UNIONPAY, Tender.ECNY):
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

    def complete(self, sale: Sale, ledger: MemberLedger | None = None) -> dict[str, Any]:
        """Commit the sale with its card and wallet approvals attached; `ledger`: the member
        ledger books its member side too (docs/members.md)."""
        cmd = CompleteSale(sale, tuple(self._attempt_ids(sale)))
        return complete_sale(cmd, self.sales.deps, ledger)

    def abandon(self, sale: Sale) -> None:
        """The customer walked away after paying part by card or wallet: give it back."""
        ids = self._attempt_ids(sale)
        if ids:
            self.payments.void_unattached(ids)
        sale.tenders.clear()

    def refund(
        self,
        cashier: User,
        receipt_no: int,
        requests: list[ReturnRequest] | None,
        mode: str = "cash",
        reason: str = "",
        approvals: list[Approval] | None = None,
        on_text: TextCallback | None = None,
        member: MemberReturns | None = None,
        *,
        quality: bool = False,
        gift: bool = False,
        sold_at: SoldAt | None = None,
        credit_to: str | None = None,
    ) -> dict[str, Any]:
        """A refund with card and wallet money given back ("original") and the cash checked
        against the drawer (pos_app.services.handlers.refunds); `member`: its member side;
        `quality`, `gift`: as the return rules judge them (pos_app.domain.return_rules);
        `sold_at`: the sale is another till's; `credit_to`: the member a store credit goes to."""
        return refund_sale(
            refund_command(
                cashier,
                receipt_no,
                requests,
                mode,
                reason,
                approvals,
                quality=quality,
                gift=gift,
                sold_at=sold_at,
                credit_to=credit_to,
            ),
            self.sales.deps,
            tenders=self._payments,
            member=member,
            on_text=on_text,
        )

    def refund_without_receipt(
        self,
        cmd: RefundWithoutReceipt,
        today_price: Callable[[Sellable], int],
        member: MemberReturns | None = None,
    ) -> dict[str, Any]:
        """A return without a receipt (pos_app.services.handlers.no_receipt), its cash
        checked against the drawer; `today_price`: a unit's price today after promotions."""
        return refund_without_receipt(
            cmd,
            self.sales.deps,
            self.sales.lookup,
            today_price,
            tenders=self._payments,
            member=member,
        )
