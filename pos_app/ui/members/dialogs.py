"""The member dialogs of the sale screen: find (phone, last four digits, member code or
e-receipt, typed or scanned), pick among candidates, enroll, coupon, points, tags and the
sale's associate.  Each opens window-modal without blocking (`Shell.open_dialog`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from pos_app.domain.digits import is_digits
from pos_app.domain.errors import GuitaiError
from pos_app.domain.members import Member
from pos_app.services.members.checkout import PointsCap

from ..common.dialogs import Field, FormDialog, PickDialog
from ..common.widgets import yuan
from ..qt import QCheckBox, QObject, QWidget
from .desk import MemberDesk
from .topup import TopUpDialog
from .topup_refund import TopUpRefundDialog

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell
    from ..views.sale import SaleView


class FindDialog(FormDialog):
    """Type a number or scan a code: a scan fills the field and searches at once."""

    def scanned(self, code: str) -> None:
        self.edits["query"].setText(code.strip())
        self.try_accept()


class EnrollDialog(FormDialog):
    """Phone, name, birthday, tags, the associate credited, and marketing consent."""

    def __init__(self, *args: Any, consent_text: str, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.consent = QCheckBox(consent_text)
        self.consent.setObjectName("consent")
        self.body.insertWidget(self.body.indexOf(self.error), self.consent)

    def values(self) -> dict[str, Any]:
        return super().values() | {"consent": self.consent.isChecked()}


class SaleTarget(Protocol):
    """The sale screen, as the member column inside it (and its dialogs) hand results to it."""

    def updated(self, view: SaleView) -> None: ...

    def show_error(self, err: GuitaiError) -> None: ...

    def scanned(self, code: str) -> None: ...


class MemberFlow(QObject):
    """What the member keys and the member panel open; results land on the sale screen."""

    def __init__(
        self, shell: Shell, session: Session, desk: MemberDesk, sale: SaleTarget, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.shell = shell
        self.session = session
        self.desk = desk
        self.sale = sale

    def tier_name(self, tier: str) -> str:
        return {
            "ordinary": self.tr("Ordinary"),
            "potential": self.tr("Potential"),
            "core": self.tr("Core"),
        }.get(tier, tier)

    # ---- results -----------------------------------------------------------------------

    def _updated(self, view: SaleView) -> None:
        self.sale.updated(view)

    def _error(self, err: GuitaiError) -> None:
        self.sale.show_error(err)

    def _say(self, text: str) -> None:
        self.shell.flash(text)

    # ---- find ----------------------------------------------------------------------------

    def open_find(self) -> None:
        if not self.desk.available:
            self._error(GuitaiError("Members are not available on this till", "本机未启用会员功能"))
            return
        dlg = FindDialog(
            self.shell.window(),
            self.tr("Find member"),
            [
                Field(
                    "query",
                    self.tr("Mobile number, its last four digits, member code or e-receipt"),
                    self.tr("e.g. 13800138000 or 8000, or scan the code"),
                )
            ],
            lambda v: self.find(v["query"]),
            message=self.tr("Scan the member code on the customer's phone, or type the number."),
            ok_text=self.tr("Find"),
            cancel_text=self.tr("Cancel"),
            validate=lambda v: "" if v["query"] else self.tr("Type a number or scan a code."),
        )
        dlg.setObjectName("find_member")
        self.shell.open_dialog(dlg)

    def find(self, query: str) -> None:
        self.desk.find(query, lambda found: self._found(query, found), self._error)

    def _found(self, query: str, found: list[Member]) -> None:
        if not found:
            self.offer_enroll(query)
        elif len(found) == 1:
            self.desk.attach(found[0], self._attached, self._error)
        else:
            self.pick(found)

    def pick(self, found: Sequence[Member]) -> None:
        rows = [
            (f"{m.name or '—'}   {m.phone_masked}   {self.tier_name(m.tier)}", i)
            for i, m in enumerate(found)
        ]
        dlg = PickDialog(
            self.shell.window(),
            self.tr("Which member?"),
            rows,
            lambda i: self.desk.attach(found[int(i)], self._attached, self._error),
            empty_text="",
            ok_text=self.tr("This member"),
            cancel_text=self.tr("Cancel"),
        )
        dlg.setObjectName("pick_member")
        self.shell.open_dialog(dlg)

    def _attached(self, view: SaleView) -> None:
        self._updated(view)
        m = view.member
        if m is not None:
            self._say(self.tr("Member %1 on this sale.").replace("%1", m.name or m.phone_masked))

    # ---- enroll --------------------------------------------------------------------------

    def offer_enroll(self, query: str) -> None:
        phone = query if is_digits(query) and len(query) == 11 else ""
        self.open_enroll(
            phone,
            self.tr("No member found for %1: enroll the customer?").replace("%1", query),
        )

    def open_enroll(self, phone: str = "", message: str = "") -> None:
        def validate(v: dict[str, Any]) -> str:
            return "" if v["phone"] else self.tr("The mobile number is needed.")

        def go(names: list[str]) -> None:
            me = self.session.user.name if self.session.user else ""
            dlg = EnrollDialog(
                self.shell.window(),
                self.tr("Enroll member"),
                [
                    Field("phone", self.tr("Mobile number"), "13800138000", value=phone),
                    Field("name", self.tr("Name"), self.tr("e.g. Ms Wang")),
                    Field("birthday", self.tr("Birthday (YYYY-MM-DD, optional)"), "1990-11-03"),
                    Field("tags", self.tr("Tags (comma separated, optional)"), "修身,M码"),
                    Field("associate", self.tr("Associate credited"), value=me),
                ],
                self.enroll,
                message=message,
                ok_text=self.tr("Enroll"),
                cancel_text=self.tr("Cancel"),
                validate=validate,
                choices={"associate": names},
                consent_text=self.tr("The customer agrees to receive marketing messages"),
            )
            dlg.setObjectName("enroll_member")
            self.shell.open_dialog(dlg)

        self.desk.associates(go, self._error)

    def enroll(self, values: dict[str, Any]) -> None:
        self.desk.enroll(values, self._enrolled, self._error)

    def _enrolled(self, result: tuple[Member, bool]) -> None:
        member, created = result
        who = member.name or member.phone_masked
        self.desk.attach(member, self._updated, self._error)
        if created:
            self._say(self.tr("Enrolled %1 and put on this sale.").replace("%1", who))
        else:
            self.shell.flash(
                self.tr("%1 is already a member: found and put on this sale.").replace("%1", who),
                ms=10_000,
            )

    # ---- coupon, points, tags, associate -----------------------------------------------

    def open_coupon(self, coupons: Sequence[dict[str, Any]], current: str | None) -> None:
        lines = [
            f"{c.get('code')}  {c.get('name', '')}"
            + (
                f"  ({self.tr('from %1').replace('%1', yuan(int(c['threshold_fen'])))})"
                if c.get("threshold_fen")
                else ""
            )
            for c in coupons
        ]
        message = (
            self.tr("Usable coupons:") + "\n" + "\n".join(lines)
            if lines
            else self.tr("The member has no usable coupon: type or scan a code.")
        )
        dlg = FindDialog(
            self.shell.window(),
            self.tr("Coupon"),
            [Field("query", self.tr("Coupon code (empty removes it)"), value=current or "")],
            lambda v: self.desk.apply_coupon(v["query"] or None, self._coupon_done, self._error),
            message=message,
            ok_text=self.tr("Apply"),
            cancel_text=self.tr("Cancel"),
            choices={"query": [str(c.get("code")) for c in coupons]},
        )
        dlg.setObjectName("coupon")
        self.shell.open_dialog(dlg)

    def _coupon_done(self, view: SaleView) -> None:
        self._updated(view)
        applied = [s for s in view.savings if s.kind == "coupon"]
        if applied:
            self._say(
                self.tr("Coupon %1 applied: %2 off.")
                .replace("%1", applied[0].name)
                .replace("%2", yuan(applied[0].amount_fen))
            )

    def open_points(self) -> None:
        self.desk.points_cap(self._ask_points, self._error)

    def _ask_points(self, cap: PointsCap) -> None:
        message = (
            self.tr("The member has %1 points. %2 points = ¥1; at most %3% of the bill.")
            .replace("%1", str(cap.balance))
            .replace("%2", str(cap.points_per_yuan))
            .replace("%3", str(cap.cap_bp // 100))
            + "\n"
            + self.tr("This bill takes at most %1 points.").replace("%1", str(cap.usable))
        )

        def validate(v: dict[str, str]) -> str:
            return (
                "" if not v["points"] or is_digits(v["points"]) else self.tr("Type a whole number.")
            )

        dlg = FormDialog(
            self.shell.window(),
            self.tr("Redeem points"),
            [
                Field(
                    "points",
                    self.tr("Points (0 stops redeeming)"),
                    value=str(cap.usable),
                    digits=True,
                )
            ],
            lambda v: self.desk.redeem_points(int(v["points"] or 0), self._updated, self._error),
            message=message,
            ok_text=self.tr("Redeem"),
            cancel_text=self.tr("Cancel"),
            validate=validate,
            keypad=True,
        )
        dlg.setObjectName("points")
        self.shell.open_dialog(dlg)

    def open_tags(self, current: Sequence[str], then: Callable[[SaleView], None]) -> None:
        dlg = FormDialog(
            self.shell.window(),
            self.tr("Member tags"),
            [Field("tags", self.tr("Tags (comma separated)"), value=",".join(current))],
            lambda v: self.desk.set_tags(v["tags"], then, self._error),
            ok_text=self.tr("Save"),
            cancel_text=self.tr("Cancel"),
        )
        dlg.setObjectName("tags")
        self.shell.open_dialog(dlg)

    def open_top_up(self, balance_fen: int) -> None:
        """Any tender, the bonus rule shown before paying (members/topup.py)."""
        dlg = TopUpDialog(
            self.shell.window(), self.session, self.desk, balance_fen, self._topped_up
        )
        self.shell.open_dialog(dlg)

    def _topped_up(self, view: SaleView) -> None:
        self._updated(view)
        m = view.member
        if m is not None:
            self.shell.flash(
                self.tr("Topped up: the balance is %1.").replace("%1", yuan(m.stored_value_fen))
            )

    def open_topup_refund(self) -> None:
        """One of the member's top-ups back to its tender, a manager approving
        (members/topup_refund.py)."""
        dlg = TopUpRefundDialog(self.shell.window(), self.session, self.desk, self._refunded)
        self.shell.open_dialog(dlg)

    def _refunded(self, refund: dict[str, Any], view: SaleView) -> None:
        self._updated(view)
        zh = self.session.lang.startswith("zh")
        amount, forfeit = yuan(refund["amount_fen"]), yuan(refund["forfeited_bonus_fen"])
        balance = yuan(refund["balance_fen"])
        self.shell.flash(
            f"已退充值 {amount}，扣回赠送 {forfeit}；余额 {balance}"
            if zh
            else f"Top-up refunded: {amount}, bonus taken back {forfeit}; balance {balance}"
        )

    def open_associate(self, current: str | None) -> None:
        def go(names: list[str]) -> None:
            dlg = FormDialog(
                self.shell.window(),
                self.tr("Associate for this sale"),
                [Field("associate", self.tr("Associate (empty: none)"), value=current or "")],
                lambda v: self.desk.set_associate(v["associate"], self._updated, self._error),
                message=self.tr("The associate is credited with the sale and its follow-ups."),
                ok_text=self.tr("OK"),
                cancel_text=self.tr("Cancel"),
                choices={"associate": names},
            )
            dlg.setObjectName("associate")
            self.shell.open_dialog(dlg)

        self.desk.associates(go, self._error)
