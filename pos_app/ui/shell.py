"""What a screen sees of the till's window: the session, navigation between screens, the
banner, dialogs and the manager's approval.  Screens are typed against this protocol and never
import `main_window`, so the window can own the screens without an import cycle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from pos_app.domain.errors import GuitaiError
from pos_app.domain.sale import Approval

from .common.dialogs import Dialog
from .session import Session
from .views.sale import SaleView


class SaleTarget(Protocol):
    """The sale screen as the member column, its dialogs and the size grid reach it."""

    def updated(self, view: SaleView) -> None: ...

    def show_error(self, err: GuitaiError) -> None: ...

    def scanned(self, code: str) -> None: ...


class CustomerScreen(Protocol):
    """The customer-facing display."""

    def show_sale(self, view: SaleView) -> None: ...

    def show_done(self, payload: dict[str, Any]) -> None: ...

    def show_qr(self, modules: list[list[bool]] | None) -> None: ...


class Shell(Protocol):
    """Implemented by the main window, which is also the parent widget of every dialog a
    screen opens (dialogs are window-modal to it)."""

    session: Session
    print_problem: str  # the last after-commit problem, shown again on the done page
    last_refund: dict[str, Any] | None

    @property
    def sale(self) -> SaleTarget: ...

    @property
    def customer(self) -> CustomerScreen: ...

    # ---- navigation --------------------------------------------------------------------

    def after_sign_in(self) -> None: ...

    def after_shift_open(self) -> None: ...

    def new_sale(self) -> None: ...

    def show_sale(self) -> None: ...

    def show_tender(self) -> None: ...

    def show_returns(self) -> None: ...

    def show_shift(self) -> None: ...

    def show_stock_grid(self, code: str = "") -> None: ...

    def show_stock(self, back_to: str = "shift") -> None: ...

    def sign_out(self) -> None: ...

    # ---- banner, dialogs, approval -----------------------------------------------------

    def flash(self, text: str, error: bool = False, ms: int = 6000) -> None: ...

    def notice(self, err: GuitaiError) -> None: ...

    def open_dialog(self, dialog: Dialog) -> None: ...

    def ask_approval(
        self,
        action: str,
        err: GuitaiError,
        reason: str,
        then: Callable[[Approval], None],
        problem: str = "",
    ) -> None: ...

    def ask_reprint(self) -> None: ...

    def reprinted(self, result: tuple[int, bool, str]) -> None: ...

    def gift_printed(self, result: tuple[int, bool, str]) -> None: ...
