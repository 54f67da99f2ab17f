"""Returns: find the original by receipt number or by scanning its e-receipt QR (paper or the
customer's phone; the verdict — genuine, altered, unknown till — is shown), choose lines and
quantities, refund to the original tender (card / wallet through the checkout) or cash.
While the card terminal works on a refund its own texts show, with Cancel refund; the outcome
(done, or not done and why, or not confirmed) stays on the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_app.domain.digits import is_digits
from pos_app.domain.errors import GuitaiError, NeedsApproval
from pos_app.domain.payments import PaymentDeclined, PaymentUnavailable, PaymentUnknown
from pos_app.domain.return_rules import APPROVAL_ACTION, STORE_CREDIT
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Approval
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.tenders import Tender
from pos_app.services.exchanging import line_status

from ..common.widgets import button, label, panel, restyle, yuan
from ..qt import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLineEdit,
    QObject,
    QShortcut,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .exchange import ExchangePanel
from .no_receipt import NoReceiptPanel
from .store_credit import StoreCreditEntry

ORIGINAL_TENDERS = {"card", "wechat", "alipay", "unionpay", "ecny"}

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell


class _Texts(QObject):
    # The terminal's texts arrive on the worker thread; Qt queues them to the GUI thread.
    text = Signal(str, str)


class ReturnsScreen(QWidget):
    """Navigation goes out as signals; the window connects them."""

    wants_sale = Signal()
    refunded = Signal(object)  # the refund's payload

    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.shell = shell
        self.session = session
        self.refunding: str | None = None  # the tender paying back while the terminal works
        self._texts = _Texts(self)
        self._texts.text.connect(self.terminal_text)
        self.original: dict[str, Any] | None = None
        self.gift = False  # opened from a gift receipt's QR: exchanges only, no money back
        self.sold_at: SoldAt | None = None  # a scanned receipt of another till or store
        self.spins: list[tuple[dict[str, Any], QSpinBox]] = []
        outer = QHBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(16)

        left, llay = panel()
        llay.addWidget(label(self.tr("Return goods"), "title"))
        row = QHBoxLayout()
        self.receipt = QLineEdit()
        self.receipt.setObjectName("receipt_no")
        self.receipt.setPlaceholderText(self.tr("Receipt number of the sale"))
        self.receipt.returnPressed.connect(self.find_receipt)
        row.addWidget(self.receipt, 1)
        row.addWidget(button(self.tr("Find"), "primary", self.find_receipt))
        llay.addLayout(row)
        self.verdict = label("", "muted", wrap=True)
        self.verdict.setObjectName("verdict")
        llay.addWidget(self.verdict)
        self.info = label("", "muted", wrap=True)
        llay.addWidget(self.info)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("return_lines")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Item"),
                self.tr("Sold"),
                self.tr("Paid each"),
                self.tr("Can return"),
                self.tr("Return"),
                self._t("Until / why not", "退换期限"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(56)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(4, 120)
        llay.addWidget(self.table, 1)
        self.exchange = ExchangePanel(shell, session, lambda: self.reason.text().strip())
        self.exchange.finished.connect(self.exchanged)
        self.exchange.closed.connect(self.recalc)
        llay.addWidget(self.exchange)
        self.no_receipt = NoReceiptPanel(shell, session, lambda: self.reason.text().strip())
        self.no_receipt.finished.connect(self.done)
        llay.addWidget(self.no_receipt)
        outer.addWidget(left, 3)

        right, rlay = panel()
        rlay.addWidget(label(self.tr("Refund"), "totalLabel"))
        self.amount = label(yuan(0), "big")
        rlay.addWidget(self.amount)
        rlay.addWidget(label(self.tr("Reason")))
        self.reason = QLineEdit()
        self.reason.setObjectName("return_reason")
        self.reason.setPlaceholderText(self.tr("e.g. wrong size"))
        rlay.addWidget(self.reason)
        rlay.addWidget(label(self.tr("Refund to")))
        self.orig_btn = button(self.tr("Original payment"), "", lambda: self.set_mode("original"))
        self.orig_btn.setCheckable(True)
        self.orig_btn.setEnabled(False)
        self.cash_btn = button(self.tr("Cash"), "", lambda: self.set_mode("cash"))
        self.cash_btn.setCheckable(True)
        self.cash_btn.setChecked(True)
        tenders = QHBoxLayout()  # side by side: with store credit the screen still fits 1024×768
        tenders.addWidget(self.orig_btn)
        tenders.addWidget(self.cash_btn)
        rlay.addLayout(tenders)
        self.credit_btn = button(
            self._t("Store credit", "退至储值"), "", lambda: self.set_mode(STORE_CREDIT)
        )
        self.credit_btn.setObjectName("store_credit_btn")
        self.credit_btn.setCheckable(True)
        rlay.addWidget(self.credit_btn)
        self.credit = StoreCreditEntry(self._t, lambda: self.recalc())
        self.credit.hide()
        rlay.addWidget(self.credit)
        self.mode = "cash"
        self.message = label("", "error", wrap=True)
        rlay.addWidget(self.message)
        self.outcome = label("", "ok", wrap=True)
        rlay.addWidget(self.outcome)
        # While the card terminal works on the refund: its own texts, and Cancel
        self.working = QFrame()
        self.working.setObjectName("panel")
        wl = QVBoxLayout(self.working)
        self.working_text = label("", "title", wrap=True)
        self.working_text.setObjectName("refund_terminal_text")
        wl.addWidget(self.working_text)
        self.abort_btn = button(self.tr("Cancel refund"), "danger", self.abort)
        wl.addWidget(self.abort_btn)
        self.working.hide()
        rlay.addWidget(self.working)
        rlay.addStretch(1)
        self.refund_btn = button(self.tr("Refund"), "pay", self.refund)
        self.refund_btn.setEnabled(False)
        rlay.addWidget(self.refund_btn)
        self.exchange_btn = button(self._t("Exchange", "换货"), "", self.start_exchange)
        self.exchange_btn.setObjectName("exchange_btn")
        self.exchange_btn.setEnabled(False)
        self.back_btn = button(self.tr("Back  Esc"), "", self.back)
        bottom = QHBoxLayout()  # side by side: the screen still fits 1024×768
        bottom.addWidget(self.exchange_btn)
        self.no_receipt_btn = button(self._t("No receipt", "无小票退货"), "", self.no_receipt.start)
        self.no_receipt_btn.setObjectName("no_receipt_btn")
        bottom.addWidget(self.no_receipt_btn)
        bottom.addWidget(self.back_btn)
        rlay.addLayout(bottom)
        outer.addWidget(right, 2)
        sc = QShortcut(QKeySequence("Esc"), self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(self.back)

    def back(self) -> None:
        if self.refunding is None:  # never leave while the terminal is paying back
            self.wants_sale.emit()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.orig_btn.setChecked(mode == "original")
        self.cash_btn.setChecked(mode == "cash")
        self.credit_btn.setChecked(mode == STORE_CREDIT)
        self.credit.setVisible(mode == STORE_CREDIT)
        self.recalc()

    def _t(self, en: str, zh: str) -> str:
        return zh if self.session.lang == "zh" else en

    def load(self) -> None:
        self.outcome.clear()
        self.exchange.cancel()
        self.no_receipt.cancel()
        self.gift = False
        self.original = None
        self.sold_at = None
        self.receipt.clear()
        self.reason.clear()
        self.info.clear()
        self.verdict.clear()
        self.orig_btn.setEnabled(False)
        self.credit.clear()
        self.set_mode("cash")
        self.message.clear()
        self.table.setRowCount(0)
        self.spins = []
        self.recalc()
        self.receipt.setFocus()

    def find_receipt(self) -> None:
        text = self.receipt.text().strip().lstrip("#")
        if not is_digits(text):
            self.message.setText(self.tr("Type the receipt number (digits only)."))
            return
        self.message.clear()
        self.gift = False
        self.sold_at = None  # a typed number is this till's receipt
        self.session.original(int(text), self.show_original, self.show_error)

    def scanned(self, code: str) -> None:
        """A scan on this screen: a receipt number, or an e-receipt QR to verify and open."""
        if self.refunding is not None:
            return  # the terminal is paying back the receipt on screen
        for side in (self.exchange, self.no_receipt):  # an exchange's or no receipt's goods
            if side.active:
                side.scanned(code)
                return
        text = code.strip()
        if is_digits(text.lstrip("#")) and len(text) < 10:
            self.receipt.setText(text)
            self.find_receipt()
            return
        self.receipt.clear()
        self.message.clear()
        self.verdict.setText(self.tr("Checking the receipt…"))
        self.session.verify_scan(text, self.show_verdict, self.show_error)

    def show_verdict(self, v: dict[str, Any]) -> None:
        self.gift = False
        genuine = v["verdict"] == "genuine"
        restyle(self.verdict, "ok" if genuine else "error")
        msg = v["message_zh"] if self.session.lang == "zh" else v["message"]
        if v.get("receipt_no") is not None:
            msg = self.tr("Receipt %1: ").replace("%1", str(v["receipt_no"])) + msg
        self.verdict.setText(msg)
        where = v.get("sold_at")
        self.sold_at = None
        if where and v.get("original") is not None:
            self.sold_at = SoldAt(
                where.get("till_no"),
                where.get("store_id"),
                where.get("ereceipt"),
                where.get("proof"),  # another store's receipt taken offline: what it proves
            )
        if v.get("original") is not None:
            self.receipt.setText(str(v["receipt_no"]))
            self.show_original(v["original"])
            self.gift = bool(v.get("gift"))
            if self.gift:  # no money back: store credit or an exchange
                self.set_mode(STORE_CREDIT)
        else:
            self.original = None
            self.table.setRowCount(0)
            self.spins = []
            self.recalc()

    def show_original(self, p: dict[str, Any]) -> None:
        self.original = p
        wallet = [
            str(x["tender"]) for x in p.get("payments", []) if x["tender"] in ORIGINAL_TENDERS
        ]
        self.orig_btn.setEnabled(bool(wallet))
        self.orig_btn.setText(
            self.tr("Original payment")
            + (" (" + ", ".join(self.tender_name(t) for t in wallet) + ")" if wallet else "")
        )
        self.set_mode("original" if wallet else "cash")
        self.info.setText(
            self.tr("Receipt %1 · %2 · cashier %3 · total %4")
            .replace("%1", str(p["receipt_no"]))
            .replace("%2", self.session.local(str(p["completed_at"]), "%Y-%m-%d %H:%M"))
            .replace("%3", str(p["cashier"]))
            .replace("%4", yuan(int(p["total_fen"])))
            + self.sold_where(p)
        )
        self.table.setRowCount(len(p["lines"]))
        self.spins = []
        for i, ln in enumerate(p["lines"]):
            each = int(ln["amount_fen"]) // max(1, int(ln["qty"]))
            for c, v in enumerate(
                (str(ln["name"]), str(ln["qty"]), yuan(each), str(ln["returnable_qty"]))
            ):
                item = QTableWidgetItem(v)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, c, item)
            spin = QSpinBox()
            # nothing chosen until the cashier chooses: one tap never refunds the whole bill
            spin.setRange(0, int(ln["returnable_qty"]))
            spin.setValue(0)
            spin.valueChanged.connect(lambda _v: self.recalc())
            self.table.setCellWidget(i, 4, spin)
            self.spins.append((ln, spin))
        self.recalc()
        self.session.call(
            lambda: line_status(self.session.till.sales, p), self.show_status, self.show_error
        )

    def show_status(self, statuses: list[dict[str, Any]]) -> None:
        """Per line: returnable until when, or why not (the brand's return rules)."""
        by_line = {int(st["line_no"]): st for st in statuses}
        for i, (ln, spin) in enumerate(self.spins):
            st = by_line.get(int(ln["line_no"]))
            if st is None:
                continue
            why = st["why_not_zh"] if self.session.lang == "zh" else st["why_not"]
            if why:
                text = why + (
                    self._t(" (manager)", "（需店长授权）") if st["needs_approval"] else ""
                )
            elif st["until"]:
                text = self._t("until %1", "%1 前").replace("%1", str(st["until"]))
            else:
                text = ""
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            self.table.setItem(i, 5, item)
            if why and not st["needs_approval"]:
                spin.setRange(0, 0)  # not returnable at all: nothing to choose

    def sold_where(self, p: dict[str, Any]) -> str:
        """Where a scanned receipt of another till or store was sold (issue 20)."""
        where = p.get("_sold_at")
        if not where:
            return ""
        return "\n" + (
            self.tr("Sold at store %1, till %2")
            .replace("%1", str(where.get("store_id") or ""))
            .replace("%2", str(where.get("till_no") or ""))
        )

    def requests(self) -> list[ReturnRequest]:
        return [
            ReturnRequest(int(ln["line_no"]), spin.value())
            for ln, spin in self.spins
            if spin.value()
        ]

    def recalc(self) -> None:
        # Shown figure: the share of each line's paid amount; the service computes the exact
        # refund (with its rounding) and that is what the receipt shows.
        fen = 0
        for ln, spin in self.spins:
            q = spin.value()
            if q:
                fen += int(ln["amount_fen"]) * q // int(ln["qty"])
        self.amount.setText(yuan(fen))
        chosen = bool(self.requests()) and self.refunding is None
        credit = self.mode == STORE_CREDIT
        ready = not credit or bool(self.credit.number())
        self.refund_btn.setEnabled(chosen and ready and (credit or not self.gift))
        self.exchange_btn.setEnabled(chosen and not self.exchange.active)

    def start_exchange(self) -> None:
        if self.original is None or not self.requests() or self.refunding is not None:
            return
        self.exchange_btn.setEnabled(False)
        self.refund_btn.setEnabled(False)
        self.exchange.start(
            int(self.original["receipt_no"]), self.requests(), self.gift, self.sold_at
        )

    def exchanged(self, done: dict[str, Any]) -> None:
        refund, sale = done["refund"], done["sale"]
        diff = int(done["difference_fen"])
        text = (
            self._t(
                "Exchange done: refund no. %1, sale no. %2, difference %3.",
                "换货完成：退货单 %1，销售单 %2，差价 %3。",
            )
            .replace("%1", str(refund["receipt_no"]))
            .replace("%2", str(sale["receipt_no"]))
            .replace("%3", yuan(diff) if diff >= 0 else "-" + yuan(-diff))
        )
        self.shell.flash(text)
        self.load()
        self.outcome.setText(text)
        self.session.receipt_text(sale, self.info.setText, self.show_error)

    def refund(self, approvals: list[Approval] | None = None) -> None:
        if self.original is None or not self.requests() or self.refunding is not None:
            return
        no = int(self.original["receipt_no"])

        def err(e: GuitaiError) -> None:
            self._refund_over()
            if isinstance(e, NeedsApproval):
                self.shell.ask_approval(
                    APPROVAL_ACTION, e, self.reason.text(), lambda a: self.refund([a])
                )
            else:
                self.refund_failed(e)

        self.refund_btn.setEnabled(False)
        self.message.clear()
        self.outcome.clear()
        card = self.mode == "original" and any(
            p["tender"] == Tender.CARD.value for p in self.original.get("payments", [])
        )
        if card:
            self.refunding = Tender.CARD.value
            self.working_text.setText(
                self.tr("Refund to the card — follow the terminal (%1)").replace(
                    "%1", self.amount.text()
                )
            )
            self.abort_btn.setEnabled(True)
            self.working.show()
            self.back_btn.setEnabled(False)
        self.session.refund(
            no,
            self.requests(),
            self.reason.text().strip(),
            approvals or [],
            self.done,
            err,
            mode=self.mode,
            on_text=self._texts.text.emit if card else None,
            gift=self.gift,
            sold_at=self.sold_at,
            credit_phone=self.credit.number(),
            consent=self.credit.consent.isChecked(),
        )

    def terminal_text(self, en: str, zh: str) -> None:
        if self.refunding is not None and self.abort_btn.isEnabled():
            self.working_text.setText(zh if self.session.lang == "zh" else en)

    def abort(self) -> None:
        """Cancel refund: the terminal is told to abort (on the side thread: the worker is
        busy with the refund); the refund then ends as not done."""
        if self.refunding is None:
            return
        self.abort_btn.setEnabled(False)
        self.working_text.setText(self.tr("Cancelling…"))
        self.session.abort_payment(Tender(self.refunding), self.show_error)

    def _refund_over(self) -> None:
        self.refunding = None
        self.working.hide()
        self.back_btn.setEnabled(True)

    def refund_failed(self, e: GuitaiError) -> None:
        """Say plainly whether money went back: a declined or cancelled refund paid nothing
        and recorded no return; an unconfirmed one must not be tried again before recovery."""
        why = self.session.message(e)
        if isinstance(e, (PaymentDeclined, PaymentUnavailable)):
            text = self.tr(
                "Refund not done: nothing was paid back and the return is not recorded. "
                "Try again, or refund cash."
            )
        elif isinstance(e, PaymentUnknown):
            text = self.tr(
                "The terminal did not confirm the refund. Do not refund again: the technician "
                "checks it with “guitai payments recover”."
            )
        else:
            self.show_error(e)
            return
        self.recalc()
        self.message.setText(text + "\n" + why)

    def tender_name(self, value: str) -> str:
        t = Tender(value)
        return t.label_zh if self.session.lang == "zh" else t.label_en

    def done(self, payload: dict[str, Any]) -> None:
        self._refund_over()
        paid = "、".join(
            f"{self.tender_name(str(p['tender']))} {yuan(abs(int(p['amount_fen'])))}"
            for p in payload["payments"]
        )
        text = (
            self.tr("Refund done: receipt no. %1, paid back: %2.")
            .replace("%1", str(payload["receipt_no"]))
            .replace("%2", paid)
        )
        self.shell.flash(text)
        self.refunded.emit(payload)
        self.load()
        self.outcome.setText(text)
        self.info.clear()
        self.session.receipt_text(payload, self.info.setText, self.show_error)

    def show_error(self, e: GuitaiError) -> None:
        self.recalc()
        self.message.setText(self.session.message(e))
