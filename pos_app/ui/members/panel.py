"""The member column beside the sale: who the customer is and what they are owed (tier,
points, stored value, usable coupons, tags, birthday and lapsed flags, last visits, usual
sizes, favourite categories), the sale's associate, the suggestions for the associate and
the follow-ups button with its count.  Nothing here takes the keyboard: the scan field keeps
it (every widget is NoFocus)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ..common.fit import first_fitting, pad
from ..common.widgets import button, label, restyle, yuan
from ..qt import (
    QCoreApplication,
    QFrame,
    QGridLayout,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from .desk import MemberDesk
from .dialogs import MemberFlow
from .followups import FollowupsDialog

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell
    from ..views.sale import LineView, SaleView
    from .dialogs import SaleTarget


def member_price_name() -> str:
    return QCoreApplication.translate("Savings", "Member price")


def line_discount_text(ln: LineView) -> str:
    """A line's member price, hand discount and the savings on it, by name."""
    parts = []
    if ln.member_saving_fen:
        parts.append(f"-{yuan(ln.member_saving_fen)[1:]} {member_price_name()}")
    if ln.discount:
        parts.append(f"{ln.discount} (-{yuan(ln.discount_fen)[1:]})")
    if ln.saving_fen:
        parts.append(f"-{yuan(ln.saving_fen)[1:]} {ln.savings}")
    return "\n".join(parts)


def savings_text(view: SaleView) -> str:
    """Each saving by name with its amount, the member prices' first (the totals panel and
    the customer display)."""
    named = [(s.name, s.amount_fen) for s in view.savings]
    if view.member_saving_fen:
        named.insert(0, (member_price_name(), view.member_saving_fen))
    return "\n".join(f"{name}  -{yuan(fen)}" for name, fen in named)


def _age(seconds: int) -> str:
    """A cache's age, short: 45 s, 12 min, 3 h, 2 d."""
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


_W = TypeVar("_W", bound=QWidget)


def _no_focus(w: _W) -> _W:
    w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return w


