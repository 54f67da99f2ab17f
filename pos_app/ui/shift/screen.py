"""Shift: open with a float, pay in / pay out, the X report, and the close — cash counted by
denomination, a manager's PIN, the Z report on screen with bars by hour and by tender."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import GuitaiError, InvalidInput
from pos_app.domain.money import Money, format_fen
from pos_app.domain.tenders import Tender
from pos_app.domain.users import Role

from ..common.dialogs import Field, FormDialog, confirm
from ..common.widgets import BarChart, button, label, panel, yuan
from ..qt import (
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLineEdit,
    QShortcut,
    QSpinBox,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell

DENOMINATIONS_FEN = (10_000, 5_000, 2_000, 1_000, 500, 100, 50, 10)


class ReportView(QWidget):
    """An X or Z report: headline figures, cash reconciliation, bars by hour and by tender."""

    def __init__(self, screen: ShiftScreen) -> None:
        super().__init__()
        self.shift = screen
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(16)
        figs, flay = panel()
        self.title = label("", "title")
        flay.addWidget(self.title)
        self.subtitle = label("", "muted", wrap=True)
        flay.addWidget(self.subtitle)
        self.grid = QGridLayout()
        self.grid.setVerticalSpacing(6)
        flay.addLayout(self.grid)
        flay.addStretch(1)
        lay.addWidget(figs, 1)
        charts, clay = panel()
        self.by_hour = BarChart("")
        self.by_tender = BarChart("")
        clay.addWidget(self.by_hour)
        clay.addWidget(self.by_tender)
        clay.addStretch(1)
        lay.addWidget(charts, 1)
        self.values: dict[str, Any] = {}

    def show_report(self, r: dict[str, Any]) -> None:
        z = r["kind"] == "Z"
        self.title.setText(
            self.tr("Z report no. %1 (day closed)").replace("%1", str(r["z_no"]))
            if z
            else self.tr("X report (shift still open)")
        )
        self.subtitle.setText(
            self.tr("Business day %1 · opened by %2 at %3")
            .replace("%1", str(r["business_day"]))
            .replace("%2", str(r["opened_by"]))
            .replace("%3", self.shift.session.local(str(r["opened_at"])))
        )
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        cash = r["cash"]
        rows: list[tuple[str, str]] = [
            (self.tr("Sales"), f"{r['sales']['count']}  ·  {yuan(r['sales']['total_fen'])}"),
            (self.tr("Refunds"), f"{r['refunds']['count']}  ·  {yuan(r['refunds']['total_fen'])}"),
            (self.tr("Discounts given"), yuan(r["sales"]["discounts_fen"])),
            (self.tr("Net takings"), yuan(r["net_fen"])),
            (self.tr("Float"), yuan(cash["float_fen"])),
            (self.tr("Cash sales (net)"), yuan(cash["cash_net_fen"])),
            (
                self.tr("Paid in / paid out"),
                f"{yuan(cash['pay_in_fen'])} / {yuan(cash['pay_out_fen'])}",
            ),
            (self.tr("Expected in drawer"), yuan(cash["expected_fen"])),
        ]
        if cash["counted_fen"] is not None:
            diff = int(cash["difference_fen"])
            rows.append((self.tr("Counted"), yuan(cash["counted_fen"])))
            rows.append(
                (
                    self.tr("Difference"),
                    self.tr("balances")
                    if diff == 0
                    else (self.tr("over %1") if diff > 0 else self.tr("short %1")).replace(
                        "%1", yuan(abs(diff))
                    ),
                )
            )
        if r.get("first_receipt_no"):
            rows.append((self.tr("Receipts"), f"{r['first_receipt_no']} – {r['last_receipt_no']}"))
        stock = r.get("stock_adjustments")
        if isinstance(stock, dict):
            moves = [m for m in stock.get("moves") or [] if isinstance(m, dict)]
            units = sum(int(m.get("qty") or 0) for m in moves)
            rows.append(
                (
                    self.tr("Stock adjustments"),
                    self.tr("%n line(s)", "", len(moves)) + f"  ·  {units:+d}"
                    if moves
                    else self.tr("none"),
                )
            )
            below = {str(m.get("sku")) for m in stock.get("sold_below_zero") or []}
            if below:
                rows.append(
                    (
                        self.tr("Sold below zero"),
                        self.tr("%n SKU(s): check the shelf", "", len(below)),
                    )
                )
        self.values = dict(rows)
        for i, (k, v) in enumerate(rows):
            self.grid.addWidget(label(k, "figLabel"), i, 0)
            val = label(v, "figure")
            val.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.grid.addWidget(val, i, 1)
        self.by_hour.title = self.tr("Sales by hour")
        self.by_hour.set_rows(
            [(f"{h}:00", int(v["net_fen"])) for h, v in r["by_hour"].items()],
            self.tr("No sales yet"),
        )
        self.by_tender.title = self.tr("Sales by tender")
        self.by_tender.set_rows(
            [(self.shift.tender_name(t), int(v["net_fen"])) for t, v in r["by_tender"].items()],
            self.tr("No payments yet"),
        )


class ShiftScreen(QWidget):
    """Navigation goes out as signals; the window connects them."""

    shift_opened = Signal()
    wants_sale = Signal()
    wants_sign_out = Signal()
    wants_stock = Signal(str)  # where the stock area's Esc goes back to

    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.shell = shell
        self.session = session
        self.report: dict[str, Any] | None = None
        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(12)
        self.message = label("", "error", wrap=True)
        outer.addWidget(self.stack, 1)
        outer.addWidget(self.message)
        self.stack.addWidget(self._open_page())
        self.stack.addWidget(self._report_page())
        self.stack.addWidget(self._close_page())
        sc = QShortcut(QKeySequence("Esc"), self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(self.back)

    def tender_name(self, value: str) -> str:
        try:
            t = Tender(value)
        except ValueError:
            return value
        return t.label_zh if self.session.lang == "zh" else t.label_en

    # ---- pages -------------------------------------------------------------------------

    def _open_page(self) -> QWidget:
        page, lay = panel()
        lay.addWidget(label(self.tr("Open the shift"), "title"))
        lay.addWidget(label(self.tr("Count the float in the drawer and type it in."), "muted"))
        self.float_edit = QLineEdit()
        self.float_edit.setObjectName("float")
        # no grey example amount: it looked typed, and Enter on it opened with ¥0.00
        self.float_edit.setPlaceholderText(self.tr("Float counted in the drawer (yuan)"))
        self.float_edit.returnPressed.connect(self.open_shift)
        lay.addWidget(self.float_edit)
        lay.addWidget(button(self.tr("Open shift"), "pay", self.open_shift))
        lay.addStretch(1)
        lay.addWidget(button(self.tr("Sign out"), "", self.wants_sign_out.emit))
        return page

    def _report_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.report_view = ReportView(self)
        lay.addWidget(self.report_view, 1)
        # two rows of four: seven buttons in one row do not fit a 1024-pixel screen
        self.action_grid = QGridLayout()
        self.action_grid.setSpacing(8)
        self.pay_in_btn = button(self.tr("Pay in"), "", lambda: self.ask_move("pay_in"))
        self.pay_out_btn = button(self.tr("Pay out"), "", lambda: self.ask_move("pay_out"))
        self.refresh_btn = button(self.tr("Refresh X report"), "", self.load)
        self.stock_btn = button(
            self.tr("Stock count / goods"), "", lambda: self.wants_stock.emit("shift")
        )
        self.close_btn = button(self.tr("Close day (Z)"), "danger", self.show_close)
        self.print_btn = button(self.tr("Print report"), "", self.print_report)
        self.back_btn = button(self.tr("Back to sale  Esc"), "primary", self.back)
        for b in (
            self.pay_in_btn,
            self.pay_out_btn,
            self.refresh_btn,
            self.stock_btn,
            self.print_btn,
            self.close_btn,
            self.back_btn,
        ):
            n = self.action_grid.count()
            self.action_grid.addWidget(b, n // 4, n % 4)
        lay.addLayout(self.action_grid)
        return page

    def _close_page(self) -> QWidget:
        page = QWidget()
        outer = QHBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(16)
        left, lay = panel()
        lay.addWidget(label(self.tr("Count the cash"), "title"))
        lay.addWidget(
            label(self.tr("Number of notes and coins of each kind in the drawer."), "muted")
        )
        grid = QGridLayout()
        grid.setVerticalSpacing(6)
        self.counts: dict[int, QSpinBox] = {}
        for i, fen in enumerate(DENOMINATIONS_FEN):
            grid.addWidget(label(yuan(fen)), i % 4, (i // 4) * 2)
            spin = QSpinBox()
            spin.setObjectName(f"count_{fen}")
            spin.setRange(0, 9999)
            spin.valueChanged.connect(lambda _v: self.recount())
            grid.addWidget(spin, i % 4, (i // 4) * 2 + 1)
            self.counts[fen] = spin
        lay.addLayout(grid)
        lay.addStretch(1)
        outer.addWidget(left, 3)
        right, rlay = panel()
        rlay.addWidget(label(self.tr("Counted"), "totalLabel"))
        self.counted = label(yuan(0), "big")
        rlay.addWidget(self.counted)
        self.expected = label("", "muted")
        rlay.addWidget(self.expected)
        rlay.addStretch(1)
        rlay.addWidget(button(self.tr("Close the day (Z report)"), "pay", self.close_day))
        rlay.addWidget(button(self.tr("Back"), "", lambda: self.stack.setCurrentIndex(1)))
        outer.addWidget(right, 2)
        return page

    # ---- flow --------------------------------------------------------------------------

    def load(self) -> None:
        self.message.clear()
        self.session.shift_state(self.show_state, self.show_error)

    def show_state(self, state: tuple[dict[str, Any] | None, int | None]) -> None:
        report, last_float = state
        if report is None:
            # the last day's float as a real value: the cashier checks it against the drawer
            self.float_edit.setText(format_fen(last_float) if last_float is not None else "")
            self.float_edit.selectAll()
            self.stack.setCurrentIndex(0)
            self.float_edit.setFocus()
            return
        self.report = report
        self.report_view.show_report(report)
        self.stack.setCurrentIndex(1)
        self.set_closed(False)

    def set_closed(self, closed: bool) -> None:
        for b in (self.pay_in_btn, self.pay_out_btn, self.refresh_btn, self.close_btn):
            b.setVisible(not closed)
        self.back_btn.setText(self.tr("Sign out") if closed else self.tr("Back to sale  Esc"))

    def back(self) -> None:
        if self.stack.currentIndex() == 2:
            self.stack.setCurrentIndex(1)
        elif self.stack.currentIndex() == 1 and self.report and self.report["kind"] == "X":
            self.wants_sale.emit()
        elif self.stack.currentIndex() == 1:
            self.wants_sign_out.emit()

    def open_shift(self) -> None:
        text = self.float_edit.text().strip()
        try:
            if not text:
                raise InvalidInput(
                    "Count the float in the drawer and type it in (0 if the drawer is empty)",
                    "请清点钱箱备用金并输入金额（钱箱为空请输入 0）",
                )
            fen = Money.parse(text).fen
        except InvalidInput as e:
            self.show_error(e)
            self.float_edit.setFocus()
            return
        if fen != 0:
            self._open_with(fen)
            return
        confirm(
            self.shell,
            self.tr("Open with no float?"),
            self.tr(
                "The drawer holds ¥0.00: there is no change for the first cash sale. "
                "Open the shift with a float of ¥0.00?"
            ),
            self.tr("Open with ¥0.00"),
            self.tr("Count again"),
            lambda: self._open_with(0),
        )

    def _open_with(self, fen: int) -> None:
        self.message.clear()
        self.session.open_shift(fen, self._opened, self.show_error)

    def _opened(self, _report: dict[str, Any]) -> None:
        self.shift_opened.emit()

    def ask_move(self, kind: str) -> None:
        title = self.tr("Pay in") if kind == "pay_in" else self.tr("Pay out")

        def validate(v: dict[str, str]) -> str:
            try:
                Money.parse(v["amount"])
            except InvalidInput as e:
                return self.session.message(e)
            return (
                ""
                if v["reason"].strip()
                else self.tr("Give a reason (it is printed on the Z report).")
            )

        self.shell.open_dialog(
            FormDialog(
                self.shell.window(),
                title,
                [
                    Field("amount", self.tr("Amount (yuan)"), "100.00"),
                    Field("reason", self.tr("Reason"), self.tr("e.g. change from the bank")),
                ],
                lambda v: self.session.cash_move(
                    kind,
                    Money.parse(v["amount"]).fen,
                    v["reason"],
                    lambda _p: self.load(),
                    self.show_error,
                ),
                ok_text=title,
                cancel_text=self.tr("Cancel"),
                validate=validate,
            )
        )

    def show_close(self) -> None:
        for spin in self.counts.values():
            spin.setValue(0)
        if self.report:
            self.expected.setText(
                self.tr("Expected %1").replace("%1", yuan(self.report["cash"]["expected_fen"]))
            )
        self.recount()
        self.stack.setCurrentIndex(2)

    def counted_fen(self) -> int:
        return sum(fen * spin.value() for fen, spin in self.counts.items())

    def recount(self) -> None:
        counted = self.counted_fen()
        self.counted.setText(yuan(counted))
        if self.report:
            expected = int(self.report["cash"]["expected_fen"])
            diff = counted - expected
            self.expected.setText(
                self.tr("Expected %1").replace("%1", yuan(expected))
                + "   "
                + (
                    self.tr("balances")
                    if diff == 0
                    else (self.tr("over %1") if diff > 0 else self.tr("short %1")).replace(
                        "%1", yuan(abs(diff))
                    )
                )
            )

    def close_day(self) -> None:
        counted = self.counted_fen()
        user = self.session.user
        if user is not None and user.has(Role.MANAGER):
            self.session.close_shift(user, counted, self.closed, self.show_error)
            return

        def ok(v: dict[str, str]) -> None:
            self.session.manager(
                v["name"],
                v["pin"],
                lambda m: self.session.close_shift(m, counted, self.closed, self.show_error),
                self.show_error,
            )

        self.shell.open_dialog(
            FormDialog(
                self.shell.window(),
                self.tr("Manager approval"),
                [Field("name", self.tr("Manager")), Field("pin", self.tr("PIN"), secret=True)],
                ok,
                message=self.tr("A manager closes the day."),
                ok_text=self.tr("Approve"),
                cancel_text=self.tr("Cancel"),
                keypad=True,
                choices={"name": self.session.managers},
            )
        )

    def closed(self, report: dict[str, Any]) -> None:
        self.report = report
        self.report_view.show_report(report)
        self.stack.setCurrentIndex(1)
        self.set_closed(True)
        self.session.sale = None

    def print_report(self) -> None:
        """The report on screen on the receipt printer (a Z printed again says 重印: it
        printed by itself at the close)."""
        if not self.report:
            return
        self.print_btn.setEnabled(False)
        self.session.print_report(
            self.report, self.report["kind"] == "Z", self.printed, self.print_failed
        )

    def printed(self, outcome: dict[str, Any]) -> None:
        self.print_btn.setEnabled(True)
        if outcome.get("state") == "done":
            self.shell.flash(self.tr("The report is printed."))
        else:
            zh, en = outcome.get("message_zh") or "", outcome.get("message") or ""
            self.shell.flash(zh if self.session.lang == "zh" and zh else en, error=True)

    def print_failed(self, e: GuitaiError) -> None:
        self.print_btn.setEnabled(True)
        self.show_error(e)

    def show_error(self, e: GuitaiError) -> None:
        self.message.setText(self.session.message(e))
