"""The stock count (盘点) at the till: a manager starts it, anyone scans items with a quantity
(the scanner works in either field), the running counts per item and in total show as they
go; the variance report (expected, sold since counted, counted, difference, value) is posted
with a manager's approval; an interrupted count resumes when the screen opens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import AccessDenied, GuitaiError
from pos_app.domain.sale import Approval
from pos_app.domain.users import Role

from ..common.theme import DANGER, PAY
from ..common.widgets import button, label, panel, restyle, yuan
from ..qt import QHBoxLayout, QLineEdit, QStackedWidget, QVBoxLayout, QWidget
from .calls import StockCalls
from .widgets import ScanRow, fill, parse_qty, select_row, table

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell

NONE, COUNTING, VARIANCE = 0, 1, 2


def signed(n: int) -> str:
    return f"{n:+d}" if n else "0"


def money(fen: int) -> str:
    """-¥1599.00 (a loss reads as one)."""
    return ("-" if fen < 0 else "") + yuan(abs(fen))


class CountPage(QWidget):
    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.shell = shell
        self.session = session
        self.calls = StockCalls(session)
        self.report: dict[str, Any] | None = None
        self.last_sku = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.message = label("", "error", wrap=True)
        outer.addWidget(self.message)
        self.stack.addWidget(self._none_page())
        self.stack.addWidget(self._counting_page())
        self.stack.addWidget(self._variance_page())

    # ---- pages -------------------------------------------------------------------------

    def _none_page(self) -> QWidget:
        page, lay = panel()
        lay.addWidget(label(self.tr("Stock count"), "title"))
        lay.addWidget(
            label(
                self.tr(
                    "No stock count is open. A manager starts one; then scan every item on "
                    "the shelves and in the stockroom. Items not scanned are left as they are."
                ),
                "muted",
                wrap=True,
            )
        )
        self.note = QLineEdit()
        self.note.setObjectName("count_note")
        self.note.setPlaceholderText(self.tr("Note (optional), e.g. month-end count, 2nd floor"))
        lay.addWidget(self.note)
        self.start_btn = button(self.tr("Start a count (manager)"), "pay", self.start)
        lay.addWidget(self.start_btn)
        self.last_result = label("", "ok", wrap=True)
        lay.addWidget(self.last_result)
        lay.addStretch(1)
        return page

    def _counting_page(self) -> QWidget:
        page, lay = panel()
        self.heading = label("", "title", wrap=True)
        lay.addWidget(self.heading)
        self.scan_row = ScanRow(
            "count",
            self.tr("Scan an item (or type its code, then Enter)"),
            self.tr("Qty 1"),
            self.scanned,
        )
        lay.addLayout(self.scan_row)
        self.last = label(
            self.tr("Type a quantity first to count several at once; -1 takes one back."),
            "muted",
            wrap=True,
        )
        lay.addWidget(self.last)
        self.lines = table("count_lines", [self.tr("SKU"), self.tr("Item"), self.tr("Counted qty")])
        lay.addWidget(self.lines, 1)
        self.totals = label("", "figure")
        lay.addWidget(self.totals)
        row = QHBoxLayout()
        self.cancel_btn = button(self.tr("Cancel the count"), "danger", self.cancel)
        row.addWidget(self.cancel_btn)
        self.variance_btn = button(self.tr("Variance report"), "primary", self.show_variance)
        row.addWidget(self.variance_btn, 2)
        lay.addLayout(row)
        return page

    def _variance_page(self) -> QWidget:
        page, lay = panel()
        self.v_heading = label("", "title", wrap=True)
        lay.addWidget(self.v_heading)
        self.variance = table(
            "count_variance",
            [
                self.tr("SKU"),
                self.tr("Item"),
                self.tr("Expected"),
                self.tr("Sold since counted"),
                self.tr("Counted qty"),
                self.tr("Difference qty"),
                self.tr("Value"),
            ],
        )
        lay.addWidget(self.variance, 1)
        self.summary = label("", "figure", wrap=True)
        lay.addWidget(self.summary)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Back to scanning"), "", self.back_to_scanning))
        self.post_btn = button(self.tr("Post the differences (manager)"), "pay", self.post)
        row.addWidget(self.post_btn, 2)
        lay.addLayout(row)
        return page

    # ---- state -------------------------------------------------------------------------

    def load(self) -> None:
        """Opening the screen: an open count (interrupted or not) carries on where it was."""
        self.message.clear()
        self.calls.count_state(lambda r: self.show_state(r, resumed=True), self.show_error)

    def show_state(self, report: dict[str, Any] | None, resumed: bool = False) -> None:
        self.report = report
        if report is None:
            self.stack.setCurrentIndex(NONE)
            self.note.setFocus()
            return
        self.paint_counting(report, resumed)
        if self.stack.currentIndex() != VARIANCE:
            self.stack.setCurrentIndex(COUNTING)
            self.scan_row.code.setFocus()
        else:
            self.paint_variance(report)

    def paint_counting(self, r: dict[str, Any], resumed: bool = False) -> None:
        started = self.session.local(str(r["started_at"]), "%m-%d %H:%M")
        head = (
            self.tr("Count no. %1 · started by %2 at %3")
            .replace("%1", str(r["count_id"]))
            .replace("%2", str(r["started_by"]))
            .replace("%3", started)
        )
        if resumed and r["lines"]:
            head += "  " + self.tr("(resumed)")
        self.heading.setText(head)
        fill(self.lines, [(ln["sku"], ln["name"], str(ln["counted"])) for ln in r["lines"]])
        if self.last_sku:
            select_row(self.lines, 0, self.last_sku)
        self.totals.setText(
            self.tr("%1 items · %2 pieces counted")
            .replace("%1", str(r["skus_counted"]))
            .replace("%2", str(r["units_counted"]))
        )
        self.variance_btn.setEnabled(bool(r["lines"]))

    def paint_variance(self, r: dict[str, Any]) -> None:
        self.v_heading.setText(
            self.tr("Variance report · count no. %1").replace("%1", str(r["count_id"]))
        )
        rows, colours = [], []
        for ln in r["lines"]:
            d = int(ln["difference"])
            rows.append(
                (
                    ln["sku"],
                    ln["name"],
                    str(ln["expected"]),
                    str(ln["sold_since_counted"]),
                    str(ln["counted"]),
                    signed(d),
                    money(int(ln["value_fen"])),
                )
            )
            colours.append(DANGER if d < 0 else PAY if d > 0 else None)
        fill(self.variance, rows, colours=colours)
        text = (
            self.tr(
                "%1 items counted, %2 pieces (expected %3). %4 items differ: %5 pieces, %6; "
                "shrinkage %7."
            )
            .replace("%1", str(r["skus_counted"]))
            .replace("%2", str(r["units_counted"]))
            .replace("%3", str(r["units_expected"]))
            .replace("%4", str(r["skus_with_difference"]))
            .replace("%5", signed(int(r["difference_units"])))
            .replace("%6", money(int(r["difference_value_fen"])))
            .replace("%7", money(int(r["shrinkage_value_fen"])))
        )
        if r["uncounted_skus_with_stock"]:
            text += "\n" + self.tr(
                "%1 items with stock were not scanned: they are left as they are."
            ).replace("%1", str(r["uncounted_skus_with_stock"]))
        self.summary.setText(text)

    # ---- actions -----------------------------------------------------------------------

    def start(self, approval: Approval | None = None) -> None:
        user = self.session.user
        if approval is None and (user is None or not user.has(Role.MANAGER)):
            self.shell.ask_approval(
                "stock_count_start",
                AccessDenied("A manager starts a stock count", "盘点需要店长开始"),
                self.note.text().strip() or self.tr("stock count"),
                self.start,
            )
            return
        self.message.clear()
        self.last_sku = ""
        self.calls.count_start(approval, self.note.text().strip(), self.started, self.show_error)

    def started(self, report: dict[str, Any]) -> None:
        self.note.clear()
        self.last_result.clear()
        self.stack.setCurrentIndex(COUNTING)
        self.show_state(report)
        restyle(self.last, "muted")
        self.last.setText(self.tr("Count started: scan the items."))

    def scanned(self, code: str) -> None:
        if self.stack.currentIndex() == NONE:
            self.message.setText(self.tr("Start a count first (a manager)."))
            return
        if self.stack.currentIndex() == VARIANCE:
            self.stack.setCurrentIndex(COUNTING)  # a scan means counting goes on
        try:
            qty = parse_qty(self.scan_row.qty.text(), allow_negative=True)
        except GuitaiError as e:
            self.show_error(e)
            return
        self.message.clear()
        self.calls.count_scan(code, qty, self.counted, self.show_error)

    def counted(self, result: tuple[dict[str, Any], dict[str, Any]]) -> None:
        scan, report = result
        self.last_sku = str(scan["sku"])
        self.scan_row.done()
        name = next((ln["name"] for ln in report["lines"] if ln["sku"] == scan["sku"]), "")
        restyle(self.last, "ok")
        self.last.setText(
            self.tr("%1 %2: %3 → %4 counted")
            .replace("%1", str(scan["sku"]))
            .replace("%2", str(name))
            .replace("%3", signed(int(scan["added"])))
            .replace("%4", str(scan["counted"]))
        )
        self.show_state(report)

    def show_variance(self) -> None:
        if self.report is None:
            return
        self.paint_variance(self.report)
        self.stack.setCurrentIndex(VARIANCE)
        # fresh figures: a sale since the last scan changes "sold since counted"
        self.calls.count_state(self.show_state, self.show_error)

    def back_to_scanning(self) -> None:
        self.stack.setCurrentIndex(COUNTING)
        self.scan_row.code.setFocus()

    def post(self, approval: Approval | None = None) -> None:
        def refused(e: GuitaiError) -> None:
            if isinstance(e, AccessDenied) and approval is None:
                self.shell.ask_approval(
                    "stock_count_post", e, self.tr("stock count"), lambda a: self.post(a)
                )
            else:
                self.show_error(e)

        self.message.clear()
        self.calls.count_finish(approval, self.posted, refused)

    def posted(self, r: dict[str, Any]) -> None:
        text = (
            self.tr("Count no. %1 posted, approved by %2: %3 items adjusted (%4 pieces, %5).")
            .replace("%1", str(r["count_id"]))
            .replace("%2", str(r["approved_by"]))
            .replace("%3", str(r["posted_lines"]))
            .replace("%4", signed(int(r["difference_units"])))
            .replace("%5", money(int(r["difference_value_fen"])))
        )
        self.report = None
        self.last_sku = ""
        self.last_result.setText(text)
        self.stack.setCurrentIndex(NONE)
        self.shell.flash(text)

    def cancel(self, approval: Approval | None = None) -> None:
        """Throw the count away: always behind a manager's PIN (it also confirms the tap)."""
        if approval is None:
            no = self.report["count_id"] if self.report else ""
            self.shell.ask_approval(
                "stock_count_cancel",
                GuitaiError(
                    f"Cancel count no. {no}? Everything scanned is thrown away and on hand stays "
                    "as it was. A manager approves.",
                    f"取消盘点 {no}？已扫描的数量全部作废，库存保持不变。需要店长授权。",
                ),
                self.tr("count abandoned"),
                self.cancel,
            )
            return

        def cancelled(r: dict[str, Any]) -> None:
            self.report = None
            self.last_sku = ""
            self.last_result.setText(
                self.tr("Count no. %1 cancelled: nothing was changed.").replace(
                    "%1", str(r["count_id"])
                )
            )
            self.stack.setCurrentIndex(NONE)

        self.calls.count_cancel(approval, cancelled, self.show_error)

    def show_error(self, e: GuitaiError) -> None:
        self.message.setText(self.session.message(e))
        if self.stack.currentIndex() == COUNTING:
            self.scan_row.code.setFocus()
