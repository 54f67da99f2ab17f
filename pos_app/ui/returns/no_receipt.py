"""Returns without a receipt (无小票退货, issue 20) on the returns screen: the goods are scanned
here and go back at the lowest price of the last 90 days, in cash or as store credit; a
manager always approves with a reason (the approval dialog, then the refund again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import GuitaiError, NeedsApproval
from pos_app.domain.return_rules import APPROVAL_ACTION, CASH, STORE_CREDIT
from pos_app.domain.sale import Approval

from ..common.widgets import button, label
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
from .store_credit import StoreCreditEntry

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell


class NoReceiptPanel(QFrame):
    """Shown by the returns screen's No receipt button; `finished` carries the refund."""

    finished = Signal(object)

    def __init__(self, shell: Shell, session: Session, reason: Callable[[], str]) -> None:
        super().__init__()
        self.setObjectName("no_receipt_panel")
        self.shell = shell
        self.session = session
        self.reason = reason
        self.codes: list[str] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 8, 0, 0)
        lay.addWidget(
            label(self.t("No receipt: scan the goods", "无小票退货：请扫描退回的商品"), "title")
        )
        self.items = QTableWidget(0, 2)
        self.items.setObjectName("no_receipt_items")
        self.items.setHorizontalHeaderLabels([self.t("Item", "商品"), self.t("Code", "条码")])
        self.items.verticalHeader().hide()
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.items.setMaximumHeight(150)
        lay.addWidget(self.items)
        lay.addWidget(label(self.t("Customer's mobile number", "顾客手机号"), "muted"))
        self.customer = StoreCreditEntry(self.t, lambda: None)
        lay.addWidget(self.customer)
        row = QHBoxLayout()
        self.cash_btn = button(self.t("Refund cash", "退现金"), "pay", lambda: self.refund(CASH))
        self.credit_btn = button(
            self.t("Store credit", "退至储值"), "", lambda: self.refund(STORE_CREDIT)
        )
        self.cancel_btn = button(self.t("Cancel", "取消"), "", self.cancel)
        for b in (self.cash_btn, self.credit_btn, self.cancel_btn):
            row.addWidget(b)
        lay.addLayout(row)
        self.message = label("", "error", wrap=True)
        self.message.setObjectName("no_receipt_message")
        lay.addWidget(self.message)
        self.hide()

    def t(self, en: str, zh: str) -> str:
        return zh if self.session.lang == "zh" else en

    @property
    def active(self) -> bool:
        return self.isVisible()

    def start(self) -> None:
        self.codes = []
        self.items.setRowCount(0)
        self.customer.clear()
        self.message.clear()
        self.show()

    def cancel(self) -> None:
        self.codes = []
        self.hide()

    def scanned(self, code: str) -> None:
        till = self.session.till
        self.session.call(
            lambda: till.sales.lookup(code.strip()),
            lambda item: self._add(code.strip(), str(item.name)),
            self.show_error,
        )

    def _add(self, code: str, name: str) -> None:
        self.codes.append(code)
        row = self.items.rowCount()
        self.items.insertRow(row)
        self.items.setItem(row, 0, QTableWidgetItem(name))
        self.items.setItem(row, 1, QTableWidgetItem(code))
        self.message.clear()

    def refund(self, mode: str, approvals: list[Approval] | None = None) -> None:
        if not self.codes:
            self.message.setText(self.t("Scan the goods first.", "请先扫描退回的商品。"))
            return

        def err(e: GuitaiError) -> None:
            if isinstance(e, NeedsApproval):  # always: a manager approves with a reason
                self.shell.ask_approval(
                    APPROVAL_ACTION, e, self.reason(), lambda a: self.refund(mode, [a])
                )
            else:
                self.show_error(e)

        self.message.clear()
        self.session.refund_without_receipt(
            tuple(self.codes),
            mode,
            self.reason(),
            approvals or [],
            self.customer.number() or None,
            self.customer.consent.isChecked(),
            self.done,
            err,
        )

    def done(self, payload: dict[str, Any]) -> None:
        self.cancel()
        self.finished.emit(payload)

    def show_error(self, e: GuitaiError) -> None:
        self.message.setText(self.session.message(e))
