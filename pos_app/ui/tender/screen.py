"""Tender: split payments, the cash keypad with quick notes, change in large type; card,
WeChat Pay and Alipay through the checkout (enabled when the terminal or provider answers,
greyed with the reason otherwise); a scanned payment code pays by its prefix."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from pos_app.domain.codes import ROUTES, Action, classify
from pos_app.domain.errors import GuitaiError, InvalidInput
from pos_app.domain.money import Money
from pos_app.domain.payments import tender_for_code
from pos_app.domain.tenders import Tender, quick_amounts

from ..common.widgets import Keypad, button, label, panel, restyle, yuan
from ..qt import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLineEdit,
    QListWidget,
    QObject,
    QPushButton,
    QShortcut,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ..session import PAYMENT_TENDERS
from ..views.sale import SaleView

# The scans that pay (WeChat Pay, Alipay, 云闪付, 数字人民币), as the domain routes them.
PAYMENT_CODES = frozenset(k for k, a in ROUTES.items() if a is Action.TAKE_PAYMENT)

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell


class _Texts(QObject):
    # The terminal's texts arrive on the worker thread; Qt queues them to the GUI thread.
    text = Signal(str, str)


class TenderScreen(QWidget):
    """Navigation and what the rest of the till shows go out as signals; the window connects
    them."""

    wants_sale = Signal()  # back to the sale (no payment taken)
    wants_new_sale = Signal()  # the next customer
    rendered = Signal(object)  # the SaleView shown (the customer display follows it)
    completed = Signal(object)  # the completed sale's payload, the done page shown
    reprinted = Signal(object)  # (receipt no., printed, text)
    gift_printed = Signal(object)  # (receipt no., printed, text)

    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.shell = shell
        self.session = session
        self.view: SaleView | None = None
        self.paying: Tender | None = None  # a card / wallet payment in progress
        self.awaiting_code: Tender | None = None  # WeChat/Alipay tapped: scan the code now
        self.availability: dict[str, GuitaiError | None] = {}
        self._texts = _Texts(self)
        self._texts.text.connect(self.terminal_text)
        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.stack.addWidget(self._paying())
        self.stack.addWidget(self._done())
        for key, fn in (("Esc", self.back), ("F3", self.cancel_payments)):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)

    # ---- paying ------------------------------------------------------------------------

    def _paying(self) -> QWidget:
        page = QWidget()
        page.setObjectName("screen")
        outer = QHBoxLayout(page)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(16)

        left, llay = panel()
        llay.addWidget(label(self.tr("Amount due"), "totalLabel"))
        self.due = label(yuan(0), "big")
        llay.addWidget(self.due)
        self.due_note = label("", "muted")
        llay.addWidget(self.due_note)
        llay.addWidget(label(self.tr("Payments"), "totalLabel"))
        self.tenders = QListWidget()
        self.tenders.setObjectName("tenders")
        self.tenders.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        llay.addWidget(self.tenders, 1)
        llay.addWidget(label(self.tr("Sale total"), "totalLabel"))
        self.total = label(yuan(0), "title")
        llay.addWidget(self.total)
        self.message = label("", "error", wrap=True)
        llay.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Back to sale  Esc"), "", self.back))
        self.cancel_btn = button(self.tr("Cancel payments  F3"), "danger", self.cancel_payments)
        row.addWidget(self.cancel_btn)
        llay.addLayout(row)
        outer.addWidget(left, 5)

        right, rlay = panel()
        rlay.addWidget(label(self.tr("Cash received"), "totalLabel"))
        self.amount = QLineEdit()
        self.amount.setObjectName("cash_amount")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.returnPressed.connect(self.pay_cash)
        rlay.addWidget(self.amount)
        self.quick = QHBoxLayout()
        self.quick_buttons: list[QPushButton] = []
        rlay.addLayout(self.quick)
        rlay.addWidget(
            Keypad(
                self.key, extra=".", enter_text=self.tr("Take cash  Enter"), on_enter=self.pay_cash
            ),
            1,
        )
        other = QGridLayout()
        self.other: dict[Tender, QPushButton] = {}
        for i, t in enumerate((Tender.CARD, Tender.WECHAT, Tender.ALIPAY)):
            b = button(self.other_name(t) + "\n…", "", partial(self.pay_other, t))
            b.setObjectName(f"pay_{t.value}")
            b.setEnabled(False)
            b.setMinimumHeight(64)
            other.addWidget(b, 0, i)
            self.other[t] = b
        self.other_note = label("", "muted", wrap=True)
        other.addWidget(self.other_note, 1, 0, 1, 3)
        # the member's stored value (储值): online debit, offline only under the caps
        self.sv_btn = button(self.tr("Stored value"), "", self.pay_stored_value)
        self.sv_btn.setObjectName("pay_stored_value")
        self.sv_btn.setMinimumHeight(56)
        self.sv_btn.hide()
        other.addWidget(self.sv_btn, 3, 0, 1, 3)
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
        other.addWidget(self.working, 2, 0, 1, 3)
        rlay.addLayout(other)
        outer.addWidget(right, 4)
        return page

    def other_name(self, t: Tender) -> str:
        names = {
            Tender.CARD: self.tr("Card"),
            Tender.WECHAT: self.tr("WeChat Pay"),
            Tender.ALIPAY: self.tr("Alipay"),
        }
        if t in names:
            return names[t]
        # 云闪付 and 数字人民币 have no button: their scanned codes pay (the domain's names)
        return t.label_zh if self.session.lang.startswith("zh") else t.label_en

    def load(self, view: SaleView) -> None:
        self.stack.setCurrentIndex(0)
        self.message.clear()
        self.awaiting_code = None
        self.show_view(view)
        self.amount.setFocus()
        self.session.tender_availability(self.set_availability, self.show_error)

    def set_availability(self, avail: dict[str, GuitaiError | None]) -> None:
        self.availability = dict(avail)
        notes = []
        for t, b in self.other.items():
            err = avail.get(t.value, InvalidInput("not configured", "未配置"))
            if err is None:
                b.setText(self.other_name(t))
                b.setToolTip("")
            else:
                unset = isinstance(err, InvalidInput)
                b.setText(
                    self.other_name(t)
                    + "\n"
                    + (self.tr("not configured") if unset else self.tr("unavailable"))
                )
                b.setToolTip(self.session.message(err))
                if not unset:
                    notes.append(self.session.message(err))
        self.other_note.setText("\n".join(notes))
        self._enable_other()

    def _enable_other(self) -> None:
        busy = self.paying is not None
        for t, b in self.other.items():
            b.setEnabled(not busy and self.availability.get(t.value, False) is None)

    def show_view(self, view: SaleView) -> None:
        self.view = view
        self.due.setText(yuan(view.cash_due_fen))
        self.due_note.setText(
            self.tr("Cash rounding: %1 off").replace("%1", yuan(view.due_fen - view.cash_due_fen))
            if view.cash_due_fen != view.due_fen
            else ""
        )
        self.total.setText(yuan(view.total_fen))
        self.tenders.clear()
        for t in view.tenders:
            text = f"{self.tender_name(t.tender)}   {yuan(t.amount_fen)}"
            if Tender(t.tender) in PAYMENT_TENDERS:
                text += "   " + self.tr("approved")
            if t.change_fen:
                text += "   " + self.tr("change %1").replace("%1", yuan(t.change_fen))
            self.tenders.addItem(text)
        self.cancel_btn.setEnabled(bool(view.tenders) and self.paying is None)
        m = view.member
        self.sv_btn.setVisible(m is not None)
        if m is not None:
            self.sv_btn.setText(
                self.tr("Stored value  (balance %1)").replace("%1", yuan(m.stored_value_fen))
            )
            self.sv_btn.setEnabled(m.stored_value_fen > 0 and view.due_fen > 0)
        self.amount.clear()
        self.amount.setPlaceholderText(yuan(view.cash_due_fen))
        for b in self.quick_buttons:
            b.deleteLater()
        self.quick_buttons = []
        for fen in quick_amounts(view.cash_due_fen):
            b = button(yuan(fen), "", partial(self.pay, Tender.CASH, fen))
            self.quick.addWidget(b)
            self.quick_buttons.append(b)
        self.rendered.emit(view)

    def tender_name(self, value: str) -> str:
        t = Tender(value)
        return t.label_zh if self.session.lang == "zh" else t.label_en

    def key(self, k: str) -> None:
        if k == "⌫":
            self.amount.backspace()
        else:
            self.amount.insert(k)
        self.amount.setFocus()

    def pay_cash(self) -> None:
        if self.view is not None and self.view.lines and self.view.due_fen <= 0:
            # paid in full but the save failed (shown in red): Enter tries to save again
            self.message.setText(self.tr("Saving…"))
            self.session.complete(self.show_completed, self.show_error)
            return
        text = self.amount.text().strip()
        if not text:
            if self.view is None:
                return
            self.pay(Tender.CASH, self.view.cash_due_fen)
            return
        try:
            fen = Money.parse(text).fen
        except InvalidInput as e:
            self.show_error(e)
            return
        self.pay(Tender.CASH, fen)

    def pay(self, tender: Tender, fen: int) -> None:
        if self.paying is not None:
            return
        self.message.clear()
        self.session.pay(tender, fen, self.paid, self.show_error)

    def pay_stored_value(self) -> None:
        """The typed amount, else what is due up to the balance, from the member's card."""
        view = self.view
        if self.paying is not None or view is None or view.member is None:
            return
        fen = self.typed_or_due()
        if fen is None:
            return
        if not self.amount.text().strip():
            fen = min(fen, view.member.stored_value_fen)
        self.message.setText(self.tr("Stored value: debiting %1…").replace("%1", yuan(fen)))

        def done(v: SaleView) -> None:
            self.message.clear()
            self.paid(v)

        self.session.pay(Tender.STORED_VALUE, fen, done, self.payment_failed)

    # ---- card and payment codes ------------------------------------------------------------

    def typed_or_due(self) -> int | None:
        """The amount typed on the keypad (a split payment), else what is still due."""
        text = self.amount.text().strip()
        if not text:
            return self.view.due_fen if self.view else None
        try:
            return Money.parse(text).fen
        except InvalidInput as e:
            self.show_error(e)
            return None

    def pay_other(self, tender: Tender) -> None:
        if self.paying is not None or self.view is None:
            return
        if tender is Tender.CARD:
            fen = self.typed_or_due()
            if fen:
                self.start_payment(tender, fen, None)
            return
        self.awaiting_code = tender
        self.message.clear()
        self.working_text.setText(
            self.tr("Scan the customer's %1 payment code").replace("%1", self.other_name(tender))
        )
        self.working.show()
        self.abort_btn.setText(self.tr("Back"))

    def scanned(self, code: str) -> None:
        """A scan on the tender screen: a payment code (WeChat Pay, Alipay, 云闪付, 数字人民币)
        pays by its prefix, as `--pay code:…` does on the command line."""
        if self.paying is not None:
            return
        kind = classify(code).kind
        tender = tender_for_code(code.strip()) if kind in PAYMENT_CODES else None
        if tender is None:
            self.message.setText(self.tr("Payment has started: go back (Esc) to add more items."))
            return
        t = Tender(tender)
        if self.availability.get(t.value, False) is not None:
            self.message.setText(
                self.tr("%1 is not available on this till: take another tender.").replace(
                    "%1", self.other_name(t)
                )
            )
            return
        fen = self.typed_or_due()
        if fen:
            self.start_payment(t, fen, code.strip())

    def start_payment(self, tender: Tender, fen: int, code: str | None) -> None:
        self.paying = tender
        self.awaiting_code = None
        self.message.clear()
        self.working_text.setText(
            self.tr("%1: %2 — follow the terminal")
            .replace("%1", self.other_name(tender))
            .replace("%2", yuan(fen))
        )
        self.abort_btn.setText(self.tr("Cancel payment"))
        self.abort_btn.setEnabled(True)
        self.working.show()
        self._enable_other()
        self.cancel_btn.setEnabled(False)
        self.session.pay(
            tender, fen, self.paid, self.payment_failed, code=code, on_text=self._texts.text.emit
        )

    def terminal_text(self, en: str, zh: str) -> None:
        if self.paying is not None:
            self.working_text.setText(zh if self.session.lang == "zh" else en)

    def abort(self) -> None:
        if self.paying is None:
            self.awaiting_code = None
            self.working.hide()
            return
        self.abort_btn.setEnabled(False)
        self.working_text.setText(self.tr("Cancelling…"))
        self.session.abort_payment(self.paying, self.show_error)

    def _payment_over(self) -> None:
        self.paying = None
        self.working.hide()
        self._enable_other()

    def payment_failed(self, err: GuitaiError) -> None:
        self._payment_over()
        if self.view is not None:
            self.cancel_btn.setEnabled(bool(self.view.tenders))
        self.show_error(err)

    def paid(self, view: SaleView) -> None:
        self._payment_over()
        self.show_view(view)
        if view.due_fen <= 0 and view.lines:
            self.message.setText(self.tr("Saving…"))
            self.session.complete(self.show_completed, self.show_error)

    def show_error(self, err: GuitaiError) -> None:
        self.message.setText(self.session.message(err))

    def cancel_payments(self) -> None:
        if self.stack.currentIndex() == 0:
            self.session.cancel_payments(self.show_view, self.show_error)

    def back(self) -> None:
        if self.paying is not None:
            return
        if self.stack.currentIndex() == 1:
            self.wants_new_sale.emit()
            return
        if self.view and self.view.tenders:
            self.message.setText(self.tr("Cancel the payments (F3) before going back."))
            return
        self.wants_sale.emit()

    # ---- done --------------------------------------------------------------------------

    def _done(self) -> QWidget:
        page = QWidget()
        page.setObjectName("screen")
        outer = QHBoxLayout(page)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(16)
        left, lay = panel()
        lay.addStretch(1)
        lay.addWidget(label(self.tr("Change due"), "totalLabel"), 0, Qt.AlignmentFlag.AlignHCenter)
        self.change = label(yuan(0), "huge")
        self.change.setObjectName("huge")
        lay.addWidget(self.change, 0, Qt.AlignmentFlag.AlignHCenter)
        self.receipt_no = label("", "title")
        lay.addWidget(self.receipt_no, 0, Qt.AlignmentFlag.AlignHCenter)
        self.paid_info = label("", "muted")
        lay.addWidget(self.paid_info, 0, Qt.AlignmentFlag.AlignHCenter)
        self.print_note = label("", "muted", wrap=True)
        self.print_note.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.print_note)
        lay.addStretch(1)
        row = QHBoxLayout()
        self.reprint_btn = button(self.tr("Reprint  F8"), "", self.reprint)
        row.addWidget(self.reprint_btn)
        self.gift_btn = button(self.tr("Gift receipt"), "", self.gift)
        row.addWidget(self.gift_btn)
        lay.addLayout(row)
        self.next_btn = button(self.tr("Next customer  Enter"), "pay", self.wants_new_sale.emit)
        lay.addWidget(self.next_btn)
        outer.addWidget(left, 5)
        right, rlay = panel()
        rlay.addWidget(label(self.tr("Receipt"), "totalLabel"))
        from ..qt import QPlainTextEdit

        self.receipt_view = QPlainTextEdit()
        self.receipt_view.setReadOnly(True)
        self.receipt_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        rlay.addWidget(self.receipt_view, 1)
        outer.addWidget(right, 4)
        for key, fn in (("Return", self.wants_new_sale.emit), ("F8", self.reprint)):
            sc = QShortcut(QKeySequence(key), page)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)
        return page

    def show_completed(self, payload: dict[str, Any]) -> None:
        change = sum(int(p.get("change_fen", 0)) for p in payload["payments"])
        self.change.setText(yuan(change))
        self.receipt_no.setText(self.tr("Receipt no. %1").replace("%1", str(payload["receipt_no"])))
        paid = sum(int(p["amount_fen"]) for p in payload["payments"])
        self.paid_info.setText(
            self.tr("Total %1 · received %2")
            .replace("%1", yuan(int(payload["total_fen"])))
            .replace("%2", yuan(paid))
        )
        printed = self.session.printer_ready
        restyle(self.print_note, "muted")
        self.print_note.setText(
            self.tr("Receipt sent to the printer.")
            if printed
            else self.tr("No receipt printer is configured: the receipt is shown here.")
        )
        self.receipt_view.clear()
        self.session.receipt_text(payload, self.receipt_view.setPlainText, self.show_done_error)
        self.stack.setCurrentIndex(1)
        self.next_btn.setFocus()
        self.setFocus()
        self.completed.emit(payload)  # the window says a print problem here, if one came

    def show_print_problem(self, text: str) -> None:
        """A receipt that did not print (paper out …): said on the done page."""
        restyle(self.print_note, "error")
        self.print_note.setText(text)

    def reprint(self) -> None:
        p = self.session.last_payload
        if p is not None:
            self.session.reprint(int(p["receipt_no"]), self._reprinted, self.show_done_error)

    def gift(self) -> None:
        p = self.session.last_payload
        if p is not None:
            self.session.gift_receipt(
                int(p["receipt_no"]), self._gift_printed, self.show_done_error
            )

    def _reprinted(self, result: tuple[int, bool, str]) -> None:
        self.reprinted.emit(result)

    def _gift_printed(self, result: tuple[int, bool, str]) -> None:
        self.gift_printed.emit(result)

    def show_done_error(self, err: GuitaiError) -> None:
        restyle(self.print_note, "error")
        self.print_note.setText(self.session.message(err))
