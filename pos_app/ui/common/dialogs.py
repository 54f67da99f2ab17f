"""Dialogs: manager PIN approval, short forms (reason, quantity, discount, amount), pick
lists and text views.  All open window-modal without blocking the event loop (`open()`), so
the worker keeps delivering and tests can drive them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, Protocol, TypeVar

from ..qt import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .widgets import Keypad, button, label


class Dialog(QDialog):
    def __init__(self, parent: QWidget, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(520)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(24, 20, 24, 20)
        self.body.setSpacing(12)
        self.body.addWidget(label(title, "title"))
        self.error = label("", "error", wrap=True)
        self.error.hide()

    def finish_layout(self, ok_text: str, cancel_text: str) -> None:
        self.body.addWidget(self.error)
        row = QHBoxLayout()
        self.cancel_btn = button(cancel_text, "", self.reject)
        self.ok_btn = button(ok_text, "primary", self.try_accept)
        row.addWidget(self.cancel_btn)
        row.addWidget(self.ok_btn)
        self.body.addLayout(row)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def try_accept(self) -> None:
        self.accept()


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    placeholder: str = ""
    secret: bool = False
    value: str = ""
    digits: bool = False


class FormDialog(Dialog):
    """A few labelled text fields; `validate(values)` returns an error text or ""."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        fields: Sequence[Field],
        on_ok: Callable[[dict[str, str]], None],
        *,
        message: str = "",
        ok_text: str,
        cancel_text: str,
        validate: Callable[[dict[str, str]], str] | None = None,
        keypad: bool = False,
        choices: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(parent, title)
        self.on_ok = on_ok
        self.validate = validate
        if message:
            self.body.addWidget(label(message, "muted", wrap=True))
        self.edits: dict[str, QLineEdit] = {}
        for f in fields:
            self.body.addWidget(label(f.label))
            e = QLineEdit(f.value)
            e.setObjectName(f"field_{f.key}")
            e.setPlaceholderText(f.placeholder)
            if f.secret:
                e.setEchoMode(QLineEdit.EchoMode.Password)
            e.returnPressed.connect(self._next_or_accept)
            options = (choices or {}).get(f.key, [])
            if options:  # touch: tap a name instead of typing it
                row = QHBoxLayout()
                for opt in options[:4]:
                    row.addWidget(button(opt, "", partial(self._choose, e, opt)))
                self.body.addLayout(row)
            self.body.addWidget(e)
            self.edits[f.key] = e
        if keypad:
            # a PIN pad clears; an amount pad needs the decimal point
            extra = "C" if any(f.secret for f in fields) else "."
            self.body.addWidget(Keypad(self._key, extra=extra))
        self.finish_layout(ok_text, cancel_text)
        first = next((e for e in self.edits.values() if not e.text()), None)
        (first or next(iter(self.edits.values()))).setFocus()

    def _choose(self, edit: QLineEdit, value: str) -> None:
        edit.setText(value)
        edits = list(self.edits.values())
        i = edits.index(edit)
        (edits[i + 1] if i + 1 < len(edits) else edit).setFocus()

    def _key(self, k: str) -> None:
        e = next((w for w in self.edits.values() if w.hasFocus()), None)
        if e is None:
            e = next((w for w in self.edits.values() if w.echoMode() != w.EchoMode.Normal), None)
        if e is None:
            e = list(self.edits.values())[-1]
        if k == "⌫":
            e.backspace()
        elif k == "C":
            e.clear()
        else:
            e.insert(k)

    def _next_or_accept(self) -> None:
        edits = list(self.edits.values())
        for i, e in enumerate(edits):
            if e.hasFocus() and i + 1 < len(edits) and not edits[i + 1].text():
                edits[i + 1].setFocus()
                return
        self.try_accept()

    def values(self) -> dict[str, str]:
        return {k: e.text().strip() for k, e in self.edits.items()}

    def try_accept(self) -> None:
        vals = self.values()
        problem = self.validate(vals) if self.validate else ""
        if problem:
            self.show_error(problem)
            return
        self.accept()
        self.on_ok(vals)


T = TypeVar("T")


class PickDialog(Dialog, Generic[T]):
    """Pick one row (parked sales, recent receipts); `on_pick` gets the picked row's data."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        rows: Sequence[tuple[str, T]],
        on_pick: Callable[[T], None],
        *,
        empty_text: str,
        ok_text: str,
        cancel_text: str,
    ) -> None:
        super().__init__(parent, title)
        self.on_pick = on_pick
        self.list = QListWidget()
        self.list.setMinimumHeight(320)
        for text, data in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, data)
            self.list.addItem(item)
        if rows:
            self.list.setCurrentRow(0)
            self.body.addWidget(self.list)
        else:
            self.body.addWidget(label(empty_text, "muted"))
        self.list.itemDoubleClicked.connect(lambda _i: self.try_accept())
        self.finish_layout(ok_text, cancel_text)
        self.ok_btn.setEnabled(bool(rows))

    def try_accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.accept()
        self.on_pick(item.data(Qt.ItemDataRole.UserRole))


class TextDialog(Dialog):
    """Receipt text (no printer configured), device details and their fix."""

    def __init__(self, parent: QWidget, title: str, text: str, close_text: str) -> None:
        super().__init__(parent, title)
        view = QPlainTextEdit(text)
        view.setReadOnly(True)
        view.setMinimumSize(480, 360)
        self.view = view
        self.body.addWidget(view)
        self.body.addWidget(self.error)
        self.ok_btn = button(close_text, "primary", self.accept)
        self.body.addWidget(self.ok_btn)


class Confirm(Dialog):
    """A yes/no question before something that cannot be taken back (sending stock away,
    opening a shift with no float)."""

    def __init__(
        self, parent: QWidget, title: str, message: str, ok_text: str, cancel_text: str,
        then: Callable[[], None],
    ) -> None:  # fmt: skip
        super().__init__(parent, title)
        self.then = then
        self.setObjectName("confirm")
        self.body.addWidget(label(message, "", wrap=True))
        self.finish_layout(ok_text, cancel_text)

    def try_accept(self) -> None:
        self.accept()
        self.then()


class DialogOpener(Protocol):
    """The part of the window's `Shell` that `confirm` needs (common sits below the shell)."""

    def window(self) -> QWidget: ...

    def open_dialog(self, dialog: Dialog) -> None: ...


def confirm(
    shell: DialogOpener, title: str, message: str, ok_text: str, cancel_text: str,
    then: Callable[[], None],
) -> None:  # fmt: skip
    shell.open_dialog(Confirm(shell.window(), title, message, ok_text, cancel_text, then))
