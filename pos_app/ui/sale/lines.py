"""The sale's lines as a table that fits the screen it is on (1024 to 1920 pixels)."""

from __future__ import annotations

from collections.abc import Iterable

from ..common.fit import fit_name_column
from ..qt import (
    QAbstractItemView,
    QEvent,
    QHeaderView,
    QResizeEvent,
    QStyleOptionViewItem,
    Qt,
    QTableWidget,
)

# the line number, quantity, unit price and amount: as wide as their widest cell or title
CONTENT_COLUMNS = (0, 2, 3, 5)


class LinesTable(QTableWidget):
    """The sale's lines.  The name column takes what the others leave; the line number and
    unit price columns step aside on a narrow screen so a name shows whole."""

    def __init__(self) -> None:
        super().__init__(0, 6)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(50)
        # a line with several savings grows to show each by name (never elided); rows are
        # measured as they change (a scan into a 100-line sale measures one row)
        self.verticalHeader().setMinimumSectionSize(50)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        hh = self.horizontalHeader()
        # The content columns are sized here, as QHeaderView's ResizeToContents would size
        # them, but from the lines that changed: ResizeToContents measured every line of the
        # sale in each of the four columns on every scan (up to 1,000 lines), so a scan into
        # a long sale got slower with each line.
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # the discount column names each saving; it wraps instead of pushing the item out
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        self.setWordWrap(True)
        self.shown_widths: dict[int, int] = {}
        # each line's width hint in each content column, in row order
        self.cell_widths: list[tuple[int, ...]] = []
        self.fit_columns()

    def fit(self) -> None:
        fit_name_column(self, 1, (0, 3), self.shown_widths)

    def cell_hints(self, row: int) -> tuple[int, ...]:
        """The row's width hints, as QTableView.sizeHintForColumn takes them (the item
        delegate's size hint, and the grid line)."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate = self.itemDelegate()
        grid = 1 if self.showGrid() else 0
        return tuple(
            delegate.sizeHint(option, self.model().index(row, c)).width() + grid
            for c in CONTENT_COLUMNS
        )

    def fit_columns(self, changed: Iterable[int] = ()) -> None:
        """Size the content columns after the rows in `changed` were set (the table's row
        count already the sale's): only those rows are measured."""
        self.ensurePolished()  # the style sheet's font, as the view measures with
        rows = self.rowCount()
        del self.cell_widths[rows:]
        for r in sorted(set(changed)):
            if r < len(self.cell_widths):
                self.cell_widths[r] = self.cell_hints(r)
        # rows added since the last call (a new line is always among `changed`)
        self.cell_widths.extend(self.cell_hints(r) for r in range(len(self.cell_widths), rows))
        hh = self.horizontalHeader()
        for i, c in enumerate(CONTENT_COLUMNS):
            widest = max((w[i] for w in self.cell_widths), default=0)
            width = max(widest, hh.sectionSizeHint(c))
            width = max(hh.minimumSectionSize(), min(width, hh.maximumSectionSize()))
            if hh.isSectionHidden(c):
                # kept for when the column shows again (fit_name_column)
                hh.resizeSection(c, width)
            elif self.columnWidth(c) != width:
                self.setColumnWidth(c, width)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange) and self.rowCount():
            self.fit_columns(range(self.rowCount()))  # every line measures anew

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        discount = max(130, min(220, self.width() // 4))
        if self.columnWidth(4) != discount:
            self.setColumnWidth(4, discount)
            self.resizeRowsToContents()  # the savings wrap anew in the new width
        self.fit()
