"""Small building blocks shared by the screens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from pos_app.domain.money import format_fen

from ..qt import (
    QColor,
    QFrame,
    QGridLayout,
    QLabel,
    QPainter,
    QPen,
    QPushButton,
    QRectF,
    QSize,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .theme import LINE, MUTED, PRIMARY


def yuan(fen: int) -> str:
    return f"¥{format_fen(fen)}"


def label(text: str = "", name: str = "", wrap: bool = False) -> QLabel:
    w = QLabel(text)
    if name:
        w.setObjectName(name)
    w.setWordWrap(wrap)
    return w


def restyle(w: QWidget, name: str) -> None:
    """Switch a widget's style-sheet role (error ↔ muted) and repaint it in that style."""
    w.setObjectName(name)
    w.style().unpolish(w)
    w.style().polish(w)


def button(text: str, name: str = "", on: Callable[[], None] | None = None) -> QPushButton:
    b = QPushButton(text)
    if name:
        b.setObjectName(name)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the keyboard
    if on is not None:
        b.clicked.connect(lambda _=False: on())
    return b


def panel() -> tuple[QFrame, QVBoxLayout]:
    f = QFrame()
    f.setObjectName("panel")
    lay = QVBoxLayout(f)
    lay.setContentsMargins(16, 14, 16, 14)
    lay.setSpacing(10)
    return f, lay


class Keypad(QWidget):
    """A touch keypad feeding a line edit (PIN pad, cash amount)."""

    def __init__(
        self,
        on_key: Callable[[str], None],
        extra: str = "00",
        enter_text: str = "",
        on_enter: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(8)
        grid.setContentsMargins(0, 0, 0, 0)
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", extra, "0", "⌫"]
        self.buttons: dict[str, QPushButton] = {}
        for i, k in enumerate(keys):
            b = button(k, "key", partial(on_key, k))
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            grid.addWidget(b, i // 3, i % 3)
            self.buttons[k] = b
        if on_enter is not None:
            b = button(enter_text, "primary", on_enter)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            grid.addWidget(b, 4, 0, 1, 3)
            self.buttons["enter"] = b


class BarChart(QWidget):
    """Horizontal bars with labels and amounts (sales by hour, by tender): QPainter only."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self.rows: list[tuple[str, int]] = []
        self.empty_text = ""
        self.setMinimumHeight(140)

    def set_rows(self, rows: Sequence[tuple[str, int]], empty_text: str) -> None:
        self.rows = list(rows)
        self.empty_text = empty_text
        self.setMinimumHeight(44 + 30 * max(1, len(self.rows)))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 44 + 30 * max(1, len(self.rows)))

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w = self.width()
        f = p.font()
        f.setPixelSize(17)
        f.setBold(True)
        p.setFont(f)
        p.setPen(QColor("#1d2733"))
        p.drawText(QRectF(0, 0, w, 28), Qt.AlignmentFlag.AlignLeft, self.title)
        f.setBold(False)
        f.setPixelSize(15)
        p.setFont(f)
        if not self.rows:
            p.setPen(QColor(MUTED))
            p.drawText(QRectF(0, 34, w, 24), Qt.AlignmentFlag.AlignLeft, self.empty_text)
            p.end()
            return
        top = max((abs(v) for _, v in self.rows), default=1) or 1
        label_w, amount_w = 90.0, 120.0
        bar_w = max(10.0, w - label_w - amount_w - 16)
        y = 36.0
        for name, value in self.rows:
            p.setPen(QColor(MUTED))
            p.drawText(
                QRectF(0, y, label_w - 8, 24),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            length = bar_w * abs(value) / top
            p.setPen(QPen(QColor(LINE)))
            p.fillRect(QRectF(label_w, y + 3, bar_w, 18), QColor("#eef1f5"))
            p.fillRect(QRectF(label_w, y + 3, length, 18), QColor(PRIMARY))
            p.setPen(QColor("#1d2733"))
            p.drawText(
                QRectF(label_w + bar_w + 8, y, amount_w, 24),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                yuan(value),
            )
            y += 30
        p.end()
