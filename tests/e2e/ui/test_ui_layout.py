"""The till's screens laid out for the screens stores have: 1024×768, 1280×800, 1920×1080.

Layout properties are measured with the real CJK font and the style sheet's sizes: the window
fits the screen, an item's name (colour and size included) shows whole, every button's text
fits its button, the scan field's placeholder fits, the associate's name is not clipped, no
empty member box, the customer display keeps its lines beside the e-receipt QR.  Screenshots
of each size go to a temporary folder, with GUITAI_SCREENSHOTS=1 to docs/screenshots/
(issue 16, item 9)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import paths
import pytest

# The member cloud stub and a till with a shop, as fixtures of this module.
from members_ui_fixtures import cloud, shop  # noqa: F401
from members_ui_kit import JACKET, TEE, panel_ready, start_selling
from uihelp import TIMEOUT, give_ereceipt_address, idle, wedge_scan

from pos_app.ui.common.fit import CELL_PADDING, TYPICAL_NAME, text_room, text_width
from pos_app.ui.qt import QApplication, QLineEdit, QPushButton, Qt, QWidget

DOCS = paths.SCREENSHOTS
SIZES = ((1024, 768), (1280, 800), (1920, 1080))
DRESS = "6901234567915"  # 真丝连衣裙 红 S


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return DOCS if os.environ.get("GUITAI_SCREENSHOTS") else tmp_path


def settle(qtbot: Any, t: Any) -> None:
    for _ in range(3):  # the resize, then the texts fitted to it (a queued call)
        QApplication.processEvents()
    idle(qtbot, t)


def at_size(qtbot: Any, t: Any, w: int, h: int) -> None:
    t.window.flash_label.hide()  # a banner is transient: the layout must fit without it too
    settle(qtbot, t)  # (a language switch rebuilds the window: its size limits settle first)
    t.window.resize(w, h)
    settle(qtbot, t)
    # the window is no bigger than the screen (its minimum size fits the smallest)
    assert (t.window.width(), t.window.height()) == (w, h), " ".join(
        f"{k}={v.minimumSizeHint().width()}x{v.minimumSizeHint().height()}"
        for k, v in t.window.screens.items()
    )


def save(widget: QWidget, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(folder / name))


def clipped_buttons(root: QWidget) -> list[str]:
    """Visible buttons whose text is wider than the room their padding leaves."""
    return [
        f"{b.text()!r}: {text_width(b, b.text())} > {text_room(b)}"
        for b in root.findChildren(QPushButton)
        if b.isVisible() and b.text() and text_width(b, b.text()) > text_room(b)
    ]


def name_shows_whole(sale: Any) -> None:
    table = sale.table
    names = [table.item(r, 1).text().split("\n")[0] for r in range(table.rowCount())]
    assert TYPICAL_NAME in names
    room = table.columnWidth(1) - CELL_PADDING
    assert text_width(table, TYPICAL_NAME) <= room, (table.columnWidth(1), room)
    for name in names:
        assert text_width(table, name) <= room, name
    assert not table.isColumnHidden(1) and not table.isColumnHidden(5)


def placeholder_fits(edit: QLineEdit) -> None:
    text = edit.placeholderText()
    assert text and text_width(edit, text) <= text_room(edit), (text, edit.width())


def test_the_till_at_each_screen_size(
    qtbot: Any, shop: dict[str, str], app_ui: Any, shots: Path
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    for code in (JACKET, TEE, DRESS):
        wedge_scan(qtbot, t, code)
    sale = t.window.sale
    col = sale.member_col
    for w, h in SIZES:
        at_size(qtbot, t, w, h)
        name_shows_whole(sale)
        placeholder_fits(sale.scan)
        assert clipped_buttons(t.window) == []
        # no member: no empty box, the column holds what it has and the space stays open
        assert not col.scroll_area.isVisible() and not col.suggestions.isVisible()
        assert col.find_btn.isVisible() and col.associate_btn.isVisible()
        save(t.window, shots, f"till-sale-{w}x{h}.png")

    wedge_scan(qtbot, t, f"GTM:{shop['a']}")
    panel_ready(qtbot, t)
    for w, h in SIZES:
        at_size(qtbot, t, w, h)
        name_shows_whole(sale)  # with the member column open too
        placeholder_fits(sale.scan)
        assert clipped_buttons(t.window) == []
        assert col.scroll_area.isVisible()
        # the member's details in the till's reading size, not small print
        for lbl in (col.tags, col.history, col.balances):
            assert lbl.font().pixelSize() >= 17 or lbl.font().pointSize() >= 12
        assert col.history.text() and col.history.isVisible()
        save(t.window, shots, f"till-member-{w}x{h}.png")

    # the associate's button: its text never clipped, with or without a name
    for who in ("", "欧阳娜娜"):
        col.view = replace(t.session.view, associate=who)
        for w, h in SIZES:
            at_size(qtbot, t, w, h)
            col.fit_texts()
            assert text_width(col.associate_btn, col.associate_btn.text()) <= text_room(
                col.associate_btn
            )
            if who:
                assert who in col.associate_btn.text()

    # English: the longer words still fit (the placeholder chooses a shorter wording)
    qtbot.mouseClick(t.window.lang_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, t)
    for w, h in SIZES:
        at_size(qtbot, t, w, h)
        placeholder_fits(t.window.sale.scan)
        name_shows_whole(t.window.sale)
        clipped = clipped_buttons(t.window)
        assert clipped == [], (w, clipped)
        save(t.window, shots, f"till-member-en-{w}x{h}.png")
    qtbot.mouseClick(t.window.lang_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, t)


def test_the_customer_display_keeps_its_lines_beside_the_qr(
    qtbot: Any, shop: dict[str, str], app_ui: Any, shots: Path, till_home: Path
) -> None:
    t = app_ui
    give_ereceipt_address(till_home)
    start_selling(qtbot, t)
    cust = t.window.customer
    cust.show()
    for code in (JACKET, TEE, DRESS, "6901234567922"):
        wedge_scan(qtbot, t, code)
    wedge_scan(qtbot, t, f"GTM:{shop['b']}")
    for w, h in SIZES:
        cust.resize(w, h)
        settle(qtbot, t)
        assert cust.lines.count() == 4
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    t.window.tender.amount.setText("3000")
    qtbot.keyClick(t.window.tender.amount, Qt.Key.Key_Return)
    idle(qtbot, t)
    qtbot.waitUntil(lambda: cust.qr_modules is not None, timeout=TIMEOUT)
    for w, h in SIZES:
        cust.resize(w, h)
        settle(qtbot, t)
        assert cust.qr.isVisible() and cust.change.isVisible()
        # every line still shows whole rows: the QR stands beside them, not above
        rows = cust.lines
        last = rows.visualItemRect(rows.item(rows.count() - 1))
        assert last.bottom() <= rows.viewport().height(), (w, h)
        assert cust.qr.geometry().left() >= rows.geometry().right()
        save(cust, shots, f"till-customer-{w}x{h}.png")


def test_without_an_ereceipt_address_the_customer_sees_no_qr(
    qtbot: Any, shop: dict[str, str], app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    cust = t.window.customer
    cust.show()
    wedge_scan(qtbot, t, JACKET)
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    t.window.tender.amount.setText("1300")
    qtbot.keyClick(t.window.tender.amount, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert cust.change.isVisible()  # the sale is done and the screen says so
    idle(qtbot, t)  # the QR call has come back
    # no page to open: no QR and no "scan for your e-receipt" on the customer's screen
    assert cust.qr_modules is None
    assert not cust.qr.isVisible() and not cust.qr_note.isVisible()
