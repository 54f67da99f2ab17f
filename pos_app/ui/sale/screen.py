"""The sale: the scan field always ready, search while typing, the lines, totals and the
big buttons.  Function keys: F2 pay, F4 suspend, F5 resume, F6 member, F7 return, F8 reprint,
F9 shift; Esc clears the field or closes the search list."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from pos_app.domain.catalog import SkuInfo
from pos_app.domain.digits import is_digits
from pos_app.domain.errors import GuitaiError
from pos_app.services.till_reads import ParkedSale

from ..common.dialogs import Field, FormDialog, PickDialog
from ..common.fit import first_fitting, fit_button, pad
from ..common.widgets import button, label, panel, yuan
from ..members.desk import is_member_code
from ..members.panel import MemberColumn, line_discount_text, savings_text
from ..qt import (
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QResizeEvent,
    QShortcut,
    Qt,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ..views.sale import LineView, SaleView
from .discounts import SaleDiscounts
from .lines import LinesTable

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class SaleScreen(QWidget):
    """Navigation goes out as signals; the window connects them."""

    wants_tender = Signal()
    wants_returns = Signal()
    wants_shift = Signal()
    wants_reprint = Signal()
    wants_stock_grid = Signal(str)  # the item code, SKU or style typed or selected
    wants_new_sale = Signal()  # the sale was voided or parked
    rendered = Signal(object)  # the SaleView just painted (the customer display follows it)

    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.shell = shell
        self.session = session
        self.rows: list[LineView] = []
        outer = QHBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.setSpacing(10)

        left = QVBoxLayout()
        left.setSpacing(10)
        self.scan = QLineEdit()
        self.scan.setObjectName("scan")
        self.scan.setPlaceholderText(
            self.tr("Scan a barcode, or type SKU, name or pinyin initials")
        )
        self.scan.returnPressed.connect(self.enter_pressed)
        self.scan.textEdited.connect(self.text_edited)
        left.addWidget(self.scan)
        self.results = QListWidget()
        self.results.setObjectName("results")
        self.results.setMaximumHeight(240)
        self.results.hide()
        self.results.itemClicked.connect(self.pick_result)
        left.addWidget(self.results)
        self.message = label("", "error", wrap=True)
        self.message.hide()
        left.addWidget(self.message)

        self.table = LinesTable()
        self.table.setObjectName("lines")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("#"),
                self.tr("Item"),
                self.tr("Qty"),
                self.tr("Price"),
                self.tr("Discount"),
                self.tr("Amount"),
            ]
        )
        left.addWidget(self.table, 1)

        line_row = QHBoxLayout()
        self.qty_btn = button(self.tr("Quantity"), "", self.ask_qty)
        self.disc_btn = button(self.tr("Line discount"), "", self.ask_line_discount)
        self.void_btn = button(self.tr("Void line"), "danger", self.ask_void_line)
        for b in (self.qty_btn, self.disc_btn, self.void_btn):
            line_row.addWidget(pad(b, 6))
        left.addLayout(line_row)
        # the lines, the member and the side columns share the width 50 : 22 : 28, the
        # member and side columns within bounds, from 1024 to 1920 pixels
        outer.addLayout(left, 50)
        self.member_col = MemberColumn(shell, session, self)
        self.member_col.setMinimumWidth(232)
        self.member_col.setMaximumWidth(340)
        outer.addWidget(self.member_col, 22)

        # totals, Pay and the function keys: a column whose width follows the screen's
        self.side = QWidget()
        right = QVBoxLayout(self.side)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(10)
        tot, tlay = panel()
        tlay.setSpacing(6)
        self.count = label("", "muted")
        tlay.addWidget(self.count)
        grid = QGridLayout()
        grid.addWidget(label(self.tr("Subtotal")), 0, 0)
        self.subtotal = label(yuan(0))
        self.subtotal.setAlignment(RIGHT)
        grid.addWidget(self.subtotal, 0, 1)
        grid.addWidget(label(self.tr("Discounts")), 1, 0)
        self.discounts = label(yuan(0))
        self.discounts.setAlignment(RIGHT)
        grid.addWidget(self.discounts, 1, 1)
        tlay.addLayout(grid)
        self.savings = label("", "ok", wrap=True)
        self.savings.setObjectName("savings")
        tlay.addWidget(self.savings)
        tlay.addWidget(label(self.tr("To pay"), "totalLabel"))
        self.total = label(yuan(0), "total")
        self.total.setAlignment(RIGHT)
        tlay.addWidget(self.total)
        right.addWidget(tot)

        self.pay_btn = button(self.tr("Pay  F2"), "pay", self.wants_tender.emit)
        right.addWidget(self.pay_btn)
        keys = QGridLayout()
        keys.setSpacing(8)
        self.fn_buttons = {
            "suspend": button(self.tr("Suspend  F4"), "", self.suspend),
            "resume": button(self.tr("Resume  F5"), "", self.resume),
            "member": button(self.tr("Member  F6"), "", self.member),
            "return": button(self.tr("Return  F7"), "", self.wants_returns.emit),
            "reprint": button(self.tr("Reprint  F8"), "", self.reprint),
            "shift": button(self.tr("Shift  F9"), "", self.wants_shift.emit),
            "stock": button(self.tr("Stock  F3"), "", self.stock),
            "order_discount": button(self.tr("Order discount"), "", self.ask_order_discount),
            "void_sale": button(self.tr("Void sale"), "danger", self.ask_void_sale),
        }
        # three across: the column stays short enough for a 768-pixel-high screen
        for i, b in enumerate(self.fn_buttons.values()):
            keys.addWidget(pad(b, 4), i // 3, i % 3)
        right.addLayout(keys)
        self.key_texts = {
            b: b.text()
            for b in (*self.fn_buttons.values(), self.qty_btn, self.disc_btn, self.void_btn)
        }
        right.addStretch(1)
        self.side.setMinimumWidth(286)
        self.side.setMaximumWidth(420)
        outer.addWidget(self.side, 28)

        for key, fn in (
            ("F2", self.wants_tender.emit),
            ("F3", self.stock),
            ("F4", self.suspend),
            ("F5", self.resume),
            ("F6", self.member),
            ("F7", self.wants_returns.emit),
            ("F8", self.reprint),
            ("F9", self.wants_shift.emit),
            ("Esc", self.escape),
            ("Up", lambda: self.move_selection(-1)),
            ("Down", lambda: self.move_selection(1)),
            ("+", lambda: self.bump_qty(1)),
            ("-", lambda: self.bump_qty(-1)),
        ):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)

        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(200)
        self.search_timer.timeout.connect(self.run_search)
        self.show_view(self.session.view)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The columns share the width by their stretch (within their bounds); then the
        texts are fitted to what they got."""
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self.fit_texts)  # dropped if the screen is rebuilt first

    def fit_texts(self) -> None:
        self.scan.setPlaceholderText(
            first_fitting(
                self.scan,
                (
                    self.tr("Scan a barcode, or type SKU, name or pinyin initials"),
                    self.tr("Scan, or type SKU, name or pinyin"),
                    self.tr("Scan or type"),
                ),
            )
        )
        for b, text in self.key_texts.items():
            fit_button(b, text)
        self.table.fit()
        self.member_col.fit_texts()

    # ---- showing the sale --------------------------------------------------------------

    def focus_scan(self) -> None:
        self.scan.setFocus()

    def show_view(self, view: SaleView) -> None:
        """Update only the rows that changed: a scan into a 100-line sale paints one row."""
        lines = list(view.lines)
        t = self.table
        if len(lines) != t.rowCount():
            t.setRowCount(len(lines))
        changed = []
        for i, ln in enumerate(lines):
            if i < len(self.rows) and self.rows[i] == ln:
                continue
            changed.append(i)
            values = (
                str(ln.line_no),
                f"{ln.name}\n{ln.sku}" if ln.sku != ln.name else ln.name,
                str(ln.qty),
                yuan(ln.unit_price_fen),
                line_discount_text(ln),
                yuan(ln.net_fen),
            )
            for c, v in enumerate(values):
                item = t.item(i, c)
                if item is None:
                    item = QTableWidgetItem(v)
                    if c != 1:
                        item.setTextAlignment(RIGHT)
                    t.setItem(i, c, item)
                else:
                    item.setText(v)
                if c == 4:
                    item.setToolTip(v)
            t.resizeRowToContents(i)
        t.fit_columns(changed)
        if len(lines) != len(self.rows):
            self.table.fit()  # a new line's wider price may leave the name less room
        self.rows = lines
        if view.changed_line is not None:
            for i, ln in enumerate(lines):
                if ln.line_no == view.changed_line:
                    t.selectRow(i)
                    item = t.item(i, 0)
                    if item is not None:
                        t.scrollToItem(item)
                    break
        elif lines and not t.selectedItems():
            t.selectRow(len(lines) - 1)
        self.count.setText(self.tr("%n item(s)", "", view.qty))
        self.subtotal.setText(yuan(view.list_subtotal_fen))
        # every saving counts here (member prices, discounts by hand and the named ones
        # listed below), so subtotal − discounts = to pay reads true
        disc = view.member_saving_fen + view.discount_fen + sum(x.amount_fen for x in view.savings)
        self.discounts.setText(
            ("-" + yuan(disc)) + (f"  ({view.order_discount})" if view.order_discount else "")
            if disc
            else yuan(0)
        )
        self.total.setText(yuan(view.total_fen))
        self.pay_btn.setEnabled(bool(lines))
        has = bool(lines)
        for b in (self.qty_btn, self.disc_btn, self.void_btn):
            b.setEnabled(has)
        self.fn_buttons["suspend"].setEnabled(has)
        self.fn_buttons["order_discount"].setEnabled(has)
        self.fn_buttons["void_sale"].setEnabled(has)
        self.savings.setText(savings_text(view))
        self.savings.setVisible(bool(view.savings) or bool(view.member_saving_fen))
        self.member_col.show_view(view)
        self.rendered.emit(view)

    def show_error(self, err: GuitaiError) -> None:
        self.message.setText(self.session.message(err))
        self.message.show()
        self.focus_scan()

    def clear_message(self) -> None:
        self.message.hide()
        self.message.clear()

    def updated(self, view: SaleView) -> None:
        self.clear_message()
        if view.note:
            self.message.setText(view.note)
            self.message.show()
        self.show_view(view)
        self.focus_scan()

    # ---- scanning and search -----------------------------------------------------------

    def scanned(self, code: str) -> None:
        self.results.hide()
        self.search_timer.stop()
        if is_member_code(code):  # the customer's member code: put the member on the sale
            self.member_col.desk.attach_code(code, self.member_col.flow._attached, self.show_error)
            return
        self.session.scan(code, self.updated, self.show_error)

    def enter_pressed(self) -> None:
        text = self.scan.text().strip()
        if not text:
            return
        item = self.results.currentItem() if self.results.isVisible() else None
        self.scan.clear()
        self.scanned(item.data(Qt.ItemDataRole.UserRole) if item else text)

    def text_edited(self, text: str) -> None:
        if len(text.strip()) >= 2:
            self.search_timer.start()
        else:
            self.results.hide()

    def run_search(self) -> None:
        text = self.scan.text().strip()
        if len(text) < 2:
            return
        self.session.search(text, partial(self.show_results, text), self.show_error)

    def show_results(self, text: str, items: list[SkuInfo]) -> None:
        if self.scan.text().strip() != text:
            return  # the cashier typed on; a newer search is coming
        self.results.clear()
        for it in items:
            row = QListWidgetItem(f"{it.name}   {it.sku}   {yuan(it.price_fen)}")
            row.setData(Qt.ItemDataRole.UserRole, it.sku)
            self.results.addItem(row)
        if items:
            self.results.setCurrentRow(0)
        else:
            self.results.addItem(self.tr("No match: press Enter to try it as a barcode"))
        self.results.show()

    def pick_result(self, item: QListWidgetItem) -> None:
        sku = item.data(Qt.ItemDataRole.UserRole)
        if sku:
            self.scan.clear()
            self.scanned(sku)

    def escape(self) -> None:
        if self.results.isVisible() or self.scan.text():
            self.results.hide()
            self.scan.clear()
        self.clear_message()

    # ---- line actions ------------------------------------------------------------------

    def selected_line(self) -> LineView | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            return self.rows[row]
        return self.rows[-1] if self.rows else None

    def move_selection(self, step: int) -> None:
        if self.rows:
            row = max(0, min(len(self.rows) - 1, self.table.currentRow() + step))
            self.table.selectRow(row)

    def bump_qty(self, step: int) -> None:
        ln = self.selected_line()
        if ln and ln.qty + step >= 1:
            self.session.set_qty(ln.line_no, ln.qty + step, self.updated, self.show_error)

    def ask_qty(self) -> None:
        ln = self.selected_line()
        if ln is None:
            return

        def ok(v: dict[str, str]) -> None:
            self.session.set_qty(ln.line_no, int(v["qty"]), self.updated, self.show_error)

        self.shell.open_dialog(
            FormDialog(
                self.shell.window(),
                self.tr("Quantity"),
                [Field("qty", ln.name, value=str(ln.qty), digits=True)],
                ok,
                ok_text=self.tr("OK"),
                cancel_text=self.tr("Cancel"),
                validate=lambda v: "" if is_digits(v["qty"]) else self.tr("Type a whole number."),
                keypad=True,
            )
        )

    def ask_line_discount(self) -> None:
        SaleDiscounts(self, self).ask_line_discount()

    def ask_order_discount(self) -> None:
        SaleDiscounts(self, self).ask_order_discount()

    def ask_void_line(self) -> None:
        ln = self.selected_line()
        if ln is None:
            return
        self.shell.open_dialog(
            FormDialog(
                self.shell.window(),
                self.tr("Void line"),
                [Field("reason", self.tr("Reason"), self.tr("e.g. customer changed their mind"))],
                lambda v: self.session.void_line(
                    ln.line_no, v["reason"], self.updated, self.show_error
                ),
                message=f"{ln.name} × {ln.qty}",
                ok_text=self.tr("Void line"),
                cancel_text=self.tr("Cancel"),
                validate=lambda v: "" if v["reason"] else self.tr("Say why the line is voided."),
            )
        )

    def ask_void_sale(self) -> None:
        self.shell.open_dialog(
            FormDialog(
                self.shell.window(),
                self.tr("Void sale"),
                [Field("reason", self.tr("Reason"), self.tr("e.g. customer left"))],
                lambda v: self.session.void_sale(v["reason"], self._voided, self.show_error),
                message=self.tr("The whole sale is cancelled and recorded as voided."),
                ok_text=self.tr("Void sale"),
                cancel_text=self.tr("Cancel"),
                validate=lambda v: "" if v["reason"] else self.tr("Say why the sale is voided."),
            )
        )

    def _voided(self, _result: None) -> None:
        self.wants_new_sale.emit()

    # ---- parking, members, receipts ----------------------------------------------------

    def suspend(self) -> None:
        if not self.rows:
            return

        self.shell.open_dialog(
            FormDialog(
                self.shell.window(),
                self.tr("Suspend sale"),
                [Field("label", self.tr("Note (optional)"), self.tr("e.g. lady in red coat"))],
                lambda v: self.session.suspend(v["label"], self._suspended, self.show_error),
                ok_text=self.tr("Suspend"),
                cancel_text=self.tr("Cancel"),
            )
        )

    def _suspended(self, sid: int) -> None:
        self.shell.flash(self.tr("Sale parked as no. %1").replace("%1", str(sid)))
        self.wants_new_sale.emit()

    def resume(self) -> None:
        if self.rows:
            self.show_error(
                GuitaiError(
                    "Finish or suspend the current sale before resuming another",
                    "请先完成或挂起当前交易，再取单",
                )
            )
            return

        def show(parked: list[ParkedSale]) -> None:
            rows = [
                (
                    f"{p.id}  {self.session.local(p.created_at)}  {p.cashier}  {p.label}  "
                    + self.tr("%n piece(s)", "", p.qty)
                    + f"  {yuan(p.total_fen)}",
                    p.id,
                )
                for p in parked
            ]
            labels = {p.id: p.label for p in parked}
            self.shell.open_dialog(
                PickDialog(
                    self.shell.window(),
                    self.tr("Resume a parked sale"),
                    rows,
                    lambda sid: self.session.resume(
                        int(sid), self.updated, self.show_error, labels.get(int(sid), "")
                    ),
                    empty_text=self.tr("No parked sales."),
                    ok_text=self.tr("Resume"),
                    cancel_text=self.tr("Cancel"),
                )
            )

        self.session.parked(show, self.show_error)

    def member(self) -> None:
        self.member_col.flow.open_find()

    def reprint(self) -> None:
        self.wants_reprint.emit()

    def stock(self) -> None:
        """The size-and-colour grid: for what is typed in the scan field, else the line."""
        typed = self.scan.text().strip()
        ln = self.selected_line()
        self.scan.clear()
        self.results.hide()
        self.wants_stock_grid.emit(typed or (ln.sku if ln else ""))
