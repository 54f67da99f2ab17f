"""The associates' follow-ups (3369 回访) on the till: due and upcoming, each with the
member and the sale it follows; finishing one with a note (synced as member.updated)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pos_app.domain.members import mask_phone

from ..common.dialogs import Dialog
from ..common.widgets import button, label, yuan
from ..qt import QAbstractItemView, QHeaderView, QLineEdit, Qt, QTableWidget, QTableWidgetItem

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell
    from .desk import MemberDesk


class FollowupsDialog(Dialog):
    def __init__(
        self,
        shell: Shell,
        session: Session,
        desk: MemberDesk,
        rows: Sequence[dict[str, Any]],
        set_due: Callable[[tuple[int, int]], None],
    ) -> None:
        super().__init__(shell.window(), self.tr("Follow-ups"))
        self.setObjectName("followups")
        self.setMinimumWidth(920)
        self.shell = shell
        self.session = session
        self.desk = desk
        self.set_due = set_due
        self.rows: list[dict[str, Any]] = []
        self.summary = label("", "muted", wrap=True)
        self.body.addWidget(self.summary)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("followup_table")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Due"),
                self.tr("Associate"),
                self.tr("Member"),
                self.tr("Mobile"),
                self.tr("Follow-up"),
                self.tr("Sale"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setMinimumHeight(320)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.body.addWidget(self.table)
        self.body.addWidget(label(self.tr("Note (what the customer said)")))
        self.note = QLineEdit()
        self.note.setObjectName("followup_note")
        self.note.setPlaceholderText(self.tr("e.g. called, likes the new coats, visits Saturday"))
        self.body.addWidget(self.note)
        user = session.user
        self.me = user.name if user is not None else ""
        self.only_mine = False
        self.all_rows: list[dict[str, Any]] = []
        self.mine_btn = button(self.tr("Only mine"), "", self.toggle_mine)
        self.mine_btn.setObjectName("followups_mine")
        self.mine_btn.setVisible(bool(self.me))
        self.body.addWidget(self.mine_btn)
        self.finish_layout(self.tr("Done"), self.tr("Close"))
        self.ok_btn.setText(self.tr("Mark done"))
        self.show_rows(rows)

    def toggle_mine(self) -> None:
        """The signed-in associate's own follow-ups, or everyone's (the badge counts all)."""
        self.only_mine = not self.only_mine
        self.mine_btn.setText(self.tr("Everyone's") if self.only_mine else self.tr("Only mine"))
        self._paint()

    def show_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.all_rows = list(rows)
        self.set_due((sum(1 for r in rows if r.get("due")), len(rows)))
        self._paint()

    def _paint(self) -> None:
        rows = [
            r
            for r in self.all_rows
            if not self.only_mine or str(r.get("associate") or "") == self.me
        ]
        self.rows = rows
        due = sum(1 for r in rows if r.get("due"))
        self.summary.setText(
            self.tr("%1 due now, %2 upcoming.")
            .replace("%1", str(due))
            .replace("%2", str(len(rows) - due))
            if rows
            else self.tr("No follow-ups: they appear after a member's sale with an associate.")
        )
        t = self.table
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            items = "，".join(r.get("items") or [])
            sale = (
                f"#{r['receipt_no']}  {yuan(int(r['total_fen']))}  {items}"
                if r.get("receipt_no")
                else ""
            )
            values = (
                ("● " if r.get("due") else "")
                + self.session.local(str(r["due_at"]), "%m-%d %H:%M"),
                str(r.get("associate") or ""),
                str(r.get("name") or r.get("member_id") or ""),
                mask_phone(str(r.get("phone") or "")),  # as the member column shows it
                # step 0: a task pulled from the cloud (a trigger's), its title in the note
                self.tr("No. %1").replace("%1", str(r["step"]))
                if r["step"]
                else str(r.get("note") or "任务 Task"),
                sale,
            )
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if r.get("due"):
                    item.setForeground(Qt.GlobalColor.darkRed)
                t.setItem(i, c, item)
        if rows:
            t.selectRow(0)
        self.ok_btn.setEnabled(bool(rows))

    def try_accept(self) -> None:
        """Mark the selected follow-up done with the note; the list stays open."""
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            return
        fid = int(self.rows[row]["id"])
        note = self.note.text().strip()
        self.desk.finish_followup(fid, note, lambda _v: self._finished(), self._failed)

    def _finished(self) -> None:
        self.note.clear()
        self.show_error("")
        self.desk.followups(self.show_rows, self._failed)

    def _failed(self, err: Any) -> None:
        self.show_error(self.session.message(err))

    def refresh(self) -> None:
        self.desk.followups(self.show_rows, self._failed)
