"""The top-up refund dialog (退充值, issue 23): pick one of the member's top-ups (or scan its
receipt's QR), see what comes back — the bonus it gave forfeited first, then the money to the
tender it was paid by, through the same provider (原路退回) — and a manager approves, as
`guitai member topup-refund --user MANAGER` requires.  Online only: the refusal is shown in
both languages.  The refund's receipt prints (the `TopUpRefunded` subscriber)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import GuitaiError
from pos_app.domain.money import Money, format_fen
from pos_app.domain.tenders import Tender
from pos_app.domain.users import Role, User

from ..common.dialogs import Dialog
from ..common.widgets import label, yuan
from ..qt import QLineEdit, QListWidget, QListWidgetItem, Qt, QWidget
from .desk import MemberDesk
from .topup import both_languages

if TYPE_CHECKING:
    from ..session import Session
    from ..views.sale import SaleView

Done = Callable[[dict[str, Any], "SaleView"], None]


class TopUpRefundDialog(Dialog):
    def __init__(self, parent: QWidget, session: Session, desk: MemberDesk, on_done: Done) -> None:
        zh = session.lang.startswith("zh")
        super().__init__(parent, "退充值" if zh else "Refund a top-up")
        self.session = session
        self.setObjectName("topup_refund")
        self.desk = desk
        self.on_done = on_done
        self.rows: list[dict[str, Any]] = []
        self.busy = False
        self.body.addWidget(
            label(
                self._t(
                    "Pick the top-up, or scan the QR on its receipt. The bonus it gave is "
                    "taken back first; the money goes back to the card or wallet it was paid "
                    "with. Refunds need the cloud and a manager.",
                    "选择充值记录，或扫描充值凭证上的二维码。先扣回该笔充值的赠送金额，"
                    "款项原路退回付款的银行卡或钱包。退充值需要连接云端并由店长授权。",
                ),
                "muted",
                wrap=True,
            )
        )
        self.list = QListWidget()
        self.list.setObjectName("topup_list")
        self.list.currentRowChanged.connect(self.picked)
        self.body.addWidget(self.list)
        self.body.addWidget(label(self._t("Amount to refund (yuan)", "退款金额（元）")))
        amount = QLineEdit()
        amount.setObjectName("field_amount")
        amount.textChanged.connect(lambda _t: self.show_back())
        self.body.addWidget(amount)
        self.edits = {"amount": amount}
        self.back = label("", "title", wrap=True)
        self.back.setObjectName("refund_back")
        self.body.addWidget(self.back)
        user = session.user
        self.needs_manager = user is None or not user.has(Role.MANAGER)
        if self.needs_manager:
            for key, en, cn in (("manager", "Manager", "店长"), ("pin", "PIN", "密码")):
                self.body.addWidget(label(self._t(en, cn)))
                edit = QLineEdit()
                edit.setObjectName(f"field_{key}")
                if key == "pin":
                    edit.setEchoMode(QLineEdit.EchoMode.Password)
                self.body.addWidget(edit)
                self.edits[key] = edit
        self.finish_layout(self._t("Refund", "退款"), self._t("Cancel", "取消"))
        self.ok_btn.setEnabled(False)
        desk.topup_refundable(self.listed, self.failed)

    def _t(self, en: str, zh: str) -> str:
        return zh if self.session.lang.startswith("zh") else en

    def _tender(self, tender: str) -> str:
        try:
            t = Tender(tender)
        except ValueError:
            return tender
        return t.label_zh if self.session.lang.startswith("zh") else t.value

    # ---- the top-ups ---------------------------------------------------------------------

    def listed(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.list.clear()
        for t in rows:
            bonus = int(t["bonus_fen"])
            text = (
                f"{int(t['topup_no']):06d}  {t['business_day']}  {self._tender(str(t['tender']))}"
                f"  {yuan(int(t['paid_fen']))}"
                + (self._t(f" (bonus {yuan(bonus)})", f"（赠 {yuan(bonus)}）") if bonus else "")
                + self._t(f"  left {yuan(t['left_fen'])}", f"  可退 {yuan(t['left_fen'])}")
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, int(t["topup_no"]))
            self.list.addItem(item)
        if not rows:
            self.show_error(
                self._t(
                    "This member has no top-up paid at this till left to refund.",
                    "该会员没有可在本机退款的充值记录。",
                )
            )
            return
        self.list.setCurrentRow(0)

    def scanned(self, code: str) -> None:
        """A top-up receipt's QR picks its top-up (this till's, checked on the worker)."""
        if not self.busy:
            self.desk.topup_scan(code, self.select_no, self.failed)

    def select_no(self, topup_no: int) -> None:
        for i, t in enumerate(self.rows):
            if int(t["topup_no"]) == topup_no:
                self.list.setCurrentRow(i)
                self.show_error("")
                return
        self.show_error(
            self._t(
                f"Top-up {topup_no:06d} is not this member's, or nothing of it is left to refund.",
                f"充值单 {topup_no:06d} 不属于该会员，或已无可退金额。",
            )
        )

    def current(self) -> dict[str, Any] | None:
        i = self.list.currentRow()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def picked(self, _row: int) -> None:
        t = self.current()
        if t is not None:
            self.edits["amount"].setText(format_fen(int(t["left_fen"])))
        self.show_back()

    def amount_fen(self) -> int | None:
        try:
            fen = Money.parse(self.edits["amount"].text().strip()).fen
        except GuitaiError:
            return None
        return fen

    def show_back(self) -> None:
        """What comes back, before anything moves: the bonus forfeited first, then the money to
        the tender it came by."""
        t, fen = self.current(), self.amount_fen()
        ok = t is not None and fen is not None and 0 < fen <= int(t["left_fen"])
        self.ok_btn.setEnabled(ok and not self.busy)
        if t is None or not ok or fen is None:
            self.back.setText("")
            return
        how = self._tender(str(t["tender"]))
        back = (
            self._t(f"{yuan(fen)} back in cash", f"退现金 {yuan(fen)}")
            if t["tender"] == "cash"
            else self._t(f"{yuan(fen)} back to {how}", f"{yuan(fen)} 原路退回{how}")
        )
        forfeit = int(t["forfeit_bonus_fen"])
        first = (
            self._t(
                f"First the bonus is taken back: {yuan(forfeit)}. ",
                f"先扣回赠送 {yuan(forfeit)}，",
            )
            if forfeit
            else ""
        )
        self.back.setText(first + back)

    # ---- refunding -----------------------------------------------------------------------

    def try_accept(self) -> None:
        t, fen = self.current(), self.amount_fen()
        if t is None or fen is None or self.busy:
            return
        ref = str(t["topup_no"])
        amount = None if fen == int(t["left_fen"]) else fen
        user = self.session.user
        if not self.needs_manager and user is not None:
            self.refund(user, ref, amount)
            return
        name, pin = self.edits["manager"].text().strip(), self.edits["pin"].text()
        if not name or not pin:
            self.show_error(
                self._t("A manager approves: name and PIN.", "需店长授权：请输入店长和密码。")
            )
            return
        self._busy(True)
        self.session.manager(name, pin, lambda m: self.refund(m, ref, amount), self.failed)

    def refund(self, approver: User, ref: str, amount: int | None) -> None:
        self._busy(True)
        self.show_error("")
        self.back.setText(self._t("Refunding…", "正在退款…"))
        self.desk.refund_top_up(approver, ref, amount, self.refunded, self.failed)

    def refunded(self, result: tuple[dict[str, Any], SaleView]) -> None:
        refund, view = result
        self.busy = False
        self.accept()
        self.on_done(refund, view)

    def failed(self, err: GuitaiError) -> None:
        self._busy(False)
        self.show_back()
        self.show_error(both_languages(err))

    def _busy(self, on: bool) -> None:
        self.busy = on
        self.ok_btn.setEnabled(not on)
        self.cancel_btn.setEnabled(not on)
        self.list.setEnabled(not on)
        for e in self.edits.values():
            e.setEnabled(not on)

    def reject(self) -> None:
        if not self.busy:  # never closed while the money is going back
            super().reject()
