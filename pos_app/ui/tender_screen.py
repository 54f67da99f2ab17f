"""Tender: split payments, the cash keypad with quick notes, change in large type; card,
WeChat Pay and Alipay stay disabled ("not configured") until the payments service is wired."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import GuitaiError, InvalidInput
from pos_app.domain.money import Money
from pos_app.domain.tenders import Tender

from .qt import (
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLineEdit,
    QListWidget,
    QShortcut,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .session import SaleView
from .widgets import Keypad, button, label, panel, yuan

if TYPE_CHECKING:
    from .main_window import MainWindow

NOTES_FEN = (10_000, 5_000, 2_000, 1_000)


def quick_amounts(due_fen: int) -> list[int]:
    """Exact amount, then the notes a customer is likely to hand over (next ¥10/¥50/¥100…)."""
    out = [due_fen]
    for step in (1_000, 5_000, 10_000, 20_000, 50_000):
        up = -(-due_fen // step) * step
        if up > due_fen and up not in out:
            out.append(up)
    return out[:5]


class TenderScreen(QWidget):
    def __init__(self, win: MainWindow) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.win = win
        self.view: SaleView | None = None
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
        self.quick_buttons: list[Any] = []
        rlay.addLayout(self.quick)
        rlay.addWidget(
            Keypad(
                self.key, extra=".", enter_text=self.tr("Take cash  Enter"), on_enter=self.pay_cash
            ),
            1,
        )
        other = QGridLayout()
        self.other: dict[Tender, Any] = {}
        for i, t in enumerate((Tender.CARD, Tender.WECHAT, Tender.ALIPAY)):
            name = {
                Tender.CARD: self.tr("Card"),
                Tender.WECHAT: self.tr("WeChat Pay"),
                Tender.ALIPAY: self.tr("Alipay"),
            }[t]
            b = button(name + "\n" + self.tr("not configured"), "")
            b.setEnabled(False)
            b.setMinimumHeight(64)
            other.addWidget(b, 0, i)
            self.other[t] = b
        rlay.addLayout(other)
        outer.addWidget(right, 4)
        return page

    def load(self, view: SaleView) -> None:
        self.stack.setCurrentIndex(0)
        self.message.clear()
        self.show_view(view)
        self.amount.setFocus()

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
            if t.change_fen:
                text += "   " + self.tr("change %1").replace("%1", yuan(t.change_fen))
            self.tenders.addItem(text)
        self.cancel_btn.setEnabled(bool(view.tenders))
        self.amount.clear()
        self.amount.setPlaceholderText(yuan(view.cash_due_fen))
        for b in self.quick_buttons:
            b.deleteLater()
        self.quick_buttons = []
        for fen in quick_amounts(view.cash_due_fen):
            b = button(yuan(fen), "", lambda f=fen: self.pay(Tender.CASH, f))
            self.quick.addWidget(b)
            self.quick_buttons.append(b)
        self.win.customer.show_sale(view)

    def tender_name(self, value: str) -> str:
        t = Tender(value)
        return t.label_zh if self.win.session.lang == "zh" else t.label_en

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
            self.win.session.complete(self.completed, self.show_error)
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
        self.message.clear()
        self.win.session.pay(tender, fen, self.paid, self.show_error)

    def paid(self, view: SaleView) -> None:
        self.show_view(view)
        if view.due_fen <= 0 and view.lines:
            self.message.setText(self.tr("Saving…"))
            self.win.session.complete(self.completed, self.show_error)

    def show_error(self, err: GuitaiError) -> None:
        self.message.setText(self.win.session.message(err))

    def cancel_payments(self) -> None:
        if self.stack.currentIndex() == 0:
            self.win.session.cancel_payments(self.show_view, self.show_error)

    def back(self) -> None:
        if self.stack.currentIndex() == 1:
            self.win.new_sale()
            return
        if self.view and self.view.tenders:
            self.message.setText(self.tr("Cancel the payments (F3) before going back."))
            return
        self.win.show_sale()

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
        self.next_btn = button(self.tr("Next customer  Enter"), "pay", self.win.new_sale)
        lay.addWidget(self.next_btn)
        outer.addWidget(left, 5)
        right, rlay = panel()
        rlay.addWidget(label(self.tr("Receipt"), "totalLabel"))
        from .qt import QPlainTextEdit

        self.receipt_view = QPlainTextEdit()
        self.receipt_view.setReadOnly(True)
        self.receipt_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        rlay.addWidget(self.receipt_view, 1)
        outer.addWidget(right, 4)
        sc = QShortcut(QKeySequence("Return"), page)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(self.win.new_sale)
        return page

    def completed(self, payload: dict[str, Any]) -> None:
        change = sum(int(p.get("change_fen", 0)) for p in payload["payments"])
        self.change.setText(yuan(change))
        self.receipt_no.setText(self.tr("Receipt no. %1").replace("%1", str(payload["receipt_no"])))
        paid = sum(int(p["amount_fen"]) for p in payload["payments"])
        self.paid_info.setText(
            self.tr("Total %1 · received %2")
            .replace("%1", yuan(int(payload["total_fen"])))
            .replace("%2", yuan(paid))
        )
        printed = self.win.session.till.reads.printer_configured
        self.print_note.setText(
            self.tr("Receipt sent to the printer.")
            if printed
            else self.tr("No receipt printer is configured: the receipt is shown here.")
        )
        self.receipt_view.setPlainText(self.win.session.receipt_text(payload))
        self.stack.setCurrentIndex(1)
        self.next_btn.setFocus()
        self.setFocus()
        self.win.customer.show_done(payload)
