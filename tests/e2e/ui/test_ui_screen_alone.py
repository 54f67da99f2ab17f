"""A screen is built alone, without the main window (issue 17, item 6): it takes a `Shell`
(here a stand-in that records the banner) and the session, makes its calls on the session and
says where the cashier goes next by a Qt signal instead of driving the window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from uihelp import TIMEOUT

from pos_app.ui.common.worker import ServiceWorker
from pos_app.ui.qt import QWidget
from pos_app.ui.sale.screen import SaleScreen
from pos_app.ui.session import Session
from pos_app.ui.signin.screen import SignInScreen


class StandInShell(QWidget):
    """The `Shell` protocol and nothing else (a QWidget: the parent of a screen's dialogs)."""

    def __init__(self) -> None:
        super().__init__()
        self.flashes: list[str] = []
        self.dialogs: list[Any] = []

    def flash(self, text: str, error: bool = False, ms: int = 6000) -> None:
        self.flashes.append(text)

    def open_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog)
        dialog.open()

    def ask_approval(
        self, action: str, err: Any, reason: str, then: Any, problem: str = ""
    ) -> None:
        raise AssertionError(f"no approval expected here ({action})")


@pytest.fixture
def alone(qtbot: Any, till: Any) -> Iterator[tuple[StandInShell, Session]]:
    worker = ServiceWorker(till.database.thread)
    shell = StandInShell()
    qtbot.addWidget(shell)
    session = Session(till, worker, "en")
    yield shell, session
    worker.shutdown()


def _idle(qtbot: Any, session: Session) -> None:
    qtbot.waitUntil(lambda: session.worker.pending == 0, timeout=TIMEOUT)


def test_the_sign_in_screen_alone_says_signed_in(qtbot: Any, alone: Any) -> None:
    shell, session = alone
    screen = SignInScreen(shell, session)
    qtbot.addWidget(screen)
    screen.load()
    _idle(qtbot, session)
    assert "李娜" in screen.tiles
    screen.choose("李娜")
    screen.pin.setText("7391")
    with qtbot.waitSignal(screen.signed_in, timeout=TIMEOUT):
        screen.submit()
    assert session.user is not None and session.user.name == "李娜"


def test_the_sale_screen_alone_paints_a_scan_and_asks_for_the_tender(
    qtbot: Any, alone: Any
) -> None:
    shell, session = alone
    got: list[Any] = []
    session.sign_in("李娜", "7391", got.append, got.append)
    _idle(qtbot, session)
    session.open_shift(50_000, got.append, got.append)
    _idle(qtbot, session)
    screen = SaleScreen(shell, session)
    qtbot.addWidget(screen)
    session.start_sale(screen.show_view, screen.show_error)
    _idle(qtbot, session)

    with qtbot.waitSignal(screen.rendered, timeout=TIMEOUT) as painted:
        screen.scanned("6901234567892")
    assert [ln.sku for ln in painted.args[0].lines] == ["JK1001-BK-L"]
    assert screen.table.rowCount() == 1

    with qtbot.waitSignal(screen.wants_tender, timeout=TIMEOUT):
        screen.pay_btn.click()
    with qtbot.waitSignal(screen.wants_stock_grid, timeout=TIMEOUT) as grid:
        screen.stock()
    assert grid.args == ["JK1001-BK-L"]  # the selected line's SKU
