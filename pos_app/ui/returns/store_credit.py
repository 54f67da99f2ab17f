"""The returns screen's store credit (退至储值, issue 20): the member's mobile number, and for a
customer who is not a member yet (a gift's recipient) their consent to be enrolled."""

from __future__ import annotations

from collections.abc import Callable

from ..qt import QCheckBox, QLineEdit, QVBoxLayout, QWidget


class StoreCreditEntry(QWidget):
    """Shown while the refund goes onto stored value; `changed` runs as the number is typed."""

    def __init__(self, t: Callable[[str, str], str], changed: Callable[[], None]) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.phone = QLineEdit()
        self.phone.setObjectName("store_credit_phone")
        self.phone.setPlaceholderText(t("Member's mobile number", "会员手机号"))
        self.phone.textChanged.connect(lambda _t: changed())
        lay.addWidget(self.phone)
        self.consent = QCheckBox(
            t("Not a member yet: the customer agrees to join", "还不是会员：顾客同意注册会员")
        )
        self.consent.setObjectName("store_credit_consent")
        lay.addWidget(self.consent)

    def number(self) -> str:
        return self.phone.text().strip()

    def clear(self) -> None:
        self.phone.clear()
        self.consent.setChecked(False)
