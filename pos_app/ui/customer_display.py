"""The customer-facing window for a second screen: the lines, the total, then the change.
(The e-receipt QR joins it when the receipts package lands.)"""

from __future__ import annotations

from typing import Any

from .qt import QListWidget, Qt, QVBoxLayout, QWidget
from .session import SaleView
from .widgets import label, yuan


class CustomerDisplay(QWidget):
    def __init__(self, store_name: str) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.setWindowTitle(self.tr("Customer display"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 24, 32, 24)
        lay.setSpacing(12)
        self.store = label(store_name, "title")
        self.store.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.store)
        self.welcome = label(self.tr("Welcome"), "title")
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.welcome)
        self.lines = QListWidget()
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay.addWidget(self.lines, 1)
        self.total_label = label(self.tr("Total"), "totalLabel")
        lay.addWidget(self.total_label)
        self.total = label(yuan(0), "total")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        lay.addWidget(self.total)
        self.change = label("", "huge")
        self.change.setAlignment(Qt.AlignmentFlag.AlignRight)
        lay.addWidget(self.change)
        self.resize(800, 600)

    def show_sale(self, view: SaleView) -> None:
        if not self.isVisible():
            return
        self.lines.clear()
        for ln in view.lines[-12:]:
            self.lines.addItem(f"{ln.name}   × {ln.qty}   {yuan(ln.net_fen)}")
        self.lines.scrollToBottom()
        self.total_label.setText(self.tr("Total"))
        self.total.setText(yuan(view.total_fen))
        self.change.clear()
        self.welcome.setText(self.tr("Welcome") if not view.lines else "")

    def show_done(self, payload: dict[str, Any]) -> None:
        if not self.isVisible():
            return
        change = sum(int(p.get("change_fen", 0)) for p in payload["payments"])
        self.total.setText(yuan(int(payload["total_fen"])))
        self.change.setText(self.tr("Change %1").replace("%1", yuan(change)) if change else "")
        self.welcome.setText(self.tr("Thank you!"))
