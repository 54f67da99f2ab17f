"""The size-and-colour grid at the counter ("do you have this in an L?"), from the sale screen
(Stock F3): the style's colours × sizes with this store's quantities, the scanned item
highlighted, below-zero cells marked; then, on a call of its own so the store's grid shows at
once, the chain's other stores nearest first with the chosen cell's quantity (or why they
cannot be shown).  Enter or a double tap adds the chosen size to the sale; Esc goes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import GuitaiError

from ..common.theme import DANGER, MUTED
from ..common.widgets import button, label, panel
from ..qt import (
    QAbstractItemView,
    QColor,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLineEdit,
    QShortcut,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
    Signal,
)
from .calls import StockCalls

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell

CENTER = Qt.AlignmentFlag.AlignCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
SCANNED_BG = "#ffe9a8"  # the scanned item: a marker-pen yellow, apart from the selection blue
NEGATIVE_BG = "#f8dedd"


class CodeField(QLineEdit):
    """The grid's code field: ←/→ choose a size while it is empty (the scanner keeps the
    keyboard), move the cursor once a code is typed."""

    def __init__(self, on_arrow: Callable[[int, int], None]) -> None:
        super().__init__()
        self.on_arrow = on_arrow

    def keyPressEvent(self, event: Any) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not self.text():
            self.on_arrow(0, 1 if key == Qt.Key.Key_Right else -1)
            return
        super().keyPressEvent(event)


def qty_text(n: int) -> str:
    return f"{n} !" if n < 0 else str(n)


class StockGridScreen(QWidget):
    """Back and "add to the sale" go out as signals; the window connects them."""

    wants_sale = Signal()
    added = Signal(object)  # the SaleView with the item added: the sale screen shows it

    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.shell = shell
        self.session = session
        self.calls = StockCalls(session)
        self.grid: dict[str, Any] | None = None
        self.others: list[dict[str, Any]] = []
        self.cells: dict[tuple[int, int], dict[str, Any]] = {}
        self.asked = 0  # answers for an older code are dropped
        outer = QHBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(16)

        left, llay = panel()
        llay.addWidget(label(self.tr("Stock by colour and size"), "title"))
        self.code = CodeField(self.move_cell)
        self.code.setObjectName("grid_code")
        self.code.setPlaceholderText(self.tr("Scan an item, or type its code or style number"))
        self.code.returnPressed.connect(self.enter_pressed)
        llay.addWidget(self.code)
        self.heading = label("", "figure", wrap=True)
        llay.addWidget(self.heading)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("grid_here")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.verticalHeader().setDefaultSectionSize(54)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # Bound methods, not lambdas: Qt drops them with this screen, so a table signal sent
        # while the window is being destroyed never reaches a half-deleted screen.
        self.table.currentCellChanged.connect(self.cell_changed)
        self.table.cellDoubleClicked.connect(self.cell_double_clicked)
        llay.addWidget(self.table, 1)
        self.legend = label(
            self.tr("Yellow: the scanned item · red with !: below zero, check the shelf"), "muted"
        )
        llay.addWidget(self.legend)
        self.message = label("", "error", wrap=True)
        llay.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Back  Esc"), "", self.back))
        self.add_btn = button(self.tr("Add to sale  Enter"), "pay", self.add_to_sale)
        self.add_btn.setEnabled(False)
        row.addWidget(self.add_btn, 2)
        llay.addLayout(row)
        outer.addWidget(left, 3)

        right, rlay = panel()
        rlay.addWidget(label(self.tr("Other stores"), "totalLabel"))
        self.others_note = label("", "muted", wrap=True)
        rlay.addWidget(self.others_note)
        self.others_table = QTableWidget(0, 4)
        self.others_table.setObjectName("grid_others")
        self.others_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.others_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.others_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.others_table.verticalHeader().hide()
        hh = self.others_table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        rlay.addWidget(self.others_table, 1)
        outer.addWidget(right, 2)

        for key, fn in (
            ("Esc", self.back),
            ("Up", lambda: self.move_cell(-1, 0)),
            ("Down", lambda: self.move_cell(1, 0)),
        ):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)
        for key in ("Return", "Enter"):
            sc = QShortcut(QKeySequence(key), self.table)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(self.add_to_sale)

    # ---- loading -----------------------------------------------------------------------

    def load(self, code: str = "") -> None:
        """Open for an item code, SKU or style (empty: wait for a scan)."""
        self.message.clear()
        self.code.clear()
        self.code.setFocus()
        if code.strip():
            self.show_code(code)
        elif self.grid is None:
            self.heading.setText(self.tr("Scan the item the customer asks about."))

    def show_code(self, code: str) -> None:
        self.asked += 1
        asked = self.asked
        self.message.clear()
        self.calls.grid(
            code.strip(),
            lambda g: self.show_grid(g, asked),
            lambda e: self.show_error(e, asked),
        )

    def scanned(self, code: str) -> None:
        self.code.clear()
        self.show_code(code)

    def enter_pressed(self) -> None:
        text = self.code.text().strip()
        if text:
            self.code.clear()
            self.show_code(text)
        else:
            self.add_to_sale()

    def show_error(self, err: GuitaiError, asked: int | None = None) -> None:
        if asked is not None and asked != self.asked:
            return
        self.message.setText(self.session.message(err))
        self.code.setFocus()

    # ---- this store --------------------------------------------------------------------

    def show_grid(self, g: dict[str, Any], asked: int) -> None:
        if asked != self.asked:
            return
        self.grid = g
        self.others = []
        self.heading.setText(
            self.tr("%1 %2 · this store %3: %4 in stock")
            .replace("%1", str(g["style"]))
            .replace("%2", str(g["name"]))
            .replace("%3", str(g["store_id"]))
            .replace("%4", str(g["total"]))
        )
        sizes = [s or self.tr("one size") for s in g["sizes"]]
        t = self.table
        t.clear()
        t.setColumnCount(len(sizes) + 1)
        t.setRowCount(len(g["rows"]))
        t.setHorizontalHeaderLabels([*sizes, self.tr("Total")])
        t.setVerticalHeaderLabels([str(r["colour"] or "—") for r in g["rows"]])
        self.cells = {}
        pick: tuple[int, int] | None = None  # the scanned item
        in_stock: tuple[int, int] | None = None
        first: tuple[int, int] | None = None
        for r, row in enumerate(g["rows"]):
            total = 0
            for c, cell in enumerate(row["cells"]):
                item = QTableWidgetItem()
                item.setTextAlignment(CENTER)
                if cell is None:
                    item.setText("·")
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                    item.setToolTip(self.tr("This style has no such colour and size."))
                else:
                    n = int(cell["on_hand"])
                    total += n
                    self.cells[(r, c)] = cell
                    item.setText(qty_text(n))
                    item.setToolTip(str(cell["sku"]))
                    item.setData(Qt.ItemDataRole.UserRole, cell["sku"])
                    font = item.font()
                    if n < 0:
                        item.setForeground(QColor(DANGER))
                        item.setBackground(QColor(NEGATIVE_BG))
                        item.setToolTip(
                            str(cell["sku"])
                            + "\n"
                            + self.tr("Below zero: more was sold than the till knew of.")
                        )
                    elif n == 0:
                        item.setForeground(QColor(MUTED))
                    if cell["sku"] == g.get("scanned_sku"):
                        item.setBackground(QColor(SCANNED_BG))
                        font.setBold(True)
                        pick = (r, c)
                    item.setFont(font)
                    first = first or (r, c)
                    if n > 0 and in_stock is None:
                        in_stock = (r, c)
                t.setItem(r, c, item)
            tot = QTableWidgetItem(str(total))
            tot.setTextAlignment(RIGHT)
            tot.setFlags(Qt.ItemFlag.ItemIsEnabled)
            tot.setForeground(QColor(MUTED))
            t.setItem(r, len(sizes), tot)
        choose = pick or in_stock or first
        if choose is not None:
            t.setCurrentCell(*choose)
        self.add_btn.setEnabled(choose is not None)
        self.others_table.setRowCount(0)
        self.others_note.setText(self.tr("Asking the other stores…"))
        style = str(g["style"])
        self.calls.other_stores(
            style,
            lambda o: self.show_others(o, asked),
            lambda e: self.others_failed(e, asked),
        )

    def selected(self) -> dict[str, Any] | None:
        return self.cells.get((self.table.currentRow(), self.table.currentColumn()))

    def move_cell(self, dr: int, dc: int) -> None:
        """Arrow keys choose a cell (skipping sizes the colour does not come in) while the code
        field keeps the keyboard for the scanner (with a code typed, ←/→ move its cursor)."""
        r, c = self.table.currentRow(), self.table.currentColumn()
        rows, cols = self.table.rowCount(), self.table.columnCount() - 1  # not the totals
        for _ in range(max(rows, cols)):
            r, c = r + dr, c + dc
            if not (0 <= r < rows and 0 <= c < cols):
                return
            if (r, c) in self.cells:
                self.table.setCurrentCell(r, c)
                return

    def cell_changed(self, *_cells: int) -> None:
        self.add_btn.setEnabled(self.selected() is not None)
        self.paint_others()

    # ---- other stores ------------------------------------------------------------------

    def show_others(self, answer: dict[str, Any], asked: int) -> None:
        if asked != self.asked:
            return
        self.others = list(answer["other_stores"])
        zh = self.session.lang == "zh"
        why = answer.get("other_stores_error_zh" if zh else "other_stores_error")
        if why or answer.get("other_stores_error"):
            self.others_note.setText(
                self.tr("Other stores unavailable: %1").replace(
                    "%1", str(why or answer["other_stores_error"])
                )
            )
        elif not self.others:
            self.others_note.setText(self.tr("No other store has this style."))
        else:
            self.others_note.setText(self.tr("Nearest first."))
        self.paint_others()

    def others_failed(self, err: GuitaiError, asked: int) -> None:
        if asked != self.asked:
            return
        self.others = []
        self.others_note.setText(
            self.tr("Other stores unavailable: %1").replace("%1", self.session.message(err))
        )
        self.paint_others()

    def paint_others(self) -> None:
        cell = self.selected()
        t = self.others_table
        colour_size = ""
        if cell is not None and self.grid is not None:
            colour = str(self.grid["rows"][self.table.currentRow()]["colour"] or "")
            colour_size = f"{colour} {cell['size'] or ''}".strip()
        t.setHorizontalHeaderLabels(
            [
                self.tr("Store"),
                self.tr("Distance"),
                colour_size or self.tr("Item"),
                self.tr("Total"),
            ]
        )
        t.setRowCount(len(self.others))
        for i, s in enumerate(self.others):
            qty: int | None = None
            if cell is not None:
                r, c = self.table.currentRow(), self.table.currentColumn()
                theirs = s["rows"][r]["cells"][c] if r < len(s["rows"]) else None
                qty = int(theirs["on_hand"]) if theirs else None
            dist = s.get("distance_km")
            values = (
                f"{s['store_id']} {s.get('name') or ''}".strip(),
                "" if dist is None else f"{float(dist):.1f} km",
                "" if qty is None else str(qty),
                str(s["total"]),
            )
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if c:
                    item.setTextAlignment(RIGHT)
                if c == 2 and qty:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                t.setItem(i, c, item)

    # ---- actions -----------------------------------------------------------------------

    def cell_double_clicked(self, _row: int, _col: int) -> None:
        self.add_to_sale()

    def add_to_sale(self) -> None:
        cell = self.selected()
        if cell is None:
            return
        sku = str(cell["sku"])

        self.session.scan(sku, self._added, self.show_error)

    def _added(self, view: Any) -> None:
        self.added.emit(view)

    def back(self) -> None:
        self.wants_sale.emit()
