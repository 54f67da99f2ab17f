"""Sign-in: a tile per user and a PIN pad; wrong PINs and lockouts are said plainly."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from pos_app.domain.errors import GuitaiError
from pos_app.domain.users import User

from ..common.widgets import Keypad, button, label, panel, restyle
from ..qt import QGridLayout, QHBoxLayout, QLineEdit, QPushButton, Qt, QWidget, Signal

if TYPE_CHECKING:
    from ..session import Session
    from ..shell import Shell


class SignInScreen(QWidget):
    """Says `signed_in` when the PIN was right; the window moves on."""

    signed_in = Signal()

    def __init__(self, shell: Shell, session: Session) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.shell = shell
        self.session = session
        self.selected: str | None = None
        self.tiles: dict[str, QPushButton] = {}
        outer = QHBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 32)
        outer.setSpacing(32)

        left, llay = panel()
        llay.addWidget(label(self.tr("Who is selling?"), "title"))
        llay.addWidget(label(self.tr("Tap your name, then enter your PIN."), "muted"))
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        llay.addLayout(self.grid)
        llay.addStretch(1)
        outer.addWidget(left, 3)

        right, rlay = panel()
        self.who = label(self.tr("Choose a user"), "title")
        rlay.addWidget(self.who)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.returnPressed.connect(self.submit)
        rlay.addWidget(self.pin)
        self.message = label("", "error", wrap=True)
        self.message.setMinimumHeight(48)
        rlay.addWidget(self.message)
        self.pad = Keypad(self.key, extra="C", enter_text=self.tr("Sign in"), on_enter=self.submit)
        rlay.addWidget(self.pad, 1)
        outer.addWidget(right, 2)

    def load(self) -> None:
        self.pin.clear()
        self.message.clear()
        self.session.users(self.show_users, self.show_error)

    def show_users(self, users: list[User]) -> None:
        self.session.managers = [u.name for u in users if "manager" in u.roles]
        for t in self.tiles.values():
            t.deleteLater()
        self.tiles.clear()
        for i, u in enumerate(users):
            b = button(u.name, "tile", partial(self.choose, u.name))
            b.setCheckable(True)
            self.grid.addWidget(b, i // 3, i % 3)
            self.tiles[u.name] = b
        if len(users) == 1:
            self.choose(users[0].name)
        self.pin.setFocus()

    def choose(self, name: str) -> None:
        self.selected = name
        for n, b in self.tiles.items():
            b.setChecked(n == name)
        self.who.setText(name)
        self.message.clear()
        self.pin.clear()
        self.pin.setFocus()

    def key(self, k: str) -> None:
        if k == "⌫":
            self.pin.backspace()
        elif k == "C":
            self.pin.clear()
        else:
            self.pin.insert(k)

    def submit(self) -> None:
        if not self.selected:
            self.message.setText(self.tr("Tap your name first."))
            return
        pin = self.pin.text()
        if not pin:
            return
        self.pad.setEnabled(False)
        restyle(self.message, "muted")
        self.message.setText(self.tr("Checking…"))
        self.session.sign_in(self.selected, pin, self._signed_in, self.show_error)

    def _signed_in(self, _user: User) -> None:
        self.pad.setEnabled(True)
        self.pin.clear()
        self.message.clear()
        self.signed_in.emit()

    def show_error(self, err: GuitaiError) -> None:
        self.pad.setEnabled(True)
        self.pin.clear()
        restyle(self.message, "error")
        self.message.setText(self.session.message(err))
        self.pin.setFocus()
