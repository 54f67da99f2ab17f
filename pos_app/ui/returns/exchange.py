"""Exchange (换货) on the returns screen: after the returned lines are chosen, the new items
are scanned here; the difference is paid (cash or card) or the balance refunded (cash or the
original payment), and the exchange commits as one (pos_app.services.exchanging).  A rule
that needs a manager asks for the approval and retries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import GuitaiError, NeedsApproval
from pos_app.domain.return_rules import APPROVAL_ACTION
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Approval
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.tenders import Tender
from pos_app.services.exchanging import (
    exchange_command,
    preview,
    settle_exchange,
    start_exchange,
)
from pos_app.services.members.checkout import MemberCheckout, PayStep

from ..common.widgets import button, label, yuan
from ..qt import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    Signal,
)

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell


class ExchangePanel(QFrame):
    """Shown by the returns screen's Exchange button; `finished` carries the exchange's
    {"refund", "sale", "difference_fen"}."""

    finished = Signal(object)
    closed = Signal()

    def __init__(self, shell: Shell, session: Session, reason: Callable[[], str]) -> None:
        super().__init__()
        self.setObjectName("exchange_panel")
        self.shell = shell
        self.session = session
        self.reason = reason
        self.mc: MemberCheckout | None = None
        self.receipt_no = 0
        self.requests: list[ReturnRequest] = []
        self.gift = False
        self.sold_at: SoldAt | None = None  # another till's or store's sale
        self.diff = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 8, 0, 0)
        lay.addWidget(label(self.t("Exchange: scan the new items", "换货：请扫描新商品"), "title"))
        self.items = QTableWidget(0, 3)
        self.items.setObjectName("exchange_items")
        self.items.setHorizontalHeaderLabels(
            [self.t("New item", "新商品"), self.t("Qty", "数量"), self.t("Amount", "金额")]
        )
        self.items.verticalHeader().hide()
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.items.setMaximumHeight(150)  # the returned lines above keep their room
        lay.addWidget(self.items)
        self.difference = label("", "title", wrap=True)
        self.difference.setObjectName("exchange_difference")
        lay.addWidget(self.difference)
        row = QHBoxLayout()
        self.pay_cash_btn = button(self.t("Take cash", "收现金"), "pay", self.pay_cash)
        self.pay_card_btn = button(self.t("Card", "刷卡"), "", self.pay_card)
        self.refund_cash_btn = button(
            self.t("Refund cash", "退现金"), "pay", lambda: self.settle((), "cash")
        )
        self.refund_orig_btn = button(
            self.t("To the original payment", "原路退回"), "", lambda: self.settle((), "original")
        )
        self.even_btn = button(self.t("Complete exchange", "完成换货"), "pay", self.settle)
        self.cancel_btn = button(self.t("Cancel exchange", "取消换货"), "", self.cancel)
        for b in (
            self.pay_cash_btn,
            self.pay_card_btn,
            self.refund_cash_btn,
            self.refund_orig_btn,
            self.even_btn,
            self.cancel_btn,
        ):
            row.addWidget(b)
        lay.addLayout(row)
        self.message = label("", "error", wrap=True)
        self.message.setObjectName("exchange_message")
        lay.addWidget(self.message)
        self.hide()
        self.show_difference(None)

    def t(self, en: str, zh: str) -> str:
        return zh if self.session.lang == "zh" else en

    @property
    def active(self) -> bool:
        return self.isVisible() or self.mc is not None

    def start(
        self,
        receipt_no: int,
        requests: list[ReturnRequest],
        gift: bool,
        sold_at: SoldAt | None = None,
    ) -> None:
        """The new sale, with the original's member on it, on the worker.  `sold_at`: the
        scanned receipt is another till's or store's (its sale found as a return finds it)."""
        user = self.session.user
        if user is None:
            return
        till = self.session.till
        self.receipt_no, self.requests, self.gift = receipt_no, requests, gift
        self.sold_at = sold_at
        self.message.clear()
        self.items.setRowCount(0)
        self.show()

        def job() -> MemberCheckout:
            return start_exchange(till.members(), till.checkout, user, receipt_no, sold_at)

        def ok(mc: MemberCheckout) -> None:
            self.mc = mc
            self.show_difference(None)

        self.session.call(job, ok, self.show_error)

    def scanned(self, code: str) -> None:
        mc = self.mc
        if mc is None:
            return
        till = self.session.till
        receipt_no, requests, sold_at = self.receipt_no, list(self.requests), self.sold_at

        def job() -> tuple[list[tuple[str, int, int]], dict[str, Any]]:
            till.sales.scan(mc.sale, code.strip())
            mc.reprice()
            lines = [(ln.name, ln.qty, ln.net_fen) for ln in mc.sale.lines]
            return lines, preview(mc, receipt_no, requests, sold_at)

        def ok(r: tuple[list[tuple[str, int, int]], dict[str, Any]]) -> None:
            lines, figures = r
            self.items.setRowCount(len(lines))
            for i, (name, qty, fen) in enumerate(lines):
                for c, v in enumerate((name, str(qty), yuan(fen))):
                    self.items.setItem(i, c, QTableWidgetItem(v))
            self.show_difference(figures)

        self.message.clear()
        self.session.call(job, ok, self.show_error)

    def show_difference(self, figures: dict[str, Any] | None) -> None:
        self.diff = int(figures["difference_fen"]) if figures else 0
        ready = figures is not None
        if not ready:
            self.difference.setText(self.t("Scan the new items", "请扫描新商品"))
        elif self.diff > 0:
            self.difference.setText(
                self.t("To pay: %1", "需补差价：%1").replace("%1", yuan(self.diff))
            )
        elif self.diff < 0:
            self.difference.setText(
                self.t("To refund: %1", "需退差价：%1").replace("%1", yuan(-self.diff))
            )
        else:
            self.difference.setText(self.t("Even exchange: nothing to pay", "等价换货，无需付款"))
        # only the way this difference is settled is offered; a gift receipt gives no money
        # back (the rules say why if it is tried)
        for b, on in (
            (self.pay_cash_btn, self.diff > 0),
            (self.pay_card_btn, self.diff > 0),
            (self.refund_cash_btn, self.diff < 0 and not self.gift),
            (self.refund_orig_btn, self.diff < 0 and not self.gift),
            (self.even_btn, self.diff == 0),
        ):
            b.setEnabled(ready and on)
            b.setVisible(ready and on)
        if ready and self.diff < 0 and self.gift:
            self.message.setText(
                self.t(
                    "A gift receipt gives no money back: add items worth at least the returned ones",
                    "礼品小票不能退款：请再选不低于退回金额的商品",
                )
            )

    def pay_cash(self) -> None:
        self.settle([PayStep(Tender.CASH, self.diff)])

    def pay_card(self) -> None:
        self.settle([PayStep(Tender.CARD, self.diff)])

    def settle(
        self,
        pay: Sequence[PayStep] = (),
        mode: str = "cash",
        approvals: Sequence[Approval] = (),
    ) -> None:
        mc, user = self.mc, self.session.user
        if mc is None or user is None:
            return
        reason = self.reason()
        cmd = exchange_command(
            user,
            self.receipt_no,
            self.requests,
            mc,
            refund_mode=mode,
            reason=reason,
            approvals=approvals,
            gift=self.gift,
            sold_at=self.sold_at,
        )

        def err(e: GuitaiError) -> None:
            if isinstance(e, NeedsApproval):
                self.shell.ask_approval(
                    APPROVAL_ACTION, e, reason, lambda a: self.settle(pay, mode, [a])
                )
            else:
                self.show_error(e)

        def ok(done: dict[str, Any]) -> None:
            self.mc = None
            self.hide()
            self.finished.emit(done)

        self.message.clear()
        self.session.call(lambda: settle_exchange(mc, cmd, pay), ok, err)

    def cancel(self) -> None:
        """Nothing was paid or written before the exchange commits: drop the new items."""
        self.mc = None
        self.items.setRowCount(0)
        self.hide()
        self.closed.emit()

    def show_error(self, e: GuitaiError) -> None:
        self.message.setText(self.session.message(e))
