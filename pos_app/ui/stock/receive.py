"""Receiving and sending stock.  Receive: the deliveries and transfers the cloud announced to
this store, scan what arrived (short and over show as you go), confirm.  Send: scan items for
another store; they leave stock and the transfer is announced to the cloud with the next
sync."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import GuitaiError, InvalidInput

from ..common.dialogs import confirm
from ..common.theme import DANGER, WARN
from ..common.widgets import button, label, panel, restyle
from ..qt import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .calls import StockCalls
from .widgets import ScanRow, fill, parse_qty, select_row, table

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell


class ReceivePage(QWidget):
    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.shell = shell
        self.session = session
        self.calls = StockCalls(session)
        self.doc: str | None = None
        self.status: dict[str, Any] | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.message = label("", "error", wrap=True)
        outer.addWidget(self.message)

        page, lay = panel()
        lay.addWidget(label(self.tr("Deliveries and transfers to receive"), "title"))
        self.docs = QListWidget()
        self.docs.setObjectName("receive_docs")
        self.docs.itemDoubleClicked.connect(self.open_selected)
        lay.addWidget(self.docs, 1)
        self.result = label("", "ok", wrap=True)
        lay.addWidget(self.result)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Refresh"), "", self.load))
        self.open_btn = button(self.tr("Receive the selected one"), "primary", self.open_selected)
        row.addWidget(self.open_btn, 2)
        lay.addLayout(row)
        self.stack.addWidget(page)

        page, lay = panel()
        self.heading = label("", "title", wrap=True)
        lay.addWidget(self.heading)
        self.scan_row = ScanRow(
            "receive", self.tr("Scan what arrived (or type its code, then Enter)"),
            self.tr("Qty 1"), self.scanned,
        )  # fmt: skip
        lay.addLayout(self.scan_row)
        self.last = label("", "muted", wrap=True)
        lay.addWidget(self.last)
        self.lines = table(
            "receive_lines",
            [self.tr("SKU"), self.tr("Announced"), self.tr("Received"), self.tr("Short"),
             self.tr("Over")],
            stretch=0,
        )  # fmt: skip
        lay.addWidget(self.lines, 1)
        self.totals = label("", "figure", wrap=True)
        lay.addWidget(self.totals)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Back to the list"), "", self.load))
        self.finish_btn = button(self.tr("Confirm what was received"), "pay", self.finish)
        row.addWidget(self.finish_btn, 2)
        lay.addLayout(row)
        self.stack.addWidget(page)

    def load(self) -> None:
        self.message.clear()
        self.doc = None
        self.stack.setCurrentIndex(0)
        self.calls.receiving(self.show_docs, self.show_error)

    def show_docs(self, docs: list[dict[str, Any]]) -> None:
        self.docs.clear()
        for d in docs:
            units = sum(int(x["qty"]) for x in d["lines"])
            kind = self.tr("Transfer") if d["kind"] == "transfer" else self.tr("Delivery")
            text = f"{d['doc']}   {kind}" + (f"  ← {d['from_store']}" if d["from_store"] else "")
            text += "   " + self.tr("%1 pieces").replace("%1", str(units))
            if d["state"] == "receiving":
                text += "   " + self.tr("(being received)")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, d["doc"])
            self.docs.addItem(item)
        if not docs:
            self.docs.addItem(self.tr("Nothing announced. New deliveries arrive with the sync."))
        else:
            self.docs.setCurrentRow(0)
        self.open_btn.setEnabled(bool(docs))

    def open_selected(self, *_item: Any) -> None:
        item = self.docs.currentItem()
        doc = item.data(Qt.ItemDataRole.UserRole) if item else None
        if doc:
            self.calls.receive_open(str(doc), self.show_status, self.show_error)

    def show_status(self, s: dict[str, Any]) -> None:
        self.doc = str(s["doc"])
        self.status = s
        self.stack.setCurrentIndex(1)
        self.heading.setText(
            self.tr("Receiving %1").replace("%1", self.doc)
            + (f"  ← {s['from_store']}" if s["from_store"] else "")
        )
        rows, colours = [], []
        for ln in s["lines"]:
            rows.append(
                (ln["sku"], str(ln["announced"]), str(ln["received"]),
                 str(ln["short"] or ""), str(ln["over"] or ""))
            )  # fmt: skip
            colours.append(DANGER if ln["over"] else WARN if ln["short"] else None)
        fill(self.lines, rows, left=(0,), colours=colours)
        self.totals.setText(
            self.tr("Announced %1 · received %2 · short %3 · over %4")
            .replace("%1", str(s["announced_units"]))
            .replace("%2", str(s["received_units"]))
            .replace("%3", str(s["short_units"]))
            .replace("%4", str(s["over_units"]))
        )
        self.scan_row.code.setFocus()

    def scanned(self, code: str) -> None:
        if self.doc is None:
            self.message.setText(self.tr("Choose the delivery first, then scan its items."))
            return
        try:
            qty = parse_qty(self.scan_row.qty.text())
        except GuitaiError as e:
            self.show_error(e)
            return
        self.message.clear()
        self.calls.receive_scan(self.doc, code, qty, self.received, self.show_error)

    def received(self, result: tuple[dict[str, Any], dict[str, Any]]) -> None:
        scan, status = result
        self.scan_row.done()
        self.show_status(status)
        select_row(self.lines, 0, str(scan["sku"]))
        over = int(scan["received"]) > int(scan["announced"])
        restyle(self.last, "error" if over else "ok")
        self.last.setText(
            self.tr("%1: %2 of %3 announced")
            .replace("%1", str(scan["sku"]))
            .replace("%2", str(scan["received"]))
            .replace("%3", str(scan["announced"]))
            + ("  " + self.tr("(more than announced)") if over else "")
        )

    def finish(self) -> None:
        if self.doc is None:
            return
        self.calls.receive_finish(self.doc, self.finished, self.show_error)

    def finished(self, r: dict[str, Any]) -> None:
        text = (
            self.tr("%1 received: %2 pieces in stock; short %3, over %4 (reported to the cloud).")
            .replace("%1", str(r["doc"]))
            .replace("%2", str(r["received_units"]))
            .replace("%3", str(r["short_units"]))
            .replace("%4", str(r["over_units"]))
        )
        self.shell.flash(text)
        self.load()
        self.result.setText(text)

    def show_error(self, e: GuitaiError) -> None:
        self.message.setText(self.session.message(e))


class SendPage(QWidget):
    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.shell = shell
        self.session = session
        self.calls = StockCalls(session)
        self.items: dict[str, dict[str, Any]] = {}  # sku -> {sku, name, on_hand, qty}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        page, lay = panel()
        outer.addWidget(page, 1)
        lay.addWidget(label(self.tr("Send items to another store"), "title"))
        row = QHBoxLayout()
        self.to_store = QLineEdit()
        self.to_store.setObjectName("send_to")
        self.to_store.setPlaceholderText(self.tr("To store, e.g. S002"))
        row.addWidget(self.to_store)
        self.note = QLineEdit()
        self.note.setObjectName("send_note")
        self.note.setPlaceholderText(self.tr("Note (optional)"))
        row.addWidget(self.note, 2)
        lay.addLayout(row)
        self.scan_row = ScanRow(
            "send", self.tr("Scan the items to send"), self.tr("Qty 1"), self.scanned
        )
        lay.addLayout(self.scan_row)
        self.lines = table(
            "send_lines", [self.tr("SKU"), self.tr("Item"), self.tr("Send"), self.tr("On hand")]
        )
        lay.addWidget(self.lines, 1)
        self.totals = label("", "figure")
        lay.addWidget(self.totals)
        self.message = label("", "error", wrap=True)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Remove the selected line"), "danger", self.remove))
        self.send_btn = button(self.tr("Send"), "pay", self.send)
        row.addWidget(self.send_btn, 2)
        lay.addLayout(row)
        self.paint()

    def load(self) -> None:
        self.message.clear()
        (self.scan_row.code if self.to_store.text() else self.to_store).setFocus()

    def scanned(self, code: str) -> None:
        try:
            qty = parse_qty(self.scan_row.qty.text())
        except GuitaiError as e:
            self.show_error(e)
            return

        def found(it: dict[str, Any]) -> None:
            line = self.items.setdefault(it["sku"], dict(it, qty=0))
            line["qty"] += qty
            line["on_hand"] = it["on_hand"]
            self.scan_row.done()
            self.message.clear()
            self.paint()
            select_row(self.lines, 0, str(it["sku"]))

        self.calls.item(code, found, self.show_error)

    def paint(self) -> None:
        fill(
            self.lines,
            [(i["sku"], str(i["name"]), str(i["qty"]), str(i["on_hand"]))
             for i in self.items.values()],
        )  # fmt: skip
        units = sum(int(i["qty"]) for i in self.items.values())
        self.totals.setText(self.tr("%1 pieces to send").replace("%1", str(units)))
        self.send_btn.setEnabled(bool(self.items))

    def remove(self) -> None:
        row = self.lines.currentRow()
        if 0 <= row < len(self.items):
            del self.items[list(self.items)[row]]
            self.paint()

    def send(self) -> None:
        to = self.to_store.text().strip()
        if not to:
            self.show_error(InvalidInput("Type the store to send to", "请输入调入门店编号"))
            self.to_store.setFocus()
            return
        items = [(sku, int(i["qty"])) for sku, i in self.items.items()]

        def sent(r: dict[str, Any]) -> None:
            self.items = {}
            self.note.clear()
            self.paint()
            self.shell.flash(
                self.tr("Transfer %1 to %2: %3 pieces out of stock; announced with the next sync.")
                .replace("%1", str(r["doc"]))
                .replace("%2", str(r["to_store"]))
                .replace("%3", str(r["units"]))
            )

        units = sum(q for _s, q in items)
        confirm(
            self.shell,
            self.tr("Send to %1").replace("%1", to.upper()),
            self.tr(
                "%1 pieces leave this store's stock now. Pack them with the transfer number."
            ).replace("%1", str(units)),
            self.tr("Send"),
            self.tr("Cancel"),
            lambda: self.calls.send(to, items, self.note.text().strip(), sent, self.show_error),
        )

    def show_error(self, e: GuitaiError) -> None:
        self.message.setText(self.session.message(e))
