"""The status bar: printer, drawer, scanner, terminal, network and sync, polled off the GUI
thread; each opens its details and the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_app.domain.errors import GuitaiError
from pos_app.services.device_status import DEVICE_KINDS, DeviceState

from .common.dialogs import TextDialog
from .common.theme import DANGER, MUTED, PAY, WARN
from .common.widgets import label
from .qt import QFrame, QHBoxLayout, QProgressBar, QTimer, QToolButton

if TYPE_CHECKING:
    from .session import Session
    from .shell import Shell

COLOURS = {
    DeviceState.OK: PAY,
    DeviceState.WARNING: WARN,
    DeviceState.ERROR: DANGER,
    DeviceState.NOT_CONFIGURED: MUTED,
}


class StatusBar(QFrame):
    POLL_MS = 5000
    # The busy mark is for a wait the cashier notices (a card payment, a slow network): a
    # call that ends sooner never shows it.  Shown and hidden within a scan, it relaid and
    # repainted the status bar twice for each scan, before the scanned line could paint.
    BUSY_AFTER_MS = 200

    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.setObjectName("statusbar")
        self.shell = shell
        self.session = session
        self.statuses: dict[str, Any] = {}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 2, 12, 2)
        lay.setSpacing(4)
        self.buttons: dict[str, QToolButton] = {}
        for kind in DEVICE_KINDS:
            b = QToolButton()
            b.setObjectName("device")
            b.clicked.connect(lambda _=False, k=kind: self.details(k))
            lay.addWidget(b)
            self.buttons[kind] = b
        lay.addStretch(1)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        lay.addWidget(self.busy)
        self.busy_delay = QTimer(self)
        self.busy_delay.setSingleShot(True)
        self.busy_delay.setInterval(self.BUSY_AFTER_MS)
        self.busy_delay.timeout.connect(self.busy.show)
        self.note = label("", "muted")
        lay.addWidget(self.note)
        self.timer = QTimer(self)
        self.timer.setInterval(self.POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.show_statuses([])

    def names(self) -> dict[str, str]:
        return {
            "printer": self.tr("Printer"),
            "drawer": self.tr("Drawer"),
            "scanner": self.tr("Scanner"),
            "terminal": self.tr("Terminal"),
            "network": self.tr("Network"),
            "sync": self.tr("Sync"),
        }

    def state_text(self, state: DeviceState) -> str:
        return {
            DeviceState.OK: self.tr("OK"),
            DeviceState.WARNING: self.tr("check"),
            DeviceState.ERROR: self.tr("fault"),
            DeviceState.NOT_CONFIGURED: self.tr("not set up"),
        }[state]

    def start(self) -> None:
        self.poll()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        if self.session.worker.pending:
            return  # never queue status probes behind the cashier's work
        self.session.devices(self.show_statuses, self.poll_failed)

    def poll_failed(self, err: GuitaiError) -> None:
        self.note.setText(self.session.message(err))

    def show_statuses(self, statuses: list[Any]) -> None:
        self.statuses = {s.kind: s for s in statuses}
        names = self.names()
        for kind, b in self.buttons.items():
            s = self.statuses.get(kind)
            state = s.state if s else DeviceState.NOT_CONFIGURED
            word = (s.label_for(self.session.lang) if s else "") or self.state_text(state)
            text = f"●  {names[kind]} {word}"
            if s is not None and s.pending is not None:
                text += f" ({s.pending})"
            b.setText(text)
            b.setStyleSheet(f"color: {COLOURS[state]};")

    def set_busy(self, busy: bool) -> None:
        if busy:
            self.busy_delay.start()
            return
        self.busy_delay.stop()
        if not self.busy.isHidden():
            self.busy.hide()

    def details(self, kind: str) -> None:
        s = self.statuses.get(kind)
        lang = self.session.lang
        name = self.names()[kind]
        if s is None:
            text = self.tr("Status not known yet.")
        else:
            text = (
                f"{name}: {s.label_for(lang) or self.state_text(s.state)}\n\n"
                + self.tr("What happened")
                + f"\n{s.reason_for(lang)}\n\n"
                + self.tr("What to do")
                + f"\n{s.fix_for(lang)}"
            )
            if s.pending is not None:
                text += "\n\n" + self.tr("Waiting to send: %1").replace("%1", str(s.pending))
        self.shell.open_dialog(TextDialog(self.shell.window(), name, text, self.tr("Close")))
