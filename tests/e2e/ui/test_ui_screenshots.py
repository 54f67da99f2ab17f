"""Screenshots of every main screen in Chinese, with the real CJK font, from a scripted day.

They are written to a temporary folder; with GUITAI_SCREENSHOTS=1 they refresh
docs/screenshots/ (the pictures in docs/ui.md)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import paths
import pytest
from uihelp import (
    TIMEOUT,
    dialog,
    fill,
    give_ereceipt_address,
    idle,
    sign_in,
    tap,
    wedge_scan,
)

from pos_app.domain.ports import ManualClock
from pos_app.domain.tenders import Tender
from pos_app.ui.qt import QColor, Qt

DOCS = paths.SCREENSHOTS


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return DOCS if os.environ.get("GUITAI_SCREENSHOTS") else tmp_path


def save(widget: Any, folder: Path, name: str) -> Path:
    path = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    img = widget.grab().toImage()
    assert img.width() >= 400 and img.height() >= 300
    # not blank: the picture has ink (dark text pixels) in it
    dark = sum(
        1
        for x in range(0, img.width(), 3)
        for y in range(0, img.height(), 3)
        if QColor(img.pixel(x, y)).lightness() < 90
    )
    assert dark > 20, f"{name} looks blank"
    assert img.save(str(path))
    return path


def day_of_sales(till: Any, clock: ManualClock) -> None:
    """A morning's sales at different hours so the by-hour bars mean something."""
    admin = till.users.authenticate("admin", "9472")
    till.shifts.open(admin, 50_000)
    baskets = [
        (10, ["6901234567908", "6901234567908"], Tender.CASH),
        (11, ["6901234567892"], Tender.CASH),
        (11, ["6901234567922", "6901234567908"], Tender.CASH),
        (12, ["6901234567915"], Tender.CASH),
        (13, ["6901234567892", "6901234567915"], Tender.CASH),
    ]
    for hour, codes, tender in baskets:
        clock.set(datetime(2026, 11, 25, hour, 17, tzinfo=ZoneInfo("Asia/Shanghai")))
        s = till.sales.new_sale(admin)
        for c in codes:
            till.sales.scan(s, c)
        s.add_tender(tender, s.totals().due_fen, till.identity().cash_rounding)
        till.sales.complete(s)
    clock.set(datetime(2026, 11, 25, 14, 5, tzinfo=ZoneInfo("Asia/Shanghai")))


