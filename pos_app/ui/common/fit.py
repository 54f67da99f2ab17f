"""Fitting text to the space a screen has (1024×768 up to 1920×1080): which columns of the
sale's lines to show so an item's name shows whole, and which wording of a placeholder fits.
Measured with the widget's own font (the style sheet's size), never guessed in characters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ..qt import QFontMetrics, QLineEdit, QPushButton, QTableWidget, QWidget

# what an item's name must show whole in the sale's lines (colour and size included)
TYPICAL_NAME = "男士羊毛夹克 黑 L"
CELL_PADDING = 16  # the table's cell padding and grid line, both sides

W = TypeVar("W", bound=QWidget)


def text_width(widget: QWidget, text: str) -> int:
    widget.ensurePolished()  # the style sheet's font size, not the default font's
    return max(
        (QFontMetrics(widget.font()).horizontalAdvance(line) for line in text.split("\n")),
        default=0,
    )


def text_room(widget: QWidget) -> int:
    """The width a field's or a button's text has: its width less the style sheet's padding
    and border (QLineEdit 12 px and 2 px a side; buttons as set on them, 16 px by default)."""
    if isinstance(widget, QLineEdit):
        return widget.width() - 2 * (12 + 2) - 4
    pad = widget.property("hpad")
    return widget.width() - 2 * (int(pad) if pad is not None else 16) - 2


def first_fitting(widget: QWidget, texts: Sequence[str]) -> str:
    """The first (longest, clearest) wording that fits; else the last, shortest."""
    room = text_room(widget)
    for text in texts:
        if text_width(widget, text) <= room:
            return text
    return texts[-1]


def pad(widget: W, px: int) -> W:
    """A button with narrower side padding (keys three across), known to text_room."""
    widget.setStyleSheet(f"padding: 0 {px}px;")
    widget.setProperty("hpad", px)
    return widget


def fit_name_column(
    table: QTableWidget, name_col: int, optional: Sequence[int], shown: dict[int, int]
) -> None:
    """Hide the optional columns (in order) only while the name would not show whole.

    `shown` remembers each optional column's width while it was shown, so deciding costs no
    relayout: a column's hidden state changes only when the decision does."""
    need = text_width(table, TYPICAL_NAME) + CELL_PADDING
    for c in optional:
        if not table.isColumnHidden(c):
            shown[c] = table.columnWidth(c)
    fixed = sum(
        table.columnWidth(c)
        for c in range(table.columnCount())
        if c != name_col and c not in optional
    )
    room = table.viewport().width() - fixed - sum(shown.get(c, 0) for c in optional)
    for c in optional:
        hide = room < need
        if hide:
            room += shown.get(c, 0)
        if table.isColumnHidden(c) != hide:
            table.setColumnHidden(c, hide)


def two_lines(text: str) -> str:
    """A key's label on two lines ("Suspend  F4" → "Suspend" over "F4")."""
    if "  " in text:
        return text.replace("  ", "\n", 1)
    return text.replace(" ", "\n", 1)


def fit_button(button: QPushButton, text: str) -> None:
    """The label on one line when it fits, else on two (a key is 56 px high: two lines fit)."""
    button.setText(first_fitting(button, (text, two_lines(text))))