class MemberColumn(QFrame):
    def __init__(self, shell: Shell, session: Session, sale: SaleTarget) -> None:
        super().__init__()
        self.setObjectName("panel")
        self.shell = shell
        self.session = session
        self.sale = sale  # the sale screen this column sits in
        self.desk = MemberDesk(session)
        self.flow = MemberFlow(shell, session, self.desk, sale, self)
        self.view: SaleView | None = None
        self.data: dict[str, Any] | None = None  # MemberService.panel
        self.coupons: list[dict[str, Any]] = []
        self.member_id: str | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.setSpacing(6)

        # who
        self.name = label(self.tr("No member on this sale"), "title", wrap=True)
        self.name.setObjectName("member_name")
        outer.addWidget(self.name)
        self.phone = label(self.tr("Scan the member code or press F6"), "muted", wrap=True)
        outer.addWidget(self.phone)
        self.flags = label("", "ok", wrap=True)
        self.flags.hide()
        outer.addWidget(self.flags)
        self.balances = label("", "", wrap=True)
        self.balances.setObjectName("member_balances")
        outer.addWidget(self.balances)

        # the details: readable type, on the panel's white (no grey box), scrolling only
        # when a long history needs it; hidden while no member is on the sale
        body = QWidget()
        body.setObjectName("member_details")
        self.details = QVBoxLayout(body)
        self.details.setContentsMargins(0, 0, 0, 0)
        self.details.setSpacing(6)
        self.coupon_title = label(self.tr("Coupons"), "muted")
        self.details.addWidget(self.coupon_title)
        self.coupon_list = QListWidget()
        self.coupon_list.setObjectName("member_coupons")
        _no_focus(self.coupon_list)
        self.coupon_list.setFixedHeight(60)
        self.coupon_list.itemClicked.connect(self._coupon_clicked)
        self.details.addWidget(self.coupon_list)
        self.tags = label("", "", wrap=True)
        self.details.addWidget(self.tags)
        self.history = label("", "", wrap=True)
        self.history.setObjectName("member_history")
        self.details.addWidget(self.history)
        self.chain = label("", "muted", wrap=True)  # the member across the chain (issue 21)
        self.chain.setObjectName("member_chain")
        self.details.addWidget(self.chain)
        self.details.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("member_scroll")
        self.scroll_area.setWidget(body)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setStyleSheet(
            "QScrollArea#member_scroll, QWidget#member_details { background: white; }"
        )
        _no_focus(self.scroll_area)
        outer.addWidget(self.scroll_area, 1)

        keys = QGridLayout()
        keys.setSpacing(6)
        self.coupon_btn = button(self.tr("Coupon"), "", self.ask_coupon)
        self.points_btn = button(self.tr("Points"), "", self.flow.open_points)
        self.tags_btn = button(self.tr("Tags"), "", self.ask_tags)
        self.topup_btn = button(self.tr("Top up"), "", self.ask_top_up)
        self.topup_btn.setObjectName("topup_btn")
        zh = self.session.lang.startswith("zh")
        self.refund_topup_btn = button(
            "退充值" if zh else "Refund top-up", "", self.ask_topup_refund
        )
        self.refund_topup_btn.setObjectName("topup_refund_btn")
        self.remove_btn = button(self.tr("Remove"), "danger", self.remove)
        self.find_btn = button(self.tr("Find / enroll  F6"), "", self.flow.open_find)
        for i, b in enumerate(
            (self.coupon_btn, self.points_btn, self.tags_btn, self.topup_btn, self.remove_btn)
        ):
            keys.addWidget(pad(b, 2), i // 3, i % 3)  # three across a narrow column
        keys.addWidget(self.find_btn, 2, 0, 1, 3)
        # the find button's row while a member is shown (one of the two is visible)
        keys.addWidget(self.refund_topup_btn, 2, 0, 1, 3)
        outer.addLayout(keys)

        # the associate (a row of its own: the name never clipped) and the suggestions
        self.associate_btn = pad(button("", "", self.ask_associate), 8)
        self.associate_btn.setObjectName("associate_btn")
        outer.addWidget(self.associate_btn)
        self.suggestions_title = label(self.tr("Suggestions"), "muted")
        outer.addWidget(self.suggestions_title)
        self.suggestions = QListWidget()
        self.suggestions.setObjectName("suggestions")
        _no_focus(self.suggestions)
        self.suggestions.setFixedHeight(60)
        self.suggestions.setWordWrap(True)
        self.suggestions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.suggestions.itemClicked.connect(self._suggestion_clicked)
        outer.addWidget(self.suggestions)
        self.suggestions_title.hide()  # until there are some
        self.suggestions.hide()
        outer.addStretch(0)  # takes the room the hidden details leave: no empty box
        self.followups_btn = button(self.tr("Follow-ups"), "", self.open_followups)
        self.followups_btn.setObjectName("followups_btn")
        outer.addWidget(self.followups_btn)
        self.due = 0
        self.set_due((0, 0))

        # the panel and the suggestions are read after the cashier pauses (one worker
        # call per pause, not per scan: a scan's paint never waits behind them)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.setInterval(800)
        self.refresh_timer.timeout.connect(self.refresh)
        self._show_member(None)

    # ---- painting ----------------------------------------------------------------------

    def show_view(self, view: SaleView) -> None:
        """A new snapshot of the sale: the brief at once, the details after a pause."""
        old = self.view
        self.view = view
        m = view.member
        if old is None or old.member != m:  # a scan without a member repaints nothing here
            self._show_member(m)
        if old is None or old.associate != view.associate:
            self.fit_texts()
        if m is not None and (self.member_id != m.member_id):
            self.data = None
            self.coupons = []
            self.coupon_list.clear()
            self.tags.clear()
            self.history.clear()
            self.chain.clear()
            if self.desk.available:
                mid = m.member_id
                self.desk.chain_view(
                    mid, lambda v: self.show_chain(mid, v), lambda e: self.chain_failed(mid, e)
                )
        self.member_id = m.member_id if m else None
        if old is None or old.lines != view.lines or old.member != view.member:
            self.refresh_timer.start()

    def fit_texts(self) -> None:
        """The associate's button says as much as its width shows (never clipped)."""
        who = self.view.associate if self.view is not None else ""
        self.associate_btn.setText(
            first_fitting(
                self.associate_btn,
                (self.tr("Associate: %1").replace("%1", who), who)
                if who
                else (
                    self.tr("Associate: none (tap to choose)"),
                    self.tr("Associate: choose"),
                ),
            )
        )

    def _show_member(self, m: Any) -> None:
        has = m is not None
        for b in (self.coupon_btn, self.points_btn, self.tags_btn, self.remove_btn, self.topup_btn):
            b.setVisible(has)
        self.refund_topup_btn.setVisible(has)
        self.find_btn.setVisible(not has)
        self.scroll_area.setVisible(has)
        if not has:
            self.name.setText(self.tr("No member on this sale"))
            self.phone.setText(self.tr("Scan the member code or press F6"))
            self.balances.clear()
            self.flags.hide()
            self.tags.clear()
            self.history.clear()
            self.chain.clear()
            self.coupon_list.clear()
            return
        self.name.setText(f"{m.name or '—'}  ·  {self.flow.tier_name(m.tier)}")
        self.phone.setText(m.phone_masked)
        text = (
            self.tr("Points %1 · stored value %2")
            .replace("%1", f"{m.points:,}")
            .replace("%2", yuan(m.stored_value_fen))
        )
        if m.points_used:
            text += "\n" + self.tr("Redeeming %1 points").replace("%1", f"{m.points_used:,}")
        if m.points_earned:
            text += "\n" + self.tr("Earns %1 points on this sale").replace(
                "%1", f"{m.points_earned:,}"
            )
        if m.coupon:
            text += "\n" + self.tr("Coupon %1 applied").replace("%1", m.coupon)
        self.balances.setText(text)

    def show_panel(self, result: tuple[dict[str, Any] | None, dict[str, Any], Any]) -> None:
        panel, sug, cap = result
        self.data = panel
        self.suggestions.clear()
        reasons: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for it in (sug.get("for_member") or []) + (sug.get("bought_together") or []):
            why = it.get("reason") or (
                self.tr("bought together %1×").replace("%1", str(it.get("together", "")))
            )
            names[it["sku"]] = str(it.get("name") or it["sku"])
            reasons.setdefault(it["sku"], []).append(why)
        for sku, whys in reasons.items():
            row = QListWidgetItem(f"{names[sku]}\n  {' · '.join(whys)}")
            row.setData(Qt.ItemDataRole.UserRole, sku)
            row.setToolTip(self.tr("Tap to add it to the sale"))
            self.suggestions.addItem(row)
        if not self.suggestions.count():
            self.suggestions.addItem(self.tr("No suggestions yet"))
        # no suggestions: no empty box; the member's details keep the room
        self.suggestions.setFixedHeight(min(112, 8 + 52 * self.suggestions.count()))
        self.suggestions.setVisible(bool(reasons))
        self.suggestions_title.setVisible(bool(reasons))
        if panel is None or self.view is None or self.view.member is None:
            return
        if panel["member_id"] != self.view.member.member_id:
            return  # another member was put on the sale meanwhile
        self.coupons = list(panel.get("coupons") or [])
        self.coupon_list.clear()
        for c in self.coupons:
            item = QListWidgetItem(f"{c.get('code')}  {c.get('name', '')}")
            item.setData(Qt.ItemDataRole.UserRole, c.get("code"))
            self.coupon_list.addItem(item)
        if not self.coupons:
            self.coupon_list.addItem(self.tr("No usable coupons"))
        self.coupon_list.setFixedHeight(min(112, 8 + 52 * self.coupon_list.count()))
        flags = []
        if panel.get("birthday_this_month"):
            flags.append(self.tr("Birthday this month"))
        if panel.get("lapsed"):
            flags.append(
                self.tr("Lapsed: no purchase for %1 days").replace("%1", str(panel["lapsed_days"]))
            )
        self.flags.setText("  ·  ".join(flags))
        self.flags.setVisible(bool(flags))
        restyle(self.flags, "error" if panel.get("lapsed") else "ok")
        tags = panel.get("tags") or []
        self.tags.setText(self.tr("Tags: %1").replace("%1", "，".join(tags) if tags else "—"))
        parts = []
        if cap is not None:
            parts.append(
                self.tr("Points usable on this bill: up to %1").replace("%1", f"{cap.usable:,}")
            )
        sizes = panel.get("usual_sizes") or {}
        if sizes:
            parts.append(
                self.tr("Usual sizes: %1").replace(
                    "%1", "，".join(f"{k} {v}" for k, v in sizes.items())
                )
            )
        fav = panel.get("favourite_categories") or []
        if fav:
            parts.append(self.tr("Favourites: %1").replace("%1", "，".join(fav)))
        visits = panel.get("last_visits") or []
        if visits:
            parts.append(self.tr("Last visits:"))
            for v in visits[:3]:
                parts.append(
                    f"  {self.session.local(str(v['completed_at']), '%m-%d')}  "
                    f"{yuan(int(v['total_fen']))}  {'，'.join(v.get('items', [])[:2])}"
                )
        else:
            parts.append(self.tr("No purchases yet"))
        self.history.setText("\n".join(parts))

    def show_chain(self, member_id: str, v: dict[str, Any]) -> None:
        """The chain view under the till's own history: lifetime spend, visits and stores,
        last visit, the next tier, sizes; where it came from and, cached, how old it is."""
        if self.member_id != member_id:
            return  # another member was put on the sale meanwhile
        stores = v.get("stores") or []
        parts = [
            self.tr("Across the chain: %1 · %2 visits · %3 stores")
            .replace("%1", yuan(int(v["lifetime_spend_fen"])))
            .replace("%2", str(v["visits"]))
            .replace("%3", str(len(stores)))
        ]
        last = v.get("last_visit")
        if last:
            parts.append(
                self.tr("Last visit: %1 %2")
                .replace("%1", self.session.local(str(last["at"]), "%m-%d"))
                .replace("%2", str(last.get("store_name") or last.get("store_id") or ""))
            )
        nxt = v.get("next_tier")
        if nxt:
            parts.append(
                self.tr("Next tier %1: %2 to go")
                .replace("%1", self.flow.tier_name(str(nxt["tier"])))
                .replace("%2", yuan(int(nxt["to_go_fen"])))
            )
        sizes = v.get("sizes") or []
        if sizes:
            parts.append(
                self.tr("Sizes bought: %1").replace(
                    "%1", "，".join(f"{s['size']} {s['qty']}" for s in sizes[:4])
                )
            )
        if v.get("source") == "cache":
            parts.append(self.tr("Offline: as of %1 ago").replace("%1", _age(int(v["age_s"]))))
        self.chain.setText("\n".join(parts))

    def chain_failed(self, member_id: str, err: Any) -> None:
        # a till without a cloud has no chain view to speak of: nothing is shown
        if self.member_id == member_id and getattr(err, "code", "") != "not_enrolled":
            self.chain.setText(self.session.message(err))

    def set_due(self, counts: tuple[int, int]) -> None:
        """The follow-ups button's badge: (due now, open)."""
        due, open_ = counts
        self.due = due
        text = self.tr("Follow-ups")
        if open_:
            text += "  " + self.tr("%1 open, %2 due").replace("%1", str(open_)).replace(
                "%2", str(due)
            )
        self.followups_btn.setText(text)
        restyle(self.followups_btn, "primary" if due else "")

    # ---- actions -----------------------------------------------------------------------

    def refresh(self) -> None:
        if self.view is None or not self.desk.available:
            return
        self.desk.panel(self.show_panel, lambda _e: None)

    def refresh_due(self) -> None:
        self.desk.due_count(self.set_due, lambda _e: None)

    def ask_coupon(self) -> None:
        m = self.view.member if self.view else None
        self.flow.open_coupon(self.coupons, m.coupon if m else None)

    def _coupon_clicked(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if code:
            self.desk.apply_coupon(code, self.flow._coupon_done, self.flow._error)

    def _suggestion_clicked(self, item: QListWidgetItem) -> None:
        sku = item.data(Qt.ItemDataRole.UserRole)
        if sku:
            self.sale.scanned(sku)

    def ask_tags(self) -> None:
        tags = (self.data or {}).get("tags") or []
        self.flow.open_tags(tags, self._tags_saved)

    def _tags_saved(self, view: SaleView) -> None:
        self.sale.updated(view)
        self.refresh()

    def ask_top_up(self) -> None:
        m = self.view.member if self.view else None
        if m is not None:
            self.flow.open_top_up(m.stored_value_fen)

    def ask_topup_refund(self) -> None:
        if self.view is not None and self.view.member is not None:
            self.flow.open_topup_refund()

    def ask_associate(self) -> None:
        self.flow.open_associate(self.view.associate if self.view else None)

    def remove(self) -> None:
        self.desk.detach(self.sale.updated, self.sale.show_error)

    def open_followups(self) -> None:
        self.desk.followups(
            lambda rows: self.shell.open_dialog(
                FollowupsDialog(self.shell, self.session, self.desk, rows, self.set_due)
            ),
            self.sale.show_error,
        )
