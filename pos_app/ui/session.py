"""The till's working state (who is signed in, the open sale) and the calls the screens make.

Every call that touches the database or the sale runs on the ServiceWorker; the screens get an
immutable `SaleView` snapshot taken on the worker right after the change, so painting never
reads a sale that is being changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pos_app.domain.catalog import SkuInfo
from pos_app.domain.commands import RefundWithoutReceipt
from pos_app.domain.errors import AccessDenied, GuitaiError, StateError
from pos_app.domain.money import CashRounding
from pos_app.domain.pricing import Discount
from pos_app.domain.return_rules import STORE_CREDIT
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sale import Approval, Sale
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.tenders import PAYMENT_TENDERS, Tender
from pos_app.domain.users import Role, User
from pos_app.services.members.checkout import member_refund
from pos_app.services.members.no_receipt_price import today_price
from pos_app.services.till_reads import ParkedSale

from .common.worker import ServiceWorker, deliver
from .views.member import member_checkout
from .views.sale import EMPTY_VIEW, SaleView, snapshot

if TYPE_CHECKING:
    from pos_app.bootstrap import App
    from pos_app.services.members.checkout import MemberCheckout

__all__ = ["PAYMENT_TENDERS", "Session"]


T = TypeVar("T")
Ok = Callable[[Any], None]
Err = Callable[[GuitaiError], None]


class Session:
    """Signed-in user, the sale in progress and the language; owns no widgets."""

    def __init__(self, till: App, worker: ServiceWorker, lang: str = "zh") -> None:
        self.till = till
        self.worker = worker
        self.lang = lang
        self.user: User | None = None
        self.sale: Sale | None = None
        self.view: SaleView = EMPTY_VIEW
        self.last_payload: dict[str, Any] | None = None
        self.managers: list[str] = []  # names offered in the approval dialog
        self.printer_ready = False  # known on the worker after each commit
        self.mc: MemberCheckout | None = None  # the sale's member side

    # ---- plumbing ----------------------------------------------------------------------

    def call(self, fn: Callable[[], T], ok: Callable[[T], None], err: Err) -> None:
        self.worker.submit(fn, ok, err)

    def local(self, iso: str, fmt: str = "%H:%M") -> str:
        from pos_app.services.till_reads import local_time

        return local_time(iso, self.till.identity().tz, fmt)

    def message(self, err: GuitaiError) -> str:
        return err.for_humans(self.lang)

    @property
    def rounding(self) -> CashRounding:
        return self.till.identity().cash_rounding

    def _sale_call(
        self, change: Callable[[Sale], int | None], ok: Callable[[SaleView], None], err: Err
    ) -> None:
        """Apply a change to the open sale on the worker; ok gets the new snapshot."""
        sale = self.sale
        if sale is None:
            err(
                StateError(
                    "No sale is open: sign in and open the shift", "当前没有交易：请登录并开班"
                )
            )
            return

        def job() -> SaleView:
            mc = self.mc if self.mc is not None and self.mc.sale is sale else None
            try:
                changed = change(sale)
            except BaseException:
                if mc is not None and not sale.tenders:
                    mc.reprice()  # a refused change may have cleared the savings
                raise
            dropped = mc.reprice() if mc is not None and not sale.tenders else None
            note = self.message(dropped) if dropped is not None else ""
            return snapshot(sale, self.rounding, changed, mc, note)

        def done(view: SaleView) -> None:
            if self.sale is sale:
                self.view = view
                deliver(ok, view)

        self.call(job, done, err)

    # ---- sign-in -----------------------------------------------------------------------

    def sign_in(self, name: str, pin: str, ok: Callable[[User], None], err: Err) -> None:
        def done(user: User) -> None:
            self.user = user
            deliver(ok, user)

        self.call(lambda: self.till.users.authenticate(name, pin), done, err)

    def sign_out(self) -> None:
        self.user = None

    def approval(self, approver: str, pin: str, action: str, reason: str, ok: Ok, err: Err) -> None:
        self.call(lambda: self.till.users.approval(approver, pin, action, reason), ok, err)

    # ---- the sale ----------------------------------------------------------------------

    def start_sale(self, ok: Callable[[SaleView], None], err: Err) -> None:
        user = self.user
        assert user is not None

        def job() -> tuple[Sale, SaleView, MemberCheckout]:
            sale = self.till.sales.new_sale(user)
            return sale, snapshot(sale, self.rounding), member_checkout(self.till, sale)

        def done(result: tuple[Sale, SaleView, MemberCheckout]) -> None:
            if self.user is not user:
                return  # signed out meanwhile: the sale was the cashier's who left
            self.sale, self.view, self.mc = result
            deliver(ok, self.view)

        self.call(job, done, err)

    def scan(self, code: str, ok: Callable[[SaleView], None], err: Err, qty: int = 1) -> None:
        def change(sale: Sale) -> int:
            before = {ln.line_no: ln.qty for ln in sale.lines}
            self.till.sales.scan(sale, code, qty)
            for ln in sale.lines:
                if before.get(ln.line_no) != ln.qty:
                    return ln.line_no
            return sale.lines[-1].line_no

        self._sale_call(change, ok, err)

    def set_qty(self, line_no: int, qty: int, ok: Callable[[SaleView], None], err: Err) -> None:
        def change(sale: Sale) -> int:
            sale.set_qty(line_no, qty)
            return line_no

        self._sale_call(change, ok, err)

    def void_line(
        self, line_no: int, reason: str, ok: Callable[[SaleView], None], err: Err
    ) -> None:
        self._sale_call(lambda s: (s.void_line(line_no, reason), None)[1], ok, err)

    def line_discount(
        self,
        line_no: int,
        discount: Discount | None,
        approval: Approval | None,
        ok: Callable[[SaleView], None],
        err: Err,
    ) -> None:
        def change(sale: Sale) -> int:
            sale.set_line_discount(line_no, discount, approval)
            return line_no

        self._sale_call(change, ok, err)

    def order_discount(
        self,
        discount: Discount | None,
        approval: Approval | None,
        ok: Callable[[SaleView], None],
        err: Err,
    ) -> None:
        def change(sale: Sale) -> None:
            sale.set_order_discount(discount, approval)

        self._sale_call(change, ok, err)

    def pay(
        self,
        tender: Tender,
        amount_fen: int,
        ok: Callable[[SaleView], None],
        err: Err,
        code: str | None = None,
        on_text: Callable[[str, str], None] | None = None,
    ) -> None:
        """Cash into the sale; card / WeChat Pay / Alipay through the checkout (the terminal
        or provider is called on the worker; on_text is called there too)."""
        checkout = self.till.checkout
        mc = self.mc
        if mc is not None:
            self._sale_call(lambda s: (mc.pay(tender, amount_fen, code, on_text), None)[1], ok, err)
            return
        if tender is Tender.CASH:
            self._sale_call(
                lambda s: (s.add_tender(tender, amount_fen, self.rounding), None)[1], ok, err
            )
            return
        self._sale_call(
            lambda s: (checkout.pay(s, tender, amount_fen, code, on_text), None)[1], ok, err
        )

    def abort_payment(self, tender: Tender, err: Err) -> None:
        """The Cancel button while the terminal or provider works (the worker is busy)."""
        self.worker.submit_side(
            lambda: self.till.payments().abort(tender.value), lambda _v: None, err
        )

    def tender_availability(self, ok: Ok, err: Err) -> None:
        self.call(self.till.checkout.tender_availability, ok, err)

    def cancel_payments(self, ok: Callable[[SaleView], None], err: Err) -> None:
        """Take the payments off the sale; card and wallet approvals are given back."""

        mc = self.mc

        def change(s: Sale) -> None:
            if mc is not None and mc.sale is s:
                mc.abandon()  # the coupon released, stored value and card money given back
            elif any(t.tender in PAYMENT_TENDERS and t.reference for t in s.tenders):
                self.till.checkout.abandon(s)
            else:
                s.cancel_tenders()

        self._sale_call(change, ok, err)

    def complete(self, ok: Callable[[dict[str, Any]], None], err: Err) -> None:
        sale = self.sale
        assert sale is not None
        checkout = self.till.checkout
        mc = self.mc if self.mc is not None and self.mc.sale is sale else None

        def job() -> dict[str, Any]:
            payload: dict[str, Any] = mc.complete() if mc is not None else checkout.complete(sale)
            self.printer_ready = self.till.reads.printer_configured
            return payload

        def done(payload: dict[str, Any]) -> None:
            self.last_payload = payload
            deliver(ok, payload)

        self.call(job, done, err)

    def void_sale(self, reason: str, ok: Callable[[None], None], err: Err) -> None:
        sale = self.sale
        assert sale is not None

        mc = self.mc if self.mc is not None and self.mc.sale is sale else None

        def job() -> None:
            if mc is not None:
                mc.abandon()  # the coupon released, stored value and card money given back
            elif any(t.tender in PAYMENT_TENDERS and t.reference for t in sale.tenders):
                self.till.checkout.abandon(sale)  # never keep a customer's money for no sale
            self.till.sales.void(sale, reason)

        self.call(job, ok, err)

    def ereceipt_qr(self, payload: dict[str, Any], ok: Ok, err: Err) -> None:
        self.call(lambda: self.till.receipts.ereceipt_qr(payload), ok, err)

    def verify_scan(self, text: str, ok: Ok, err: Err) -> None:
        self.call(lambda: self.till.receipts.verify_scan(text), ok, err)

    def gift_receipt(self, receipt_no: int, ok: Ok, err: Err) -> None:
        lang = self.lang
        self.call(lambda: (receipt_no, *self.till.receipts.print_gift(receipt_no, lang)), ok, err)

    def suspend(self, label: str, ok: Callable[[int], None], err: Err) -> None:
        sale = self.sale
        assert sale is not None
        self.call(lambda: self.till.sales.suspend(sale, label), ok, err)

    def parked(self, ok: Callable[[list[ParkedSale]], None], err: Err) -> None:
        self.call(self.till.reads.parked_sales, ok, err)

    def resume(self, sid: int, ok: Callable[[SaleView], None], err: Err, label: str = "") -> None:
        user = self.user
        assert user is not None

        def job() -> tuple[Sale, SaleView, MemberCheckout]:
            sale = self.till.sales.resume(sid, user)
            mc = member_checkout(self.till, sale)
            dropped = mc.resume() if mc is not None else None  # priced against balances now
            note = self.message(dropped) if dropped is not None else ""
            return sale, snapshot(sale, self.rounding, None, mc, note), mc

        def done(result: tuple[Sale, SaleView, MemberCheckout]) -> None:
            if self.user is not user:
                # Signed out meanwhile: the basket was already taken off the parked list, so
                # dropping the result would lose it; it goes back to the list instead.
                sale = result[0]
                self.call(lambda: self.till.sales.suspend(sale, label), lambda _sid: None, err)
                return
            self.sale, self.view, self.mc = result
            deliver(ok, self.view)

        self.call(job, done, err)

    def search(self, text: str, ok: Callable[[list[SkuInfo]], None], err: Err) -> None:
        """Search by SKU, name or pinyin initials."""

        def job() -> list[SkuInfo]:
            return list(self.till.catalog().search(text, limit=20))

        self.call(job, ok, err)

    # ---- receipts and returns ----------------------------------------------------------

    def reprint(self, receipt_no: int | None, ok: Ok, err: Err) -> None:
        lang = self.lang

        def job() -> tuple[int, bool, str]:
            no = receipt_no if receipt_no is not None else self.till.reads.last_receipt_no()
            if no is None:
                from pos_app.domain.errors import NotFound

                raise NotFound("No receipt on this till yet", "本机还没有小票")
            printed, text = self.till.reads.reprint(no, lang)
            return no, printed, text

        self.call(job, ok, err)

    def receipt_text(self, payload: dict[str, Any], ok: Callable[[str], None], err: Err) -> None:
        """The paper receipt's text (on the worker: it reads the store's settings)."""
        lang = self.lang
        self.call(lambda: self.till.reads.receipt_text(payload, lang), ok, err)

    def original(self, receipt_no: int, ok: Ok, err: Err) -> None:
        self.call(lambda: self.till.reads.original_for_return(receipt_no), ok, err)

    def refund(
        self,
        receipt_no: int,
        requests: list[ReturnRequest],
        reason: str,
        approvals: list[Approval],
        ok: Ok,
        err: Err,
        mode: str = "cash",
        on_text: Callable[[str, str], None] | None = None,
        gift: bool = False,
        sold_at: SoldAt | None = None,
        credit_phone: str = "",
        consent: bool = False,
    ) -> None:
        """on_text: the card terminal's texts while a refund to the card runs (called on the
        worker thread: marshal them to the GUI thread); gift: opened from a gift receipt;
        sold_at: another till's or store's sale (a scanned e-receipt); credit_phone, consent:
        store credit's member, enrolled with their consent when not one yet."""
        user = self.user
        assert user is not None
        checkout = self.till.checkout
        members = self.till.members()

        def job() -> dict[str, Any]:
            credit_to = None
            if mode == STORE_CREDIT:
                member, _new = members.returns.store_credit.recipient(
                    credit_phone, consent=consent, publish=self.till.sync.push_now
                )
                credit_to = member.id
            # the member side too: stored value back to the card, points settled (as
            # `guitai return`)
            return member_refund(
                checkout,
                members.returns,
                user,
                receipt_no,
                requests,
                mode,
                reason,
                approvals or None,
                on_text=on_text,
                gift=gift,
                sold_at=sold_at,
                credit_to=credit_to,
            )

        self.call(job, ok, err)

    def refund_without_receipt(
        self,
        codes: tuple[str, ...],
        mode: str,
        reason: str,
        approvals: list[Approval],
        phone: str | None,
        consent: bool,
        ok: Ok,
        err: Err,
    ) -> None:
        """Goods brought back without a receipt (issue 20): `phone` counts against the brand's
        cap and, for store credit, names the member (enrolled with `consent`)."""
        user = self.user
        assert user is not None
        till = self.till

        def job() -> dict[str, Any]:
            members = till.members()
            credit_to = None
            if mode == STORE_CREDIT:
                member, _new = members.returns.store_credit.recipient(
                    phone or "", consent=consent, publish=till.sync.push_now
                )
                credit_to = member.id
            cmd = RefundWithoutReceipt(
                user, codes, mode, reason, tuple(approvals), phone=phone, credit_to=credit_to
            )
            return till.checkout.refund_without_receipt(
                cmd, today_price(members.pricing), members.returns
            )

        self.call(job, ok, err)

    # ---- shift -------------------------------------------------------------------------

    def shift_state(self, ok: Ok, err: Err) -> None:
        """(the X report of the open shift, None) or, when no shift is open, (None, the
        float the last closed day opened with, None if there was none)."""

        def job() -> tuple[dict[str, Any] | None, int | None]:
            try:
                return dict(self.till.shifts.x_report()), None
            except StateError:
                return None, self.till.shifts.last_float_fen()

        self.call(job, ok, err)

    def shift_open(self, ok: Callable[[bool], None], err: Err) -> None:
        """Whether a shift is open (cheap: no report is built)."""

        def job() -> bool:
            try:
                self.till.shifts.current()
            except StateError:
                return False
            return True

        self.call(job, ok, err)

    def open_shift(self, float_fen: int, ok: Ok, err: Err) -> None:
        user = self.user
        assert user is not None
        self.call(lambda: self.till.shifts.open(user, float_fen), ok, err)

    def cash_move(self, kind: str, amount_fen: int, reason: str, ok: Ok, err: Err) -> None:
        user = self.user
        assert user is not None
        self.call(lambda: self.till.shifts.cash_move(user, kind, amount_fen, reason), ok, err)

    def close_shift(self, manager: User, counted_fen: int, ok: Ok, err: Err) -> None:
        self.call(lambda: self.till.shifts.close(manager, counted_fen), ok, err)

    def print_report(self, report: dict[str, Any], copy: bool, ok: Ok, err: Err) -> None:
        """An X or Z on the receipt printer (on the worker: the printer takes seconds)."""
        self.call(lambda: self.till.printing().print_report(report, copy=copy), ok, err)

    def manager(self, name: str, pin: str, ok: Callable[[User], None], err: Err) -> None:
        """Authenticate a manager for an action the signed-in user may not do (日结)."""

        def job() -> User:
            u: User = self.till.users.authenticate(name, pin)
            if not u.has(Role.MANAGER):
                raise AccessDenied(
                    f"{name} is not a manager: a manager must sign this",
                    f"{name} 不是店长，需要店长授权",
                )
            return u

        self.call(job, ok, err)

    def users(self, ok: Callable[[list[User]], None], err: Err) -> None:
        self.call(lambda: [u for u in self.till.users.list() if u.active], ok, err)

    def devices(self, ok: Ok, err: Err) -> None:
        self.call(self.till.devices.all, ok, err)
