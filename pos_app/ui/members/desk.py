"""The member calls the screens make (find, enroll, the panel, coupon, points, stored value,
associate, tags, suggestions, follow-ups).  Every one runs on the ServiceWorker through the
session; changes to the sale come back as a fresh `SaleView` like any other change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pos_app.domain.commands import RefundTopUp, TopUp
from pos_app.domain.errors import GuitaiError, StateError
from pos_app.domain.members import Member, member_code_id
from pos_app.domain.sale import Sale
from pos_app.domain.users import User
from pos_app.services.members.checkout import MemberCheckout, PointsCap
from pos_app.services.members.parts import Members

from ..session import Err, Ok, Session
from ..views.sale import SaleView

ViewOk = Callable[[SaleView], None]


def _no_members() -> GuitaiError:
    return StateError(
        "Members are not available on this till (no member service)",
        "本机未启用会员功能",
    )


def is_member_code(code: str) -> bool:
    """A member code (GTM:…) scanned into the sale's field attaches the member."""
    return member_code_id(code.strip()) is not None


class MemberDesk:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- plumbing ----------------------------------------------------------------------

    @property
    def mc(self) -> MemberCheckout | None:
        return self.session.mc

    @property
    def members(self) -> Members:
        return self.session.till.members()

    @property
    def available(self) -> bool:
        return self.session.mc is not None

    def _change(self, fn: Callable[[MemberCheckout], object], ok: ViewOk, err: Err) -> None:
        mc = self.mc
        if mc is None:
            err(_no_members())
            return

        def change(_sale: Sale) -> None:
            fn(mc)

        self.session._sale_call(change, ok, err)

    # ---- find, enroll, attach ----------------------------------------------------------

    def find(self, query: str, ok: Callable[[list[Member]], None], err: Err) -> None:
        """Members for a phone, last four digits, member code or e-receipt (the service asks
        the cloud for a number the till does not hold)."""
        self.session.call(lambda: list(self.members.directory.find(query)), ok, err)

    def attach(self, member: Member, ok: ViewOk, err: Err) -> None:
        self._change(lambda mc: mc.attach(member), ok, err)

    def attach_code(self, code: str, ok: ViewOk, err: Err) -> None:
        """A scanned member code: find and attach in one worker call."""
        self._change(lambda mc: mc.attach(self.members.directory.find_one(code.strip())), ok, err)

    def detach(self, ok: ViewOk, err: Err) -> None:
        self._change(lambda mc: mc.detach(), ok, err)

    def enroll(
        self, values: dict[str, Any], ok: Callable[[tuple[Member, bool]], None], err: Err
    ) -> None:
        """Enroll; an existing phone finds that member (ok gets (member, created))."""

        def job() -> tuple[Member, bool]:
            result: tuple[Member, bool] = self.members.directory.enroll(
                values["phone"],
                name=values.get("name", ""),
                birthday=values.get("birthday") or None,
                consent=bool(values.get("consent")),
                associate=values.get("associate") or None,
                tags=values.get("tags", ""),
            )
            return result

        self.session.call(job, ok, err)

    # ---- the panel ---------------------------------------------------------------------

    def panel(self, ok: Ok, err: Err) -> None:
        """The member panel and the suggestions for the associate, in one worker call:
        (panel or None, suggestions, points cap or None)."""
        mc = self.mc
        if mc is None:
            return
        skus = [ln.sku for ln in mc.sale.lines]

        def job() -> tuple[dict[str, Any] | None, dict[str, Any], PointsCap | None]:
            member = mc.member
            panel = self.members.directory.panel(member.id) if member is not None else None
            sug = self.members.associates.suggestions(skus, member.id if member else None, limit=4)
            cap = mc.points_cap() if member is not None else None
            return panel, sug, cap

        self.session.call(job, ok, err)

    def chain_view(self, member_id: str, ok: Ok, err: Err) -> None:
        """The member across every store (issue 21): from the cloud, else this till's copy
        with its age (MemberChainViews)."""

        def job() -> dict[str, Any]:
            return self.members.chain.show(self.members.directory.by_id(member_id).phone)

        self.session.call(job, ok, err)

    def set_tags(self, tags: str, ok: ViewOk, err: Err) -> None:
        user = self.session.user
        who = user.name if user else ""

        def change(mc: MemberCheckout) -> None:
            if mc.member is not None:
                mc.member = self.members.directory.set_tags(mc.member.id, tags, who)

        self._change(change, ok, err)

    # ---- savings -----------------------------------------------------------------------

    def apply_coupon(self, code: str | None, ok: ViewOk, err: Err) -> None:
        self._change(lambda mc: mc.apply_coupon(code), ok, err)

    def redeem_points(self, points: int, ok: ViewOk, err: Err) -> None:
        self._change(lambda mc: mc.redeem_points(points), ok, err)

    def points_cap(self, ok: Callable[[PointsCap], None], err: Err) -> None:
        mc = self.mc
        if mc is None:
            err(_no_members())
            return
        self.session.call(mc.points_cap, ok, err)

    def top_up(
        self,
        amount_fen: int,
        ok: ViewOk,
        err: Err,
        tender: str = "cash",
        code: str | None = None,
        on_text: Callable[[str, str], None] | None = None,
    ) -> None:
        """Stored value bought at the till by any tender (the top-up handler): cash as a
        pay-in, card or a wallet code through the payment service (on_text: the terminal's
        texts, called on the worker); credited by the cloud, the top-up receipt printed; the
        sale's view comes back with the member's new balance."""
        user = self.session.user
        till = self.session.till

        def change(mc: MemberCheckout) -> None:
            if mc.member is None or user is None:
                raise StateError("Find the member first", "请先查找会员")
            cmd = TopUp(user, mc.member.id, amount_fen, tender, code)
            till.topups().top_up(cmd, on_text)
            mc.refresh_member()

        self._change(change, ok, err)

    def topup_preview(self, amount_fen: int, ok: Ok, err: Err) -> None:
        """The bonus rule the published rules give this member for the amount (the cloud
        decides when it books: this is what the customer is told before paying)."""
        mc = self.mc
        if mc is None or mc.member is None:
            err(StateError("Find the member first", "请先查找会员"))
            return
        member = mc.member
        till = self.session.till
        self.session.call(lambda: till.topups().preview(member, amount_fen), ok, err)

    def topup_refundable(self, ok: Ok, err: Err) -> None:
        """The member's top-ups with money left to refund, newest first (TopUps.refundable)."""
        mc = self.mc
        if mc is None or mc.member is None:
            err(StateError("Find the member first", "请先查找会员"))
            return
        member_id = mc.member.id
        till = self.session.till
        self.session.call(lambda: till.topups().refundable(member_id), ok, err)

    def topup_scan(self, text: str, ok: Ok, err: Err) -> None:
        """A scanned top-up receipt's QR: the number of this till's top-up it names."""
        till = self.session.till
        self.session.call(lambda: till.receipts.topup_scan(text), ok, err)

    def refund_top_up(
        self, approver: User, topup_ref: str, amount_fen: int | None, ok: Ok, err: Err
    ) -> None:
        """Refund (part of) a top-up to the tender it came by, through the same provider (the
        refund handler; `approver` a manager, as `member topup-refund --user` requires); the
        refund receipt prints.  `ok` gets (the recorded refund, the sale's fresh view)."""
        mc = self.mc
        if mc is None:
            err(_no_members())
            return
        till = self.session.till
        box: dict[str, Any] = {}

        def change(mc: MemberCheckout) -> None:
            box["refund"] = till.topups().refund(RefundTopUp(approver, topup_ref, amount_fen))
            mc.refresh_member()

        self._change(change, lambda view: ok((box["refund"], view)), err)

    # ---- the associate -----------------------------------------------------------------

    def set_associate(self, name: str | None, ok: ViewOk, err: Err) -> None:
        def change(mc: MemberCheckout) -> None:
            mc.sale.associate = name or None

        self._change(change, ok, err)

    def associates(self, ok: Ok, err: Err) -> None:
        """The names offered for the associate: the till's active users."""
        self.session.call(
            lambda: [u.name for u in self.session.till.users.list() if u.active], ok, err
        )

    # ---- follow-ups --------------------------------------------------------------------

    def followups(self, ok: Ok, err: Err) -> None:
        """Open follow-ups (due and upcoming), each with the member and the sale it follows."""
        till = self.session.till

        def job() -> list[dict[str, Any]]:
            rows = self.members.associates.followups()[:200]
            due = {r["id"] for r in self.members.associates.followups(due=True)}
            out = []
            for r in rows:
                p = till.uow.sales.payload(sale_id=r["sale_id"]) or {}
                out.append(
                    dict(r)
                    | {
                        "due": r["id"] in due,
                        "receipt_no": p.get("receipt_no"),
                        "total_fen": p.get("total_fen"),
                        "items": [ln["name"] for ln in p.get("lines", [])],
                    }
                )
            return out

        self.session.call(job, ok, err)

    def due_count(self, ok: Ok, err: Err) -> None:
        """(due now, open) for the follow-ups badge."""
        till = self.session.till

        def job() -> tuple[int, int]:
            members = till.members()
            return len(members.associates.followups(due=True)), len(members.associates.followups())

        self.session.call(job, ok, err)

    def finish_followup(self, fid: int, note: str, ok: Ok, err: Err) -> None:
        user = self.session.user
        who = user.name if user else ""
        self.session.call(lambda: self.members.associates.finish_followup(fid, who, note), ok, err)
