"""The sale's lines as a table that fits the screen it is on (1024 to 1920 pixels)."""

from __future__ import annotations

from ..common.fit import fit_name_column
from ..qt import QAbstractItemView, QHeaderView, QResizeEvent, Qt, QTableWidget


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
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # the discount column names each saving; it wraps instead of pushing the item out
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        self.setWordWrap(True)
        self.shown_widths: dict[int, int] = {}

    def fit(self) -> None:
        fit_name_column(self, 1, (0, 3), self.shown_widths)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        discount = max(130, min(220, self.width() // 4))
        if self.columnWidth(4) != discount:
            self.setColumnWidth(4, discount)
            self.resizeRowsToContents()  # the savings wrap anew in the new width
        self.fit()
