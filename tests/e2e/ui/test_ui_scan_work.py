"""What a scan costs the GUI thread before its line paints (issue 17: scan → painted line
< 16 ms p99): the sale table measures the lines that changed, not the whole sale; the busy
mark stays out of a call the cashier never waits on; the customer display paints after the
cashier's line, with the same content."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from uihelp import TIMEOUT, idle, start_selling, table_text, wedge_scan

from pos_app.ui.qt import QApplication, QEvent, QObject, QStyledItemDelegate

LINES = 30


@pytest.fixture
def many_items(till_home: Path) -> list[str]:
    """LINES more items, so a sale can grow long (before the till opens its folder)."""
    codes = [f"69500000{i:05d}" for i in range(LINES)]
    conn = sqlite3.connect(till_home / "till.db")
    with conn:
        for i, code in enumerate(codes):
            sku = f"LONG{i:03d}"
            conn.execute(
                "INSERT INTO skus (sku, style, name, price_fen) VALUES (?, ?, ?, ?)",
                (sku, f"LG{i:03d}", f"长单商品 {i:03d}", 1_000 + i * 7_919),
            )
            conn.execute(
                "INSERT INTO barcodes (code, sku, kind) VALUES (?, ?, 'ean13')", (code, sku)
            )
    conn.close()
    return codes


class CountingDelegate(QStyledItemDelegate):
    """The table's delegate, counting the cells it is asked to measure."""

    def __init__(self, parent: Any) -> None:
        super().__init__(parent)
        self.measured = 0

    def sizeHint(self, option: Any, index: Any) -> Any:
        self.measured += 1
        return super().sizeHint(option, index)


def content_widths_as_resize_to_contents(table: Any) -> dict[int, int]:
    """What QHeaderView.ResizeToContents gives each content column: the widest cell over
    every line (QTableView.sizeHintForColumn) or the title, within the header's bounds."""
    hh = table.horizontalHeader()
    return {
        c: max(
            hh.minimumSectionSize(),
            min(
                max(table.sizeHintForColumn(c), hh.sectionSizeHint(c)),
                hh.maximumSectionSize(),
            ),
        )
        for c in (0, 2, 3, 5)
        if not table.isColumnHidden(c)
    }


def test_a_scan_into_a_long_sale_measures_its_own_line_not_the_sale(
    qtbot: Any, many_items: list[str], app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    table = t.window.sale.table
    counter = CountingDelegate(table)
    table.setItemDelegate(counter)
    for code in many_items[:-1]:
        wedge_scan(qtbot, t, code)
    assert table.rowCount() == LINES - 1

    counter.measured = 0
    wedge_scan(qtbot, t, many_items[-1])  # a new line at the end
    QApplication.processEvents()  # any delayed column sizing runs here
    assert table.rowCount() == LINES
    # its six cells for the row height and its four content cells for the column widths;
    # sizing the columns from every line measured 4 × 30 cells here
    assert counter.measured <= 2 * table.columnCount(), counter.measured

    counter.measured = 0
    wedge_scan(qtbot, t, many_items[3])  # the same item again: that line's quantity
    QApplication.processEvents()
    assert table_text(table)[3][2] == "2"
    assert counter.measured <= 2 * table.columnCount(), counter.measured

    # the columns are as wide as ResizeToContents made them: the widest price over the sale
    counter.measured = 0
    assert {c: table.columnWidth(c) for c in (0, 2, 3, 5) if not table.isColumnHidden(c)} == (
        content_widths_as_resize_to_contents(table)
    )


def test_the_columns_fit_the_widest_line_as_lines_come_and_go(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    table = sale.table
    wedge_scan(qtbot, t, "6901234567908")  # T-shirt ¥199.00
    narrow = content_widths_as_resize_to_contents(table)
    assert {c: table.columnWidth(c) for c in narrow} == narrow
    wedge_scan(qtbot, t, "6901234567892")  # jacket ¥1299.00: the price columns widen
    wide = content_widths_as_resize_to_contents(table)
    assert {c: table.columnWidth(c) for c in wide} == wide
    assert wide[5] > narrow[5]
    table.selectRow(1)  # void the jacket: the columns narrow again
    t.session.void_line(2, "试穿不合适", sale.updated, sale.show_error)
    idle(qtbot, t)
    assert table.rowCount() == 1
    assert {c: table.columnWidth(c) for c in narrow} == narrow


class PaintOrder(QObject):
    """Each paint of the two lists, with how many lines it showed."""

    def __init__(self, lists: dict[Any, tuple[str, Any]]) -> None:
        super().__init__()
        self.lists = lists
        self.order: list[tuple[str, int]] = []

    def eventFilter(self, obj: Any, ev: Any) -> bool:
        if ev.type() == QEvent.Type.Paint:
            name, lines = self.lists[obj]
            self.order.append((name, lines()))
        return False


def test_the_customer_display_paints_after_the_cashiers_line_with_the_same_sale(
    qtbot: Any, app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    customer = t.window.customer
    assert customer.isVisible()
    table = t.window.sale.table
    order = PaintOrder(
        {
            table.viewport(): ("cashier", table.rowCount),
            customer.lines.viewport(): ("customer", customer.lines.count),
        }
    )
    table.viewport().installEventFilter(order)
    customer.lines.viewport().installEventFilter(order)
    try:
        wedge_scan(qtbot, t, "6901234567892")
        wedge_scan(qtbot, t, "6901234567908")  # the second line
        qtbot.waitUntil(lambda: ("customer", 2) in order.order, timeout=TIMEOUT)
        wedge_scan(qtbot, t, "6901234567908")  # its quantity
    finally:
        table.viewport().removeEventFilter(order)
        customer.lines.viewport().removeEventFilter(order)
    assert order.order.index(("cashier", 2)) < order.order.index(("customer", 2)), order.order
    shown = [customer.lines.item(i).text() for i in range(customer.lines.count())]
    assert shown == ["男士羊毛夹克 黑 L   × 1   ¥1299.00", "纯棉圆领T恤 白 M   × 2   ¥398.00"]
    assert customer.total.text() == t.window.sale.total.text() == "¥1697.00"
    assert customer.welcome.text() == ""


class Shown(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: Any, ev: Any) -> bool:
        if ev.type() == QEvent.Type.Show:
            self.count += 1
        return False


def test_the_busy_mark_shows_only_for_a_call_the_cashier_waits_on(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    start_selling(qtbot, t)
    busy = t.window.status.busy
    shown = Shown()
    release = threading.Event()
    busy.installEventFilter(shown)
    try:
        wedge_scan(qtbot, t, "6901234567892")  # answered at once: no mark flashes
        assert shown.count == 0 and busy.isHidden()

        done: list[object] = []
        t.session.worker.submit(lambda: release.wait(TIMEOUT / 1000), done.append, done.append)
        qtbot.waitUntil(busy.isVisible, timeout=TIMEOUT)  # a call that goes on: the mark
        release.set()
        idle(qtbot, t)
        assert done == [True] and busy.isHidden()
    finally:
        release.set()
        busy.removeEventFilter(shown)
