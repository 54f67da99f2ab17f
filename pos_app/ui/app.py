"""Starting the till's window over the wired `App` (pos_app.bootstrap builds it)."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .common.theme import apply
from .common.translations import Translations
from .common.wedge import WedgeFilter
from .common.worker import ServiceWorker
from .first_paint import AfterFirstPaint
from .main_window import MainWindow
from .notices import start_followups, stop_followups
from .qt import QApplication, QGuiApplication, Qt, guard_none_refcount
from .session import Session

if TYPE_CHECKING:
    from pos_app.bootstrap import App


@dataclass
class TillApp:
    app: QApplication
    window: MainWindow
    session: Session
    wedge: WedgeFilter
    font_family: str


def qapplication(argv: list[str] | None = None) -> QApplication:
    guard_none_refcount()
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or ["guitai"])
    assert isinstance(app, QApplication)
    return app


def build_app(
    till: App,
    *,
    lang: str = "zh",
    kiosk: bool = False,
    customer_display: bool | None = None,
    show: bool = True,
    wire: bool = True,
) -> TillApp:
    app = qapplication()
    app.setApplicationName("Guitai")
    family = apply(app)
    translations = Translations(app)
    translations.set(lang)
    # From here on the till's database is used from its database thread alone: what the
    # window reads as it is built (the store's name and time zone) is read there first.
    worker = ServiceWorker(till.database.thread)
    till.database.thread.call(till.identity)
    session = Session(till, worker, lang)
    win = MainWindow(session, translations)
    worker.setParent(win)
    wedge = WedgeFilter(parent=win)
    app.installEventFilter(wedge)
    wedge.scanned.connect(win.scanned)
    screens = QGuiApplication.screens()
    if customer_display is None:
        customer_display = len(screens) > 1
    if show:
        if kiosk:
            # Frameless and on top: the desktop, task bar and window controls stay hidden.
            win.setWindowFlags(
                win.windowFlags()
                | Qt.WindowType.FramelessWindowHint
                | Qt.WindowType.WindowStaysOnTopHint
            )
            win.showFullScreen()
        else:
            win.resize(1280, 800)
            win.show()
        if customer_display:
            if len(screens) > 1:
                win.customer.setGeometry(screens[1].geometry())
                win.customer.showFullScreen() if kiosk else win.customer.show()
            else:
                win.customer.show()
        win.activateWindow()  # the keyboard and the scanner belong to the till's window
    win.start()
    if wire:
        background = AfterFirstPaint(win, lambda: start_background(till, session, win))
        win.screen_shown.connect(lambda name: background.shown(name, win.screens[name]))
        if not show:
            background.run_now()  # no window on the glass: no first paint to wait for
    return TillApp(app, win, session, wedge, family)


def start_background(till: App, session: Session, win: MainWindow) -> None:
    """The follow-ups' scheduler and the printing wiring (pos_app/ui/first_paint.py says when)."""
    start_followups(
        till,
        session,
        win.followup_notices,
        lambda _v: win.sale.member_col.refresh_due(),  # the sale screen of the moment
        win.notice,
    )
    # After each commit the receipt prints (on its own thread: the change shows at once);
    # a problem (paper out…) reaches the banner.  Queued on the worker, which runs jobs in
    # order, before any sale can complete or a report print from the screen just painted.
    notices = win.notices  # kept alive by this closure for the printing thread

    def emit(err: Any) -> None:
        notices.arrived.emit(err)

    session.call(lambda: till.side_effects.wire(emit, background=True), lambda _v: None, win.notice)


def teardown(t: TillApp) -> None:
    t.app.removeEventFilter(t.wedge)
    t.window.translations.set("en")  # uninstall: the QApplication outlives this window
    t.window.status.stop()
    t.session.worker.wait_idle()
    stop_followups(t.session.till)
    t.window.customer.close()
    # Both windows are deleted by the GUI thread's event loop, and the Python cycles around
    # them collected here, on the GUI thread: left to the cyclic GC, the parentless customer
    # display (and the Notices relay) could be freed on whichever thread allocates next — a
    # worker, a printer or an emulator thread — and Qt then crashed later in setStyleSheet or
    # on a timer of a dead object (tests/e2e/ui: test_ui_selling then test_ui_screenshots crashed
    # 3 runs in 4 without this, 0 in 4 with it).
    t.window.customer.deleteLater()
    t.window.close()
    t.window.deleteLater()
    gc.collect()
