"""The line and order discount dialogs of the sale screen (a manager approves what is
beyond the cashier's limit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from pos_app.domain.errors import GuitaiError, InvalidInput, NeedsApproval
from pos_app.domain.pricing import Discount
from pos_app.domain.sale import Approval

from ..common.dialogs import Field, FormDialog
from ..qt import QObject

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell
    from ..views.sale import LineView, SaleView


class DiscountedScreen(Protocol):
    """What the discount dialogs need of the sale screen."""

    shell: Shell
    session: Session

    def selected_line(self) -> LineView | None: ...

    def updated(self, view: SaleView) -> None: ...

    def show_error(self, err: GuitaiError) -> None: ...


class SaleDiscounts(QObject):
    def __init__(self, screen: DiscountedScreen, parent: QObject) -> None:
        """`parent` is the screen's widget: this object and its dialogs' callbacks live as
        long as the screen."""
        super().__init__(parent)
        self.screen = screen

    def ask_line_discount(self) -> None:
        ln = self.screen.selected_line()
        if ln is None:
            return
        session = self.screen.session

        def apply(disc: Discount | None, approval: Approval | None = None) -> None:
            def err(e: GuitaiError) -> None:
                if isinstance(e, NeedsApproval):
                    self.screen.shell.ask_approval(
                        "line_discount", e, disc.reason if disc else "", lambda a: apply(disc, a)
                    )
                else:
                    self.screen.show_error(e)

            session.line_discount(ln.line_no, disc, approval, self.screen.updated, err)

        self._ask_discount(ln.name, ln.discount, apply)

    def ask_order_discount(self) -> None:
        session = self.screen.session

        def apply(disc: Discount | None, approval: Approval | None = None) -> None:
            def err(e: GuitaiError) -> None:
                if isinstance(e, NeedsApproval):
                    self.screen.shell.ask_approval(
                        "order_discount", e, disc.reason if disc else "", lambda a: apply(disc, a)
                    )
                else:
                    self.screen.show_error(e)

            session.order_discount(disc, approval, self.screen.updated, err)

        self._ask_discount(self.tr("Whole sale"), session.view.order_discount, apply)

    def _ask_discount(
        self, what: str, current: str, apply: Callable[[Discount | None], None]
    ) -> None:
        def parse(v: dict[str, str]) -> Discount | None:
            return Discount.parse(v["value"], v["reason"]) if v["value"] else None

        def validate(v: dict[str, str]) -> str:
            try:
                parse(v)
            except InvalidInput as e:
                return self.screen.session.message(e)
            if v["value"] and not v["reason"]:
                return self.tr("Give a reason for the discount.")
            return ""

        self.screen.shell.open_dialog(
            FormDialog(
                self.screen.shell.window(),
                self.tr("Discount"),
                [
                    Field(
                        "value",
                        self.tr("Discount (10% or an amount in yuan; empty removes it)"),
                        "10%",
                        value=current,
                    ),
                    Field("reason", self.tr("Reason"), self.tr("e.g. damaged, VIP, price match")),
                ],
                lambda v: apply(parse(v)),
                message=what,
                ok_text=self.tr("Apply"),
                cancel_text=self.tr("Cancel"),
                validate=validate,
            )
        )
