"""The till's window: a header, one screen at a time, the status bar; owns the flow between
screens, the manager-approval dialog and the language switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pos_app.domain.errors import GuitaiError
from pos_app.domain.sale import Approval
from pos_app.domain.timeutil import zone

from .common.dialogs import Dialog, Field, FormDialog, PickDialog, TextDialog
from .common.translations import Translations
from .common.widgets import button, label, restyle, yuan
from .notices import FollowupNotices, Notices, stop_followups
from .qt import (
    QCloseEvent,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QStackedWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .returns.screen import ReturnsScreen
from .sale.customer_display import CustomerDisplay
from .sale.screen import SaleScreen
from .session import Session
from .shift.screen import ShiftScreen
from .signin.screen import SignInScreen
from .status_bar import StatusBar
from .stock.grid import StockGridScreen
from .stock.screen import StockScreen
from .tender.screen import TenderScreen
from .views.sale import EMPTY_VIEW, SaleView


class MainWindow(QMainWindow):
    screen_shown = Signal(str)  # the name of the screen `go` moved to

    def __init__(self, session: Session, translations: Translations) -> None:
        super().__init__()
        self.session = session
        self.print_problem = ""
        # No parent: the printing thread may report after this window is gone (it emits into
        # a live object; Qt drops the connection with the window).
        self.notices = Notices()
        self.notices.arrived.connect(self.notice)
        self.followup_notices = FollowupNotices()
        self.followup_notices.due.connect(self.followups_due)
        self.translations = translations
        self.dialog: Dialog | None = None
        self.last_refund: dict[str, Any] | None = None
        self.tz = zone(session.till.identity().tz)
        self.customer = CustomerDisplay(session.till.identity().store_name)
        self.current = "signin"
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(15_000)
        self.clock_timer.timeout.connect(self.tick)
        self.clock_timer.start()
        session.worker.busy_changed.connect(self._busy)
        self.build()

    # ---- building (again on a language switch) -----------------------------------------

    def build(self) -> None:
        self.setWindowTitle(self.tr("Guitai till"))
        root = QWidget()
        lay = QVBoxLayout(root)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        header = QFrame()
        header.setObjectName("header")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(20, 8, 12, 8)
        hl.setSpacing(16)
        ident = self.session.till.identity()
        hl.addWidget(label(ident.store_name, "store"))
        hl.addWidget(label(self.tr("Till %1").replace("%1", str(ident.till_no))))
        hl.addStretch(1)
        self.user_label = label("")
        hl.addWidget(self.user_label)
        self.clock = label("")
        hl.addWidget(self.clock)
        self.lang_btn = button(
            "English" if self.session.lang == "zh" else "中文", "", self.toggle_language
        )
        self.lang_btn.setObjectName("lang")
        hl.addWidget(self.lang_btn)
        self.signout_btn = button(self.tr("Sign out"), "", self.sign_out)
        hl.addWidget(self.signout_btn)
        lay.addWidget(header)
        self.flash_label = label("", "ok", wrap=True)
        self.flash_label.setContentsMargins(20, 6, 20, 0)
        self.flash_label.hide()
        lay.addWidget(self.flash_label)
        self.stack = QStackedWidget()
        s = self.session
        self.signin = SignInScreen(self, s)
        self.sale = SaleScreen(self, s)
        self.tender = TenderScreen(self, s)
        self.returns = ReturnsScreen(self, s)
        self.shift = ShiftScreen(self, s)
        self.stock_grid = StockGridScreen(self, s)
        self.stock = StockScreen(self, s)
        self._connect_screens()
        self.customer.show_sale(s.view)  # what the new sale screen painted first
        self.screens: dict[str, QWidget] = {
            "signin": self.signin,
            "sale": self.sale,
            "tender": self.tender,
            "returns": self.returns,
            "shift": self.shift,
            "stock_grid": self.stock_grid,
            "stock": self.stock,
        }
        for w in self.screens.values():
            self.stack.addWidget(w)
        lay.addWidget(self.stack, 1)
        self.status = StatusBar(self, self.session)
        lay.addWidget(self.status)
        old = self.takeCentralWidget()
        if old is not None:
            old.deleteLater()
        self.setCentralWidget(root)
        self.flash_timer = QTimer(self)
        self.flash_timer.setSingleShot(True)
        self.flash_timer.timeout.connect(self.flash_label.hide)
        self.tick()
        self.status.start()

    def _connect_screens(self) -> None:
        """The screens say where the cashier goes next; the window moves there.  A rebuilt
        screen (language switch) is connected afresh, the old one's connections go with it."""
        self.signin.signed_in.connect(self.after_sign_in)
        sale = self.sale
        sale.wants_tender.connect(self.show_tender)
        sale.wants_returns.connect(self.show_returns)
        sale.wants_shift.connect(self.show_shift)
        sale.wants_reprint.connect(self.ask_reprint)
        sale.wants_stock_grid.connect(self.show_stock_grid)
        sale.wants_new_sale.connect(self.new_sale)
        sale.rendered.connect(self.customer.show_sale)
        tender = self.tender
        tender.wants_sale.connect(self.show_sale)
        tender.wants_new_sale.connect(self.new_sale)
        tender.rendered.connect(self.customer.show_sale)
        tender.completed.connect(self.sale_completed)
        tender.reprinted.connect(self.reprinted)
        tender.gift_printed.connect(self.gift_printed)
        self.returns.wants_sale.connect(self.show_sale)
        self.returns.refunded.connect(self._refunded)
        shift = self.shift
        shift.shift_opened.connect(self.after_shift_open)
        shift.wants_sale.connect(self.show_sale)
        shift.wants_sign_out.connect(self.sign_out)
        shift.wants_stock.connect(self.show_stock)
        self.stock_grid.wants_sale.connect(self.show_sale)
        self.stock_grid.added.connect(self._added_from_grid)
        self.stock.wants_sale.connect(self.show_sale)
        self.stock.wants_shift.connect(self.show_shift)

    def tick(self) -> None:
        now = self.session.till.clock.now().astimezone(self.tz)
        self.clock.setText(now.strftime("%H:%M"))
        u = self.session.user
        self.user_label.setText(self.tr("Cashier %1").replace("%1", u.name) if u else "")
        self.signout_btn.setVisible(u is not None)

    def _busy(self, busy: bool) -> None:
        self.status.set_busy(busy)

    def go(self, name: str) -> None:
        self.current = name
        self.stack.setCurrentWidget(self.screens[name])
        self.tick()
        self.screen_shown.emit(name)

    # ---- flow --------------------------------------------------------------------------

    def start(self) -> None:
        self.go("signin")
        self.signin.load()

    def after_sign_in(self) -> None:
        self.tick()
        self.session.shift_open(self._shift_known, self.sale.show_error)

    def _shift_known(self, is_open: bool) -> None:
        if not is_open:
            self.show_shift()
        else:
            self.new_sale()

    def after_shift_open(self) -> None:
        self.flash(self.tr("Shift open. Happy selling!"))
        self.new_sale()

    def new_sale(self) -> None:
        def ready(view: SaleView) -> None:
            self.sale.show_view(view)
            self.show_sale()

        self.session.view = EMPTY_VIEW
        self.print_problem = ""
        self.sale.member_col.refresh_due()  # a member sale just scheduled its follow-ups
        self.win_customer_reset()
        self.session.start_sale(ready, self._start_failed)

    def sale_completed(self, payload: dict[str, Any]) -> None:
        """The done page is up: a print problem reported meanwhile is said there; the
        customer sees the total and the e-receipt QR."""
        if self.print_problem:
            self.tender.show_print_problem(self.print_problem)
        self.customer.show_done(payload)
        self.session.ereceipt_qr(payload, self.customer.show_qr, lambda _e: None)

    def _refunded(self, payload: dict[str, Any]) -> None:
        self.last_refund = payload

    def _added_from_grid(self, view: SaleView) -> None:
        self.show_sale()
        self.sale.updated(view)

    def win_customer_reset(self) -> None:
        self.customer.show_qr(None)

    def _start_failed(self, err: GuitaiError) -> None:
        self.show_shift()
        self.shift.show_error(err)

    def show_sale(self) -> None:
        if self.session.sale is None:
            self.new_sale()
            return
        self.go("sale")
        self.sale.show_view(self.session.view)
        self.sale.focus_scan()

    def show_tender(self) -> None:
        if self.current != "sale" or not self.session.view.lines:
            return
        self.go("tender")
        self.tender.load(self.session.view)

    def show_returns(self) -> None:
        if self.session.view.lines:
            self.sale.show_error(
                GuitaiError(
                    "Finish or suspend the sale before taking a return",
                    "请先完成或挂起当前交易，再办理退货",
                )
            )
            return
        self.go("returns")
        self.returns.load()

    def show_shift(self) -> None:
        self.go("shift")
        self.shift.load()

    def show_stock_grid(self, code: str = "") -> None:
        """The size-and-colour grid (sale screen, F3) for an item code, SKU or style."""
        if self.current != "sale":
            return
        self.go("stock_grid")
        self.stock_grid.load(code)

    def show_stock(self, back_to: str = "shift") -> None:
        """The stock area: count (盘点), receiving, sending, reports."""
        self.go("stock")
        self.stock.load(back_to)

    def sign_out(self) -> None:
        if self.session.view.lines and self.session.sale and self.session.sale.state == "open":
            self.flash(
                self.session.message(
                    GuitaiError(
                        "Finish, suspend or void the sale before signing out",
                        "请先完成、挂起或作废当前交易，再退出登录",
                    )
                ),
                error=True,
            )
            return
        if self.returns.refunding is not None or self.tender.paying is not None:
            self.flash(
                self.session.message(
                    GuitaiError(
                        "The card terminal is still working: finish or cancel it first",
                        "刷卡终端仍在处理：请先完成或取消",
                    )
                ),
                error=True,
            )
            return
        self.session.sign_out()
        self.session.sale = None
        self.session.view = EMPTY_VIEW
        self.start()

    def flash(self, text: str, error: bool = False, ms: int = 6000) -> None:
        restyle(self.flash_label, "error" if error else "ok")
        self.flash_label.setText(text)
        self.flash_label.show()
        self.flash_timer.start(ms)

    def notice(self, err: GuitaiError) -> None:
        """A receipt that did not print or a drawer that did not open: the sale stands; the
        banner says what to do (e.g. 纸用完了：请换纸卷，然后重印)."""
        text = self.session.message(err)
        self.print_problem = text
        self.flash(text, error=True, ms=30_000)
        if self.current == "tender" and self.tender.stack.currentIndex() == 1:
            self.tender.show_print_problem(text)
        self.status.poll()

    # ---- scanner -----------------------------------------------------------------------

    def scanned(self, code: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            into = getattr(self.dialog, "scanned", None)  # e.g. a member code into Find
            if into is not None:
                into(code)
            return
        if self.current == "sale":
            self.sale.scanned(code)
        elif self.current == "tender" and self.tender.stack.currentIndex() == 0:
            self.tender.scanned(code)
        elif self.current == "returns":
            self.returns.scanned(code)
        elif self.current == "stock_grid":
            self.stock_grid.scanned(code)
        elif self.current == "stock":
            self.stock.scanned(code)

    def followups_due(self, rows: list[dict[str, Any]]) -> None:
        """The scheduler says follow-ups fell due: say so and update the badge."""
        names = "，".join(str(r.get("name") or r.get("member_id")) for r in rows[:3])
        self.flash(
            self.tr("%1 follow-up(s) due: %2").replace("%1", str(len(rows))).replace("%2", names),
            ms=15_000,
        )
        self.sale.member_col.refresh_due()

    # ---- dialogs -----------------------------------------------------------------------

    def open_dialog(self, dialog: Dialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: Dialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        self.activateWindow()  # keyboard shortcuts and the scanner come back to the till
        if self.current == "sale":
            self.sale.focus_scan()

    def ask_approval(
        self,
        action: str,
        err: GuitaiError,
        reason: str,
        then: Callable[[Approval], None],
        problem: str = "",
    ) -> None:
        """The manager override: name, PIN and reason; on success `then(approval)` retries."""

        def ok(v: dict[str, str]) -> None:
            self.session.approval(
                v["name"],
                v["pin"],
                action,
                v["reason"],
                then,
                lambda e: self.ask_approval(
                    action, err, v["reason"], then, self.session.message(e)
                ),
            )

        dlg = FormDialog(
            self,
            self.tr("Manager approval"),
            [
                Field("name", self.tr("Manager")),
                Field("pin", self.tr("PIN"), secret=True),
                Field("reason", self.tr("Reason"), value=reason),
            ],
            ok,
            message=self.session.message(err),
            ok_text=self.tr("Approve"),
            cancel_text=self.tr("Cancel"),
            keypad=True,
            choices={"name": self.session.managers},
            validate=lambda v: (
                ""
                if v["name"] and v["pin"] and v["reason"]
                else self.tr("Manager, PIN and reason are all needed.")
            ),
        )
        dlg.setObjectName("approval")
        if problem:
            dlg.show_error(problem)
        self.open_dialog(dlg)

    def ask_reprint(self) -> None:
        def show(rows: list[dict[str, Any]]) -> None:
            items = [
                (
                    f"#{r['receipt_no']}  {self.session.local(str(r['completed_at']))}  "
                    f"{self.tr('Refund') if r['kind'] == 'refund' else self.tr('Sale')}  "
                    f"{r['cashier']}  {yuan(int(r['total_fen']))}",
                    int(r["receipt_no"]),
                )
                for r in rows
            ]
            self.open_dialog(
                PickDialog(
                    self,
                    self.tr("Reprint a receipt"),
                    items,
                    lambda no: self.session.reprint(int(no), self.reprinted, self.sale.show_error),
                    empty_text=self.tr("No receipts yet."),
                    ok_text=self.tr("Reprint"),
                    cancel_text=self.tr("Cancel"),
                )
            )

        self.session.call(
            lambda: self.session.till.reads.recent_receipts(30), show, self.sale.show_error
        )

    def reprinted(self, result: tuple[int, bool, str]) -> None:
        no, printed, text = result
        if printed:
            self.print_problem = ""
            self.flash(self.tr("Receipt %1 reprinted.").replace("%1", str(no)))
            return
        self.open_dialog(
            TextDialog(
                self,
                self.tr("Receipt %1 (no printer configured)").replace("%1", str(no)),
                text,
                self.tr("Close"),
            )
        )

    def gift_printed(self, result: tuple[int, bool, str]) -> None:
        no, printed, text = result
        if printed:
            self.flash(self.tr("Gift receipt for %1 printed.").replace("%1", str(no)))
            return
        self.open_dialog(
            TextDialog(
                self,
                self.tr("Gift receipt %1 (no printer configured)").replace("%1", str(no)),
                text,
                self.tr("Close"),
            )
        )

    # ---- language ----------------------------------------------------------------------

    def toggle_language(self) -> None:
        if self.tender.paying is not None or self.returns.refunding is not None:
            return  # the terminal is working for this screen: switch after the payment
        self.set_language("en" if self.session.lang == "zh" else "zh")

    def set_language(self, lang: str) -> None:
        self.session.lang = lang
        self.translations.set(lang)
        in_flight = self.session.worker.pending
        current = self.current
        stock_state = self.stock.state()
        self.status.stop()
        self.build()
        self.go(current)
        if current == "signin":
            self.signin.load()
        elif current == "sale":
            self.show_sale()
        elif current == "tender":
            self.tender.load(self.session.view)
        elif current == "returns":
            self.returns.load()
        elif current == "shift":
            self.shift.load()
        elif current == "stock_grid":
            self.show_sale()
        elif current == "stock":
            self.stock.restore(stock_state)
        self.sale.member_col.refresh_due()
        if in_flight:
            # Calls still on the worker were asked for by the screens just replaced: their
            # results are dropped with them, the session keeps what they changed.  Queued
            # behind them (one worker, in order), this paints the new sale screen from it.
            self.session.call(lambda: None, self._repaint_sale, lambda _e: None)

    def _repaint_sale(self, _done: None) -> None:
        if self.current == "sale" and self.session.sale is not None:
            self.sale.show_view(self.session.view)

    def closeEvent(self, event: QCloseEvent) -> None:
        stop_followups(self.session.till)
        self.status.stop()
        self.customer.close()
        self.session.worker.shutdown()
        super().closeEvent(event)
