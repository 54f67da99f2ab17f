"""The manager's stock reports on screen: stock value by category, negative stock (with the
sale that took each item below zero), slow movers (in stock, no sale in N days).  A cashier
gets the manager approval dialog first (once per visit to the stock area)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import AccessDenied, GuitaiError
from pos_app.domain.sale import Approval
from pos_app.domain.users import Role

from ..common.widgets import button, label, panel, yuan
from ..qt import QHBoxLayout, QSpinBox, QVBoxLayout, QWidget
from .calls import StockCalls
from .widgets import fill, table

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell


class ReportsPage(QWidget):
    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.shell = shell
        self.session = session
        self.calls = StockCalls(session)
        self.kind = "value"
        self.approved_by: str | None = None  # a manager's approval for this visit
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        page, lay = panel()
        outer.addWidget(page, 1)
        row = QHBoxLayout()
        self.buttons = {
            "value": button(
                self.tr("Stock value by category"), "", lambda: self.show_report("value")
            ),
            "negative": button(self.tr("Negative stock"), "", lambda: self.show_report("negative")),
            "slow": button(self.tr("Slow movers"), "", lambda: self.show_report("slow")),
        }
        for b in self.buttons.values():
            b.setCheckable(True)
            row.addWidget(b)
        row.addWidget(label(self.tr("no sale in (days)"), "muted"))
        self.days = QSpinBox()
        self.days.setObjectName("slow_days")
        self.days.setRange(1, 3650)
        self.days.setValue(60)
        self.days.valueChanged.connect(self.days_changed)
        row.addWidget(self.days)
        lay.addLayout(row)
        self.title = label("", "title", wrap=True)
        lay.addWidget(self.title)
        self.table = table("stock_report", ["", ""])
        lay.addWidget(self.table, 1)
        self.summary = label("", "figure", wrap=True)
        lay.addWidget(self.summary)
        self.message = label("", "error", wrap=True)
        lay.addWidget(self.message)

    def days_changed(self, _days: int) -> None:
        if self.kind == "slow":
            self.show_report("slow")

    def load(self) -> None:
        self.show_report(self.kind)

    def scanned(self, code: str) -> None:
        """A scan here: nothing to add to; say where scans go."""
        self.message.setText(self.tr("Scans are taken on the count, receive and send pages."))

    def show_report(self, kind: str) -> None:
        user = self.session.user
        if self.approved_by is None and (user is None or not user.has(Role.MANAGER)):

            def approved(a: Approval) -> None:
                self.approved_by = a.approver
                self.show_report(kind)

            self.shell.ask_approval(
                "stock_reports",
                AccessDenied("The stock reports are for the manager", "库存报表需要店长授权"),
                self.tr("stock reports"),
                approved,
            )
            return
        self.kind = kind
        for k, b in self.buttons.items():
            b.setChecked(k == kind)
        self.message.clear()
        self.calls.report(kind, self.days.value(), self.paint, self.show_error)

    def paint(self, r: dict[str, Any]) -> None:
        t = self.table
        if "categories" in r:
            self.title.setText(self.tr("Stock value by category (retail prices)"))
            headers = [self.tr("Category"), self.tr("Items"), self.tr("Pieces"), self.tr("Value")]
            rows: list[tuple[str, ...]] = [
                (str(c["category"] or "—"), str(c["skus"]), str(c["units"]),
                 yuan(int(c["value_fen"])))
                for c in r["categories"]
            ]  # fmt: skip
            summary = (
                self.tr("Total: %1 pieces, %2")
                .replace("%1", str(r["units"]))
                .replace("%2", yuan(int(r["value_fen"])))
            )
        elif "no_sale_since" in r:
            self.title.setText(
                self.tr("In stock, no sale in %1 days").replace("%1", str(r["days"]))
            )
            headers = [self.tr("SKU"), self.tr("Item"), self.tr("On hand"), self.tr("Value"),
                       self.tr("Last sale")]  # fmt: skip
            rows = [
                (s["sku"], str(s["name"]), str(s["on_hand"]), yuan(int(s["value_fen"])),
                 self.session.local(s["last_sale_at"], "%Y-%m-%d") if s["last_sale_at"]
                 else self.tr("never"))
                for s in r["skus"]
            ]  # fmt: skip
            summary = (
                self.tr("%1 items, %2 tied up")
                .replace("%1", str(len(r["skus"])))
                .replace("%2", yuan(int(r["value_fen"])))
            )
        else:
            self.title.setText(self.tr("Below zero: check these shelves, then count them"))
            headers = [self.tr("SKU"), self.tr("Item"), self.tr("On hand"), self.tr("Since")]
            rows = [
                (s["sku"], str(s["name"]), str(s["on_hand"]),
                 self.session.local(s["flagged_at"], "%m-%d %H:%M") if s["flagged_at"]
                 else "")
                for s in r["skus"]
            ]  # fmt: skip
            summary = (
                self.tr("%1 items below zero (%2 pieces)")
                .replace("%1", str(r["count"]))
                .replace("%2", str(r["units"]))
            )
        t.setColumnCount(len(headers))
        t.setHorizontalHeaderLabels(headers)
        fill(t, rows)
        self.summary.setText(summary)

    def show_error(self, e: GuitaiError) -> None:
        self.message.setText(self.session.message(e))
