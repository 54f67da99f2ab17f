"""The stock screens' service calls (`till.stock`), each on the ServiceWorker like every other
screen's: the GUI thread never waits on the database or the cloud.  Results are plain dicts
built on the worker, so painting never reads anything that is being changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import AccessDenied, GuitaiError, NotFound, StateError
from pos_app.domain.sale import Approval
from pos_app.domain.users import Role, User
from pos_app.services.stock import StockService

if TYPE_CHECKING:
    from ..session import Session

Ok = Callable[[Any], None]
Err = Callable[[GuitaiError], None]


class StockCalls:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def stock(self) -> StockService:
        return self.session.till.stock

    def _call(self, fn: Callable[[], Any], ok: Ok, err: Err) -> None:
        self.session.call(fn, ok, err)

    def _user(self) -> User:
        user = self.session.user
        if user is None:
            raise AccessDenied("Sign in first", "请先登录")
        return user

    def _manager(self, approval: Approval) -> User:
        """The approving manager (whose PIN the approval dialog has just checked)."""
        for u in self.session.till.users.list():
            if u.name == approval.approver and u.active:
                return u
        raise NotFound(
            f"No user called {approval.approver}", f"没有名为 {approval.approver} 的用户"
        )

    # ---- the grid --------------------------------------------------------------------------

    def grid(self, code: str, ok: Ok, err: Err) -> None:
        """This store's grid at once (no cloud): one indexed query."""
        self._call(lambda: self.stock.grid(code, other_stores=False), ok, err)

    def other_stores(self, style: str, ok: Ok, err: Err) -> None:
        """The chain's other stores (the cloud, with its short timeout)."""
        self._call(lambda: self.stock.other_stores(style), ok, err)

    # ---- counts ----------------------------------------------------------------------------

    def count_state(self, ok: Ok, err: Err) -> None:
        """The open count's running report, or None when no count is open."""

        def job() -> dict[str, Any] | None:
            try:
                return dict(self.stock.count_report())
            except StateError:
                return None

        self._call(job, ok, err)

    def count_start(self, approval: Approval | None, note: str, ok: Ok, err: Err) -> None:
        """A manager starts the count: the signed-in manager, or the one who approved."""

        def job() -> dict[str, Any]:
            user = self._manager(approval) if approval is not None else self._user()
            if not user.has(Role.MANAGER):
                raise AccessDenied(
                    f"{user.name} is not a manager: a manager starts a stock count",
                    f"{user.name} 不是店长：盘点需要店长开始",
                )
            self.stock.count_start(user, note)
            return dict(self.stock.count_report())

        self._call(job, ok, err)

    def count_scan(self, code: str, qty: int, ok: Ok, err: Err) -> None:
        """Add counted units; ok gets (the scan's answer, the running report)."""

        def job() -> tuple[dict[str, Any], dict[str, Any]]:
            scan = dict(self.stock.count_scan(code, qty))
            return scan, dict(self.stock.count_report())

        self._call(job, ok, err)

    def count_finish(self, approval: Approval | None, ok: Ok, err: Err) -> None:
        """Post the differences: the signed-in user (refused unless a manager) or the manager
        who approved."""

        def job() -> dict[str, Any]:
            user = self._manager(approval) if approval is not None else self._user()
            return dict(self.stock.count_finish(user))

        self._call(job, ok, err)

    def count_cancel(self, approval: Approval | None, ok: Ok, err: Err) -> None:
        def job() -> dict[str, Any]:
            user = self._manager(approval) if approval is not None else self._user()
            return dict(self.stock.count_cancel(user))

        self._call(job, ok, err)

    # ---- receiving and sending -------------------------------------------------------------

    def receiving(self, ok: Ok, err: Err) -> None:
        self._call(lambda: [dict(d) for d in self.stock.receiving()], ok, err)

    def receive_open(self, doc: str, ok: Ok, err: Err) -> None:
        """Start receiving a document (or carry on with one being received)."""

        def job() -> dict[str, Any]:
            status = dict(self.stock.receive_status(doc))
            if status["state"] != "receiving":
                status = dict(self.stock.receive_start(doc, self._user()))
            return status

        self._call(job, ok, err)

    def receive_scan(self, doc: str, code: str, qty: int, ok: Ok, err: Err) -> None:
        def job() -> tuple[dict[str, Any], dict[str, Any]]:
            scan = dict(self.stock.receive_scan(doc, code, qty))
            return scan, dict(self.stock.receive_status(doc))

        self._call(job, ok, err)

    def receive_finish(self, doc: str, ok: Ok, err: Err) -> None:
        self._call(lambda: dict(self.stock.receive_finish(doc, self._user())), ok, err)

    def item(self, code: str, ok: Ok, err: Err) -> None:
        """An item to send: its SKU, name and on hand."""

        def job() -> dict[str, Any]:
            found = self.stock.lookup(code)
            return {
                "sku": found.sku,
                "name": getattr(found, "name", found.sku),
                "on_hand": int(self.stock.repo.on_hand(found.sku)),
            }

        self._call(job, ok, err)

    def send(
        self, to_store: str, items: list[tuple[str, int]], note: str, ok: Ok, err: Err
    ) -> None:
        self._call(lambda: dict(self.stock.send(self._user(), to_store, items, note)), ok, err)

    # ---- reports ---------------------------------------------------------------------------

    def report(self, kind: str, days: int, ok: Ok, err: Err) -> None:
        def job() -> dict[str, Any]:
            if kind == "value":
                return dict(self.stock.report_value())
            if kind == "negative":
                return dict(self.stock.report_negative())
            return dict(self.stock.report_slow(days))

        self._call(job, ok, err)