def test_screenshots_of_every_screen(qtbot: Any, till_home: Path, shots: Path) -> None:
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build, shutdown
    from pos_app.config import Paths
    from pos_app.demo.live import configure_till, start_stack
    from pos_app.domain.users import Role
    from pos_app.ui.app import build_app, teardown

    # the receipt printer, card terminal and WeChat Pay / Alipay emulators on loopback
    stack = start_stack(till_home.parent / "emu", cloud=False, fast=True)
    configure_till(till_home, stack, enroll=False)
    give_ereceipt_address(till_home)  # the customer's screen shows the e-receipt QR
    clock = ManualClock(datetime(2026, 11, 25, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    db = open_database(Paths(till_home).database)
    till = build(Paths(till_home), db, clock)
    till.users.add("李娜", {Role.CASHIER}, "7391")
    till.users.add("王芳", {Role.CASHIER}, "2681")
    till.users.add("陈店长", {Role.MANAGER}, "3814")
    day_of_sales(till, clock)
    from pos_app.bootstrap import register_probes

    register_probes(till)
    for kind in ("printer", "drawer", "scanner", "terminal", "network", "sync"):
        till.devices._probes[kind].refresh_now()
    t = build_app(till, lang="zh", customer_display=True)
    try:
        qtbot.addWidget(t.window)
        t.window.resize(1280, 800)
        assert "Hei" in t.font_family or "CJK" in t.font_family
        idle(qtbot, t)
        t.window.signin.choose("李娜")
        t.window.signin.pin.setText("12")
        save(t.window, shots, "till-signin.png")

        sign_in(qtbot, t, "李娜", "7391")
        assert t.window.current == "sale"
        t.window.activateWindow()
        t.window.sale.scan.setFocus()
        for code in ("6901234567892", "6901234567908", "6901234567908", "6901234567915"):
            wedge_scan(qtbot, t, code)
        sale = t.window.sale
        sale.table.selectRow(2)
        tap(qtbot, t, sale.disc_btn)
        fill(qtbot, t, value="10%", reason="会员日")
        save(t.window, shots, "till-sale.png")

        sale.scan.setText("TS")
        sale.run_search()
        idle(qtbot, t)
        sale.scan.clear()
        sale.results.hide()

        tap(qtbot, t, sale.disc_btn)
        fill(qtbot, t, value="30%", reason="瑕疵")
        save(dialog(t), shots, "till-approval.png")
        dialog(t).reject()

        t.window.show_tender()
        tender = t.window.tender
        qtbot.waitUntil(lambda: all(b.isEnabled() for b in tender.other.values()), timeout=TIMEOUT)
        tender.amount.setText("500")
        tap(qtbot, t, tender.other[Tender.CARD])  # split: ¥500 by card on the ZVT terminal
        qtbot.waitUntil(lambda: tender.paying is None, timeout=TIMEOUT)
        idle(qtbot, t)
        tender.amount.setText("1000")
        qtbot.keyClick(tender.amount, Qt.Key.Key_Return)
        idle(qtbot, t)
        tender.amount.setText("13")
        save(t.window, shots, "till-tender.png")
        tender.amount.setText("2000")
        qtbot.keyClick(tender.amount, Qt.Key.Key_Return)
        idle(qtbot, t)
        assert tender.stack.currentIndex() == 1
        save(t.window, shots, "till-change.png")
        t.window.customer.resize(1024, 760)
        qtbot.waitUntil(lambda: t.window.customer.qr_modules is not None, timeout=TIMEOUT)
        save(t.window.customer, shots, "till-customer.png")
        tap(qtbot, t, tender.next_btn)

        t.window.show_returns()
        r = t.window.returns
        # the customer's printed receipt (card + cash): its QR scanned on the returns screen
        job = stack.printer.wait_for_jobs(1)[-1]
        wedge_scan(qtbot, t, (job["qr"] or job["qr_native"])[0])
        assert "真实小票" in r.verdict.text() and r.mode == "original"
        r.spins[0][1].setValue(1)  # the jacket only
        r.reason.setText("尺码不合适")
        save(t.window, shots, "till-return.png")

        t.window.show_shift()
        idle(qtbot, t)
        save(t.window, shots, "till-shift-x.png")
        sh = t.window.shift
        tap(qtbot, t, sh.close_btn)
        for fen, n in ((10_000, 83), (5_000, 1), (2_000, 2), (500, 1), (100, 3)):
            sh.counts[fen].setValue(n)
        save(t.window, shots, "till-count.png")
        sh.close_day()
        idle(qtbot, t)
        fill(qtbot, t, name="陈店长", pin="3814")
        assert sh.report_view.title.text().startswith("Z 报表")
        save(t.window, shots, "till-shift.png")
    finally:
        teardown(t)
        shutdown(till)
        db.close()
        stack.close()


def test_screenshots_of_the_stock_screens(qtbot: Any, till_home: Path, shots: Path) -> None:
    """The size-and-colour grid (F3) and the stock count (盘点) with its variance report."""
    from ui_stock_seed import barcode, seed_stock, seed_style

    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build, shutdown
    from pos_app.config import Paths
    from pos_app.domain.users import Role
    from pos_app.ui.app import build_app, teardown

    clock = ManualClock(datetime(2026, 11, 25, 19, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    seed_style(till_home / "till.db")
    db = open_database(Paths(till_home).database)
    till = build(Paths(till_home), db, clock)
    till.users.add("李娜", {Role.CASHIER}, "7391")
    till.users.add("陈店长", {Role.MANAGER}, "3814")
    seed_stock(till)
    till.shifts.open(till.users.authenticate("admin", "9472"), 50_000)

    def cloud(style: str) -> dict[str, Any]:
        # the shape GET /v1/stock/{style} answers with (tests/integration/stock/test_stock_sync.py runs
        # the real reference cloud); a picture of an enrolled till needs no cloud process
        return {
            "stores": [
                {"store_id": "S002", "name": "南京西路店", "distance_km": 1.2,
                 "skus": {"PK5005-BK-L": 3, "PK5005-CM-S": 2, "PK5005-NV-M": 4}},
                {"store_id": "S005", "name": "徐家汇店", "distance_km": 6.8,
                 "skus": {"PK5005-BK-L": 1, "PK5005-BK-M": 2}},
                {"store_id": "S009", "name": "杭州西湖店", "distance_km": 161.0,
                 "skus": {"PK5005-BK-L": 5}},
            ]
        }  # fmt: skip

    till.stock.remote_grid = cloud
    t = build_app(till, lang="zh", customer_display=False)
    try:
        qtbot.addWidget(t.window)
        t.window.resize(1280, 800)
        sign_in(qtbot, t, "李娜", "7391")
        assert t.window.current == "sale"
        wedge_scan(qtbot, t, barcode(0, 1))
        qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F3)
        idle(qtbot, t)
        g = t.window.stock_grid
        g.table.setCurrentCell(0, 2)  # 黑 L: none here, three at 南京西路店
        assert g.others_table.rowCount() == 3
        save(t.window, shots, "till-stock-grid.png")
        qtbot.keyClick(g.code, Qt.Key.Key_Escape)
        idle(qtbot, t)

        t.window.show_shift()
        idle(qtbot, t)
        tap(qtbot, t, t.window.shift.stock_btn)
        page = t.window.stock.count
        page.note.setText("月底盘点")
        tap(qtbot, t, page.start_btn)
        fill(qtbot, t, name="陈店长", pin="3814", reason="月底盘点")
        for ci, si, qty in ((0, 0, "1"), (0, 1, "3"), (1, 1, "3"), (1, 2, "6"), (2, 0, "1")):
            page.scan_row.qty.setText(qty)
            page.scan_row.code.setText(barcode(ci, si))
            qtbot.keyClick(page.scan_row.code, Qt.Key.Key_Return)
            idle(qtbot, t)
        save(t.window, shots, "till-stock-count.png")
        tap(qtbot, t, page.variance_btn)
        save(t.window, shots, "till-stock-variance.png")
    finally:
        teardown(t)
        shutdown(till)
        db.close()
