"""The customer-facing window for a second screen: the lines, the total, then the change and
the signed e-receipt QR (the bootstrap hands over its modules; the UI only paints them)."""

from __future__ import annotations

from typing import Any

from ..common.widgets import label, yuan
from ..members.panel import savings_text
from ..qt import (
    QColor,
    QCoreApplication,
    QEvent,
    QHBoxLayout,
    QImage,
    QListWidget,
    QPixmap,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ..views.sale import SaleView

# Posted below Qt's own repaint requests (Qt.LowEventPriority, -1): when the cashier's screen
# and this one are both waiting, the cashier's screen paints first.
FOLLOW = QEvent.Type(QEvent.registerEventType())
FOLLOW_PRIORITY = -2


class CustomerDisplay(QWidget):
    def __init__(self, store_name: str) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.setWindowTitle(self.tr("Customer display"))
        # The customer's screen never takes the keyboard (the scanner types into the till).
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 20, 32, 20)
        lay.setSpacing(10)
        self.store = label(store_name, "title")
        self.store.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.store)
        self.welcome = label(self.tr("Welcome"), "title")
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.welcome)
        # the lines keep the height; the e-receipt QR stands beside them, never above
        body = QHBoxLayout()
        body.setSpacing(24)
        lay.addLayout(body, 1)
        main = QVBoxLayout()
        main.setSpacing(8)
        body.addLayout(main, 1)
        self.lines = QListWidget()
        self.lines.setObjectName("customer_lines")
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lines.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # one row per line, not the touch-sized rows of the till's lists
        self.lines.setStyleSheet("QListWidget::item { min-height: 34px; padding: 2px 10px; }")
        main.addWidget(self.lines, 1)
        self.savings = label("", "ok", wrap=True)  # each saving by name (member, coupon…)
        self.savings.setObjectName("customer_savings")
        self.savings.setAlignment(Qt.AlignmentFlag.AlignRight)
        main.addWidget(self.savings)
        total_row = QHBoxLayout()
        self.total_label = label(self.tr("Total"), "totalLabel")
        total_row.addWidget(self.total_label)
        self.total = label(yuan(0), "total")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        total_row.addWidget(self.total, 1)
        main.addLayout(total_row)
        self.change = label("", "huge")
        self.change.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.change.hide()
        main.addWidget(self.change)
        side = QVBoxLayout()
        body.addLayout(side)
        self.qr = label()
        self.qr.setObjectName("ereceipt_qr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.qr.hide()
        side.addWidget(self.qr)
        self.qr_note = label(self.tr("Scan for your e-receipt"), "muted")
        self.qr_note.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.qr_note.hide()
        side.addWidget(self.qr_note)
        side.addStretch(1)
        self.qr_modules: list[list[bool]] | None = None
        # The sale as the cashier's screen shows it, painted here once the cashier's screen
        # has painted its line (see FOLLOW), and once for a burst of scans: the last view.
        self.pending: SaleView | None = None
        self.resize(800, 600)

    def show_qr(self, modules: list[list[bool]] | None) -> None:
        """The e-receipt QR (modules, True = dark) with a 4-module quiet zone; None hides it."""
        self.qr_modules = modules
        if not modules:
            self.qr.hide()
            self.qr_note.hide()
            return
        n = len(modules)
        quiet = 4
        img = QImage(n + 2 * quiet, n + 2 * quiet, QImage.Format.Format_RGB32)
        img.fill(QColor("white"))
        black = QColor("black").rgb()
        for y, row in enumerate(modules):
            for x, dark in enumerate(row):
                if dark:
                    img.setPixel(x + quiet, y + quiet, black)
        scale = max(4, 300 // (n + 2 * quiet))  # ~8 cm on a 10" screen: phones read it
        side = (n + 2 * quiet) * scale
        self.qr.setPixmap(
            QPixmap.fromImage(
                img.scaled(
                    side,
                    side,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                )
            )
        )
        self.qr.show()
        self.qr_note.show()

    def show_sale(self, view: SaleView) -> None:
        if not self.isVisible():
            return
        if self.pending is None:
            QCoreApplication.postEvent(self, QEvent(FOLLOW), FOLLOW_PRIORITY)
        self.pending = view

    def customEvent(self, event: QEvent) -> None:
        if event.type() == FOLLOW:
            self.paint_sale()
        else:
            super().customEvent(event)

    def paint_sale(self) -> None:
        view, self.pending = self.pending, None
        if view is None or not self.isVisible():
            return
        self.lines.clear()
        for ln in view.lines:
            self.lines.addItem(f"{ln.name}   × {ln.qty}   {yuan(ln.net_fen)}")
        self.lines.scrollToBottom()
        saved = view.member_saving_fen + sum(s.amount_fen for s in view.savings)
        self.savings.setText(
            savings_text(view)
            + ("\n" + self.tr("You save %1").replace("%1", yuan(saved)) if saved else "")
        )
        self.total_label.setText(self.tr("Total"))
        self.total.setText(yuan(view.total_fen))
        self.change.clear()
        self.change.hide()
        self.welcome.setText(self.tr("Welcome") if not view.lines else "")

    def show_done(self, payload: dict[str, Any]) -> None:
        if not self.isVisible():
            return
        self.paint_sale()  # the sale's last lines first, then its end over them
        change = sum(int(p.get("change_fen", 0)) for p in payload["payments"])
        self.total.setText(yuan(int(payload["total_fen"])))
        self.change.setText(self.tr("Change %1").replace("%1", yuan(change)) if change else "")
        self.change.setVisible(bool(change))
        self.welcome.setText(self.tr("Thank you!"))
