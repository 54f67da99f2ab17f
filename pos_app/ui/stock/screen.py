"""The stock area (库存), from the shift screen: the count (盘点), receiving deliveries and
transfers, sending items to another store, and the manager's stock reports.  A scan goes to
the page that is showing; Esc goes back where the area was opened from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.widgets import button, label
from ..qt import (
    QHBoxLayout,
    QKeySequence,
    QShortcut,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .count import CountPage
from .receive import ReceivePage, SendPage
from .reports import ReportsPage

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell

PAGES = ("count", "receive", "send", "reports")


class StockScreen(QWidget):
    """Esc goes back through a signal; the window connects it."""

    wants_sale = Signal()
    wants_shift = Signal()

    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.shell = shell
        self.session = session
        self.back_to = "shift"
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 12, 20, 16)
        outer.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(label(self.tr("Stock"), "title"))
        self.tabs = {
            "count": button(self.tr("Stock count"), "", lambda: self.show_page("count")),
            "receive": button(self.tr("Receive goods"), "", lambda: self.show_page("receive")),
            "send": button(self.tr("Send to a store"), "", lambda: self.show_page("send")),
            "reports": button(self.tr("Reports"), "", lambda: self.show_page("reports")),
        }
        for b in self.tabs.values():
            b.setCheckable(True)
            top.addWidget(b)
        top.addStretch(1)
        top.addWidget(button(self.tr("Back  Esc"), "", self.back))
        outer.addLayout(top)
        self.count = CountPage(shell, session)
        self.receive = ReceivePage(shell, session)
        self.send = SendPage(shell, session)
        self.reports = ReportsPage(shell, session)
        self.pages: dict[str, CountPage | ReceivePage | SendPage | ReportsPage] = {
            "count": self.count,
            "receive": self.receive,
            "send": self.send,
            "reports": self.reports,
        }
        self.stack = QStackedWidget()
        for p in self.pages.values():
            self.stack.addWidget(p)
        outer.addWidget(self.stack, 1)
        self.page = "count"
        sc = QShortcut(QKeySequence("Esc"), self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(self.back)

    def load(self, back_to: str | None = None) -> None:
        if back_to is not None:  # entering the area: a manager approves the reports anew
            self.back_to = back_to
            self.reports.approved_by = None
        self.show_page(self.page)

    def state(self) -> tuple[str, str, str | None, str]:
        """What a language switch (which rebuilds the screens) keeps: the page, where Esc
        goes, the manager's approval of the reports and which report."""
        return self.page, self.back_to, self.reports.approved_by, self.reports.kind

    def restore(self, state: tuple[str, str, str | None, str]) -> None:
        self.page, self.back_to, self.reports.approved_by, self.reports.kind = state
        self.show_page(self.page)

    def show_page(self, name: str) -> None:
        self.page = name
        for k, b in self.tabs.items():
            b.setChecked(k == name)
        self.stack.setCurrentWidget(self.pages[name])
        self.setFocus()  # Esc works on every page (a page with a scan field takes it next)
        self.pages[name].load()

    def scanned(self, code: str) -> None:
        self.pages[self.page].scanned(code)

    def back(self) -> None:
        if self.back_to == "sale":
            self.wants_sale.emit()
        else:
            self.wants_shift.emit()
