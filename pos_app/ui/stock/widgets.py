"""Small pieces the stock screens share: a table filled from rows, the quantity field that
goes with a scan field, and the scan row itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pos_app.domain.errors import InvalidInput

from ..common.theme import INK
from ..qt import (
    QAbstractItemView,
    QColor,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    Qt,
    QTableWidget,
    QTableWidgetItem,
)

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def table(name: str, headers: Sequence[str], stretch: int = 1) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(list(headers))
    t.verticalHeader().hide()
    t.verticalHeader().setDefaultSectionSize(46)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the keyboard
    hh = t.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    hh.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return t


def fill(
    t: QTableWidget,
    rows: Sequence[Sequence[str]],
    *,
    left: Sequence[int] = (0, 1),
    colours: Sequence[str | None] | None = None,
) -> None:
    """Replace the table's rows (text; columns not in `left` are right-aligned); `colours`
    gives a row's text colour (None: the default).  Only rows that changed are touched: a
    re-scan in a 5,000-line count repaints one row, not 5,000 (50–100 ms on the GUI thread)."""
    old: list[tuple[tuple[str, ...], str | None]] = getattr(t, "_painted", [])
    new = [
        (tuple(values), colours[r] if colours is not None else None)
        for r, values in enumerate(rows)
    ]
    if t.rowCount() != len(new):
        t.setRowCount(len(new))
    for r, (values, colour) in enumerate(new):
        if r < len(old) and old[r] == (values, colour):
            continue
        for c, v in enumerate(values):
            item = t.item(r, c)
            if item is None:
                item = QTableWidgetItem()
                if c not in left:
                    item.setTextAlignment(RIGHT)
                t.setItem(r, c, item)
            item.setText(v)
            item.setForeground(QColor(colour) if colour else QColor(INK))
    t._painted = new  # type: ignore[attr-defined]


def select_row(t: QTableWidget, key_column: int, key: str) -> None:
    for r in range(t.rowCount()):
        item = t.item(r, key_column)
        if item is not None and item.text() == key:
            t.selectRow(r)
            t.scrollToItem(item)
            return


def parse_qty(text: str, *, allow_negative: bool = False) -> int:
    """The quantity typed beside the scan field (empty: 1)."""
    t = text.strip()
    if not t:
        return 1
    try:
        n = int(t)
    except ValueError as err:
        raise InvalidInput(f"Quantity {t!r} is not a whole number", f"数量 {t} 不是整数") from err
    if n == 0 or (n < 0 and not allow_negative):
        raise InvalidInput(
            "Give a whole quantity above zero"
            + (" (negative takes a miscount back)" if allow_negative else ""),
            "数量须为大于零的整数" + ("（负数表示撤回多扫的数量）" if allow_negative else ""),
        )
    return n


class ScanRow(QHBoxLayout):
    """The scan field and its quantity: type a quantity, then scan (or type a code + Enter)."""

    def __init__(
        self,
        name: str,
        placeholder: str,
        qty_label: str,
        on_code: Callable[[str], None],
    ) -> None:
        super().__init__()
        self.code = QLineEdit()
        self.code.setObjectName(f"{name}_code")
        self.code.setPlaceholderText(placeholder)
        self.code.returnPressed.connect(self._enter)
        self.qty = QLineEdit()
        self.qty.setObjectName(f"{name}_qty")
        self.qty.setPlaceholderText(qty_label)
        self.qty.setMaximumWidth(150)
        self.qty.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.qty.returnPressed.connect(self.code.setFocus)
        self.on_code = on_code
        self.addWidget(self.code, 1)
        self.addWidget(self.qty)

    def _enter(self) -> None:
        text = self.code.text().strip()
        if text:
            self.code.clear()
            self.on_code(text)

    def done(self) -> None:
        """After a scan went in: the quantity goes back to 1, the scan field is ready."""
        self.qty.clear()
        self.code.setFocus()
