"""The top-up dialog (储值充值, issue 23): the amount, the bonus rule that applies to it
(充500送50) before the customer pays, then any tender — cash, the card terminal (its texts and
Cancel while it works, as on the tender screen) or a scanned wallet code routed by its prefix
(WeChat Pay, Alipay, 云闪付, 数字人民币).  Online only: the handler refuses offline before any
money moves, and the refusal is shown in both languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.domain.codes import ROUTES, Action, classify
from pos_app.domain.errors import GuitaiError, InvalidInput
from pos_app.domain.money import Money
from pos_app.domain.payments import tender_for_code
from pos_app.domain.tenders import Tender

from ..common.dialogs import Dialog
from ..common.widgets import Keypad, button, label, yuan
from ..qt import QFrame, QHBoxLayout, QLineEdit, QObject, QVBoxLayout, QWidget, Signal
from .desk import MemberDesk

if TYPE_CHECKING:
    from ..session import Session
    from ..views.sale import SaleView


# The scans that pay (WeChat Pay, Alipay, 云闪付, 数字人民币), as the domain routes them.
PAYMENT_CODES = frozenset(k for k, a in ROUTES.items() if a is Action.TAKE_PAYMENT)


class _Texts(QObject):
    # The terminal's texts arrive on the worker thread; Qt queues them to the GUI thread.
    text = Signal(str, str)


def both_languages(err: GuitaiError) -> str:
    """A refusal the customer standing at the till may read too: Chinese, then English."""
    return f"{err.message_zh}\n{err.message}" if err.message_zh else err.message


class TopUpDialog(Dialog):
    """`fill(amount=…)` then OK takes cash; the card button or a scan pays the other ways."""

    def __init__(
        self,
        parent: QWidget,
        session: Session,
        desk: MemberDesk,
        balance_fen: int,
        on_done: Callable[[SaleView], None],
    ) -> None:
        super().__init__(parent, self.tr("Top up stored value"))
        self.setObjectName("top_up")
        self.session = session
        self.desk = desk
        self.on_done = on_done
        self.paying: str | None = None  # the tender of the top-up in progress
        self.availability: dict[str, GuitaiError | None] = {}
        self._asked: int | None = None  # the amount the last bonus preview was asked for
        self._texts = _Texts(self)
        self._texts.text.connect(self.terminal_text)
        self.body.addWidget(
            label(
                self.tr(
                    "Balance now %1. Cash is recorded as a pay-in in the drawer; a card or "
                    "a wallet code is charged through the terminal or the provider. Top-ups "
                    "need the cloud."
                ).replace("%1", yuan(balance_fen)),
                "muted",
                wrap=True,
            )
        )
        self.body.addWidget(label(self.tr("Amount (yuan)")))
        amount = QLineEdit("500")
        amount.setObjectName("field_amount")
        amount.textChanged.connect(self.ask_bonus)
        amount.returnPressed.connect(self.try_accept)
        self.body.addWidget(amount)
        self.edits = {"amount": amount}
        self.bonus = label("", "title", wrap=True)
        self.bonus.setObjectName("topup_bonus")
        self.body.addWidget(self.bonus)
        self.body.addWidget(Keypad(self._key, extra="."))
        row = QHBoxLayout()
        self.card_btn = button(self.tr("Card"), "", self.pay_card)
        self.card_btn.setObjectName("topup_card")
        self.card_btn.setEnabled(False)
        row.addWidget(self.card_btn)
        self.body.addLayout(row)
        self.note = label(
            self.tr(
                "Or scan the customer's payment code: WeChat Pay, Alipay, UnionPay QR "
                "(云闪付) or digital RMB (数字人民币)."
            ),
            "muted",
            wrap=True,
        )
        self.body.addWidget(self.note)
        # While the terminal or the provider works: its texts, and Cancel
        self.working = QFrame()
        self.working.setObjectName("panel")
        wl = QVBoxLayout(self.working)
        self.working_text = label("", "title", wrap=True)
        self.working_text.setObjectName("terminal_text")
        wl.addWidget(self.working_text)
        self.abort_btn = button(self.tr("Cancel payment"), "danger", self.abort)
        wl.addWidget(self.abort_btn)
        self.working.hide()
        self.body.addWidget(self.working)
        self.finish_layout(self.tr("Cash"), self.tr("Cancel"))
        amount.setFocus()
        self.ask_bonus(amount.text())
        session.tender_availability(self.set_availability, self.show_failure)

    # ---- before paying -----------------------------------------------------------------

    def _key(self, k: str) -> None:
        e = self.edits["amount"]
        if k == "⌫":
            e.backspace()
        else:
            e.insert(k)

    def amount_fen(self) -> int | None:
        try:
            fen = Money.parse(self.edits["amount"].text().strip()).fen
        except GuitaiError as e:
            self.show_error(self.session.message(e))
            return None
        if fen <= 0:
            self.show_error(self.tr("The amount must be more than zero."))
            return None
        return fen

    def ask_bonus(self, text: str) -> None:
        try:
            fen = Money.parse(text.strip()).fen
        except GuitaiError:
            fen = 0
        self._asked = fen if fen > 0 else None
        if self._asked is None:
            self.bonus.setText("")
            return
        self.desk.topup_preview(fen, self.show_bonus, lambda _e: None)

    def show_bonus(self, preview: dict[str, Any]) -> None:
        if preview.get("amount_fen") != self._asked:
            return  # the amount changed since: its own preview follows
        rule = preview.get("rule")
        if rule is None or not preview.get("bonus_fen"):
            self.bonus.setText(self.tr("No bonus rule applies to this amount."))
            return
        name = rule.get("name") or rule.get("id") or ""
        self.bonus.setText(
            self.tr("%1: bonus %2")
            .replace("%1", str(name))
            .replace("%2", yuan(preview["bonus_fen"]))
        )

    def set_availability(self, avail: dict[str, GuitaiError | None]) -> None:
        self.availability = dict(avail)
        err = avail.get(Tender.CARD.value, InvalidInput("not configured", "未配置"))
        self.card_btn.setEnabled(err is None and self.paying is None)
        self.card_btn.setToolTip("" if err is None else self.session.message(err))

    # ---- paying ------------------------------------------------------------------------

    def try_accept(self) -> None:
        self.start("cash", None)

    def pay_card(self) -> None:
        self.start(Tender.CARD.value, None)

    def scanned(self, code: str) -> None:
        """A wallet's payment code pays by its prefix, as on the tender screen."""
        if self.paying is not None:
            return
        code = code.strip()
        tender = tender_for_code(code) if classify(code).kind in PAYMENT_CODES else None
        if tender is None:
            self.show_error(
                both_languages(
                    InvalidInput(
                        "This is not a payment code of WeChat Pay (10–15…), Alipay (25–30…), "
                        "UnionPay QR (62…) or digital RMB (01…): scan the customer's code again",
                        "不是微信（10–15 开头）、支付宝（25–30 开头）、云闪付（62 开头）或"
                        "数字人民币（01 开头）付款码：请重新扫顾客的付款码",
                    )
                )
            )
            return
        known = self.availability.get(tender)
        if known is not None:
            self.show_error(both_languages(known))
            return
        self.start(tender, code)

    def start(self, tender: str, code: str | None) -> None:
        if self.paying is not None:
            return
        fen = self.amount_fen()
        if fen is None:
            return
        self.show_error("")
        self.paying = tender
        name = Tender(tender).label_zh if self.session.lang.startswith("zh") else tender
        self.working_text.setText(
            self.tr("%1: %2 — follow the terminal").replace("%1", name).replace("%2", yuan(fen))
        )
        self.abort_btn.setEnabled(tender != "cash")
        self.working.show()
        self._enable(False)
        self.desk.top_up(
            fen, self.topped_up, self.show_failure, tender, code, self._texts.text.emit
        )

    def terminal_text(self, en: str, zh: str) -> None:
        if self.paying is not None:
            self.working_text.setText(zh if self.session.lang.startswith("zh") else en)

    def abort(self) -> None:
        if self.paying is None or self.paying == "cash":
            return
        self.abort_btn.setEnabled(False)
        self.working_text.setText(self.tr("Cancelling…"))
        # the charge itself then fails (show_failure); a failed abort only says so
        self.session.abort_payment(
            Tender(self.paying), lambda e: self.show_error(both_languages(e))
        )

    def _enable(self, on: bool) -> None:
        self.ok_btn.setEnabled(on)
        self.cancel_btn.setEnabled(on)
        self.edits["amount"].setEnabled(on)
        card = self.availability.get(Tender.CARD.value, InvalidInput("", ""))
        self.card_btn.setEnabled(on and card is None)

    def topped_up(self, view: SaleView) -> None:
        self.paying = None
        self.accept()
        self.on_done(view)

    def show_failure(self, err: GuitaiError) -> None:
        self.paying = None
        self.working.hide()
        self._enable(True)
        self.show_error(both_languages(err))

    def reject(self) -> None:
        if self.paying is None:  # never closed while money is being taken
            super().reject()
