"""Stock at the counter in the till's window (offscreen, real till folder, real SQLite): the
size-and-colour grid from a sale line, adding a size from the grid, the stock count (盘点)
with a manager's approval, an interrupted count resumed in a new window, receiving an
announced delivery and sending a transfer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from on_db import on_db, sql
from ui_stock_seed import COLOURS, SIZES, START, STYLE, barcode, seed_stock, seed_style, sku
from uihelp import TIMEOUT, dialog, fill, idle, open_shift, sign_in, tap, wedge_scan

from pos_app.ui.qt import QColor, Qt


@pytest.fixture
def styled(till: Any, till_home: Path) -> Any:
    seed_style(till_home / "till.db")
    seed_stock(till)
    return till


@pytest.fixture
def ui(qtbot: Any, styled: Any) -> Iterator[Any]:
    from pos_app.ui.app import build_app, teardown

    t = build_app(styled, lang="zh", customer_display=False)
    t.window.resize(1280, 800)
    qtbot.addWidget(t.window)
    yield t
    teardown(t)


def selling(qtbot: Any, t: Any) -> None:
    sign_in(qtbot, t, "李娜", "7391")
    open_shift(qtbot, t)


def cell(t: Any, row: int, col: int) -> Any:
    return t.window.stock_grid.table.item(row, col)


def on_hand(till: Any, code: str) -> int:
    return int(on_db(till, lambda: till.stock.repo.on_hand(code)))


# ---- the grid ---------------------------------------------------------------------------


def test_grid_from_a_sale_line_then_add_the_l_to_the_sale(qtbot: Any, ui: Any) -> None:
    t = ui
    selling(qtbot, t)
    wedge_scan(qtbot, t, barcode(0, 1))  # 黑 M
    assert [ln.sku for ln in t.session.view.lines] == [sku("BK", "M")]
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F3)
    idle(qtbot, t)
    g = t.window.stock_grid
    assert t.window.current == "stock_grid"
    # colours × sizes with this store's quantities (and a total per colour)
    assert g.table.rowCount() == 3 and g.table.columnCount() == 5
    headers = [g.table.horizontalHeaderItem(c).text() for c in range(5)]
    assert headers[:4] == list(SIZES)
    colours = [g.table.verticalHeaderItem(r).text() for r in range(3)]
    assert colours == ["黑", "驼", "藏青"]
    for r, (c, _name) in enumerate(COLOURS):
        assert [cell(t, r, i).text() for i in range(4)] == [str(n) for n in START[c]]
        assert cell(t, r, 4).text() == str(sum(START[c]))
    assert "羊毛派克大衣" in g.heading.text() and "19" in g.heading.text()  # 19 in the store
    # the scanned item is highlighted and chosen
    assert cell(t, 0, 1).background().color() == QColor("#ffe9a8")
    assert cell(t, 0, 1).font().bold()
    assert (g.table.currentRow(), g.table.currentColumn()) == (0, 1)
    # not enrolled: the other stores say why they are missing
    assert "其他门店暂不可用" in g.others_note.text() and "未注册" in g.others_note.text()

    # the customer wants the L: 黑 L has none here, 驼 L has 5 (arrow keys, then Enter)
    qtbot.keyClick(g.code, Qt.Key.Key_Right)
    qtbot.keyClick(g.code, Qt.Key.Key_Down)
    assert (g.table.currentRow(), g.table.currentColumn()) == (1, 2)
    assert g.others_table.horizontalHeaderItem(2).text() == "驼 L"
    qtbot.keyClick(g.code, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert t.window.current == "sale"
    assert [ln.sku for ln in t.session.view.lines] == [sku("BK", "M"), sku("CM", "L")]

    # Esc from the grid returns to the scan field; a code typed into the grid's own field
    t.window.sale.scan.setText(STYLE)
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F3)  # what is typed wins over the line
    idle(qtbot, t)
    assert t.window.current == "stock_grid" and g.table.rowCount() == 3
    assert not any(cell(t, 0, i).font().bold() for i in range(4))  # a style: nothing scanned
    qtbot.keyClicks(g.code, "NOPE-404")
    qtbot.keyClick(g.code, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert "没有款号或商品" in g.message.text()
    qtbot.keyClick(g.code, Qt.Key.Key_Escape)
    idle(qtbot, t)
    assert t.window.current == "sale"
    assert t.window.sale.scan.hasFocus()  # back at the scan field, ready for the next item
    assert len(t.session.view.lines) == 2


def test_grid_marks_below_zero_and_shows_other_stores_nearest_first(qtbot: Any, ui: Any) -> None:
    t = ui
    till = t.session.till
    release = threading.Event()
    asked: list[str] = []

    def cloud(style: str) -> dict[str, Any]:
        # the cloud answers only when the test has seen the store's own grid painted
        asked.append(style)
        assert release.wait(10)
        return {
            "stores": [
                {"store_id": "S009", "name": "西湖店", "distance_km": 161.0,
                 "skus": {sku("BK", "L"): 1}},
                {"store_id": "S002", "name": "南京西路店", "distance_km": 1.2,
                 "skus": {sku("BK", "L"): 3, sku("CM", "S"): 2}},
            ]
        }  # fmt: skip

    till.stock.remote_grid = cloud  # the port the sync client fills when enrolled
    selling(qtbot, t)
    wedge_scan(qtbot, t, barcode(0, 2))  # 黑 L: none on hand …
    t.window.show_tender()
    t.window.tender.pay_cash()  # … sold anyway: the shelf is the truth
    qtbot.waitUntil(lambda: t.window.tender.stack.currentIndex() == 1, timeout=TIMEOUT)
    idle(qtbot, t)
    assert on_hand(till, sku("BK", "L")) == -1
    tap(qtbot, t, t.window.tender.next_btn)

    t.window.sale.scan.setText(barcode(0, 2))
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F3)
    g = t.window.stock_grid
    # this store's grid paints while the cloud is still thinking: the window is not frozen
    qtbot.waitUntil(lambda: g.table.rowCount() == 3 and bool(asked), timeout=TIMEOUT)
    assert "正在询问其他门店" in g.others_note.text()
    assert cell(t, 0, 2).text() == "-1 !"
    assert cell(t, 0, 2).foreground().color() == QColor("#a8322d")
    release.set()
    idle(qtbot, t)
    o = g.others_table
    assert [o.item(r, 0).text() for r in range(o.rowCount())] == ["S002 南京西路店", "S009 西湖店"]
    assert o.horizontalHeaderItem(2).text() == "黑 L"
    assert [o.item(r, 2).text() for r in range(2)] == ["3", "1"]
    assert o.item(0, 1).text() == "1.2 km"
    g.table.setCurrentCell(1, 0)  # 驼 S: the other stores' column follows the chosen cell
    assert o.horizontalHeaderItem(2).text() == "驼 S"
    assert [o.item(r, 2).text() for r in range(2)] == ["2", "0"]


# ---- the count --------------------------------------------------------------------------


def open_count(qtbot: Any, t: Any) -> Any:
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F9)
    idle(qtbot, t)
    assert t.window.current == "shift"
    tap(qtbot, t, t.window.shift.stock_btn)
    assert t.window.current == "stock"
    return t.window.stock.count


def typed(qtbot: Any, t: Any, field: Any, code: str) -> None:
    """A code typed (or pasted) into a scan field and Enter: one key event, so a loaded
    machine cannot split it the way it can split a simulated scanner burst."""
    field.setFocus()
    field.setText(code)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    idle(qtbot, t)


def count_scan(
    qtbot: Any, t: Any, page: Any, code: str, qty: str = "", *, scanner: bool = False
) -> None:
    page.scan_row.qty.setText(qty)
    if scanner:
        page.scan_row.code.setFocus()
        wedge_scan(qtbot, t, code)
    else:
        typed(qtbot, t, page.scan_row.code, code)


def test_count_scan_variance_cashier_refused_manager_posts(qtbot: Any, ui: Any) -> None:
    t = ui
    till = t.session.till
    selling(qtbot, t)
    page = open_count(qtbot, t)
    assert page.stack.currentIndex() == 0  # no count open
    page.note.setText("月底盘点")
    tap(qtbot, t, page.start_btn)  # a cashier: a manager must start it
    assert dialog(t).objectName() == "approval"
    fill(qtbot, t, name="admin", pin="9472", reason="月底盘点")
    assert page.stack.currentIndex() == 1
    assert "admin" in page.heading.text()

    count_scan(qtbot, t, page, barcode(0, 1), "3", scanner=True)  # 黑 M: 3 (expected 4)
    count_scan(qtbot, t, page, barcode(1, 2), "6")  # 驼 L: 6 (expected 5)
    count_scan(qtbot, t, page, barcode(1, 2), "-1")  # one scanned twice: taken back
    assert "-1" in page.last.text() and "已盘 5 件" in page.last.text()
    # keyboard first: the quantity typed, the scanner fired with the cursor still in it
    page.scan_row.qty.setFocus()
    qtbot.keyClicks(page.scan_row.qty, "1")
    qtbot.wait(80)  # a person types; the scanner fires a moment later
    wedge_scan(qtbot, t, barcode(2, 0))  # 藏青 S: 1 (expected 2)
    assert page.scan_row.qty.text() == ""  # back to 1 for the next scan
    rows = [[page.lines.item(r, c).text() for c in (0, 2)] for r in range(page.lines.rowCount())]
    assert rows == [[sku("BK", "M"), "3"], [sku("CM", "L"), "5"], [sku("NV", "S"), "1"]]
    assert page.totals.text() == "已盘 3 个货号 · 9 件"
    count_scan(qtbot, t, page, barcode(0, 0), "x")
    assert "整数" in page.message.text()

    tap(qtbot, t, page.variance_btn)
    assert page.stack.currentIndex() == 2
    v = page.variance
    got = {
        v.item(r, 0).text(): [v.item(r, c).text() for c in (2, 4, 5, 6)]
        for r in range(v.rowCount())
    }
    assert got == {
        sku("BK", "M"): ["4", "3", "-1", "-¥1599.00"],
        sku("CM", "L"): ["5", "5", "0", "¥0.00"],
        sku("NV", "S"): ["2", "1", "-1", "-¥1599.00"],
    }
    assert "-¥3198.00" in page.summary.text()
    assert "未扫描" in page.summary.text()  # the items with stock left as they are

    tap(qtbot, t, page.post_btn)  # a cashier is refused …
    d = dialog(t)
    assert d.objectName() == "approval"
    assert "不是店长" in " ".join(w.text() for w in d.findChildren(type(page.message)))
    assert on_hand(till, sku("BK", "M")) == 4  # nothing posted yet
    fill(qtbot, t, name="admin", pin="0000", reason="月底盘点")  # a wrong PIN first
    assert dialog(t).error.isVisible()
    fill(qtbot, t, name="admin", pin="9472", reason="月底盘点")  # … a manager approves
    assert page.stack.currentIndex() == 0
    assert "admin" in page.last_result.text()
    for code, counted in ((sku("BK", "M"), 3), (sku("CM", "L"), 5), (sku("NV", "S"), 1)):
        assert on_hand(till, code) == counted  # on hand equals counted
    assert on_hand(till, sku("BK", "S")) == 1  # not counted: unchanged
    ev = json.loads(
        sql(
            till, "SELECT payload FROM outbox WHERE type = 'stock.moved' ORDER BY seq DESC LIMIT 1"
        )[0][0]
    )
    assert ev["reason"] == "count" and ev["approved_by"] == "admin"
    assert sorted((ln["sku"], ln["qty"]) for ln in ev["lines"]) == [
        (sku("BK", "M"), -1),
        (sku("NV", "S"), -1),
    ]
    assert on_db(till, till.stock.repo.consistency) == []


def test_interrupted_count_resumes_in_a_new_window(
    qtbot: Any, styled: Any, till_home: Path
) -> None:
    from pos_app.cli.context import AppContext
    from pos_app.ui.app import build_app, teardown

    admin = styled.users.authenticate("admin", "9472")
    styled.stock.count_start(admin, "二楼")
    t1 = build_app(styled, lang="zh", customer_display=False)
    try:
        sign_in(qtbot, t1, "admin", "9472")
        open_shift(qtbot, t1)
        page = open_count(qtbot, t1)
        assert page.stack.currentIndex() == 1
        count_scan(qtbot, t1, page, barcode(1, 1), "2", scanner=True)
        assert page.lines.rowCount() == 1
    finally:
        teardown(t1)  # the till is switched off in the middle of the count

    ctx = AppContext(till_home)  # a new process over the same till folder
    t2 = build_app(ctx.till, lang="zh", customer_display=False)
    try:
        sign_in(qtbot, t2, "李娜", "7391")
        idle(qtbot, t2)
        page = open_count(qtbot, t2)
        assert page.stack.currentIndex() == 1
        assert "继续" in page.heading.text() and "admin" in page.heading.text()
        assert [page.lines.item(0, c).text() for c in (0, 2)] == [sku("CM", "M"), "2"]
        count_scan(qtbot, t2, page, barcode(1, 1))
        assert page.lines.item(0, 2).text() == "3"
        # cancelling needs a manager too (and says what is thrown away)
        tap(qtbot, t2, page.cancel_btn)
        assert dialog(t2).objectName() == "approval"
        fill(qtbot, t2, name="admin", pin="9472", reason="重新盘点")
        assert page.stack.currentIndex() == 0 and "取消" in page.last_result.text()
        assert on_hand(ctx.till, sku("CM", "M")) == 3  # unchanged
    finally:
        teardown(t2)
        ctx.close()


# ---- receiving, sending, reports -------------------------------------------------------


def test_receive_a_delivery_then_send_and_the_reports(qtbot: Any, ui: Any) -> None:
    from pos_app.adapters.db.relay_ports import RelayChangeSink
    from pos_app.domain.ports import Change

    t = ui
    till = t.session.till
    sink = RelayChangeSink(till.uow)
    doc = {
        "doc": "D-1001",
        "kind": "delivery",
        "from_store": "",
        "lines": [{"sku": sku("BK", "L"), "qty": 4}, {"sku": sku("NV", "M"), "qty": 2}],
    }
    sink.apply_page([Change("stock_doc", "upsert", "D-1001", doc)], "1")  # fmt: skip
    selling(qtbot, t)
    open_count(qtbot, t)
    s = t.window.stock
    tap(qtbot, t, s.tabs["receive"])
    r = s.receive
    assert r.docs.count() == 1 and "D-1001" in r.docs.item(0).text()
    tap(qtbot, t, r.open_btn)
    assert "D-1001" in r.heading.text()
    r.scan_row.qty.setText("3")
    wedge_scan(qtbot, t, barcode(0, 2))  # 黑 L: 3 of 4
    for _ in range(3):
        typed(qtbot, t, r.scan_row.code, barcode(2, 1))  # 藏青 M: 3 of 2 (over)
    assert "多于" in r.last.text()
    lines = {r.lines.item(i, 0).text(): [r.lines.item(i, c).text() for c in range(1, 5)]
             for i in range(r.lines.rowCount())}  # fmt: skip
    assert lines == {sku("BK", "L"): ["4", "3", "1", ""], sku("NV", "M"): ["2", "3", "", "1"]}
    assert "短少 1" in r.totals.text() and "多出 1" in r.totals.text()
    tap(qtbot, t, r.finish_btn)
    assert on_hand(till, sku("BK", "L")) == 3 and on_hand(till, sku("NV", "M")) == 3
    assert r.docs.count() == 1 and not r.open_btn.isEnabled()  # nothing left to receive
    assert "D-1001" in r.result.text()

    tap(qtbot, t, s.tabs["send"])
    send = s.send
    send.to_store.setText("S002")
    send.scan_row.code.setFocus()
    send.scan_row.qty.setText("2")
    wedge_scan(qtbot, t, barcode(1, 2))  # 驼 L × 2
    assert send.lines.rowCount() == 1 and send.lines.item(0, 2).text() == "2"
    tap(qtbot, t, send.send_btn)
    assert dialog(t).objectName() == "confirm"
    tap(qtbot, t, dialog(t).ok_btn)
    assert on_hand(till, sku("CM", "L")) == 3
    assert send.lines.rowCount() == 0 and "S002" in t.window.flash_label.text()

    tap(qtbot, t, s.tabs["reports"])  # for the manager: a cashier asks for approval
    assert dialog(t).objectName() == "approval"
    fill(qtbot, t, name="admin", pin="9472", reason="看报表")
    rep = s.reports
    assert rep.table.rowCount() >= 1 and "外套" in [
        rep.table.item(i, 0).text() for i in range(rep.table.rowCount())
    ]
    tap(qtbot, t, rep.buttons["negative"])
    assert "0" in rep.summary.text()
    tap(qtbot, t, rep.buttons["slow"])
    assert rep.table.rowCount() >= 1  # nothing sold yet: everything in stock is slow
    tap(qtbot, t, t.window.lang_btn)  # English one tap away, on the same page
    assert t.window.current == "stock" and t.window.stock.tabs["count"].text() == "Stock count"
    assert t.window.stock.page == "reports" and t.window.dialog is None  # still approved
    assert t.window.stock.reports.title.text().startswith("In stock, no sale in 60 days")
    tap(qtbot, t, t.window.lang_btn)
    assert t.window.stock.tabs["count"].text() == "盘点"
    qtbot.keyClick(t.window.stock, Qt.Key.Key_Escape)
    idle(qtbot, t)
    assert t.window.current == "shift"


def test_grid_asks_the_real_cloud_for_other_stores(
    qtbot: Any, till_home: Path, tmp_path: Path
) -> None:
    """An enrolled till and the reference cloud on 127.0.0.1: other stores nearest first; the
    cloud gone, the grid still shows this store and says why the rest is missing."""
    from cloud.app import create_app
    from cloud.db import CloudDB
    from cloud.server import ThreadedServer
    from cloud.service import CloudService
    from cloud.stock import CloudStock
    from pos_app.cli.context import AppContext
    from pos_app.demo.live import cli
    from pos_app.domain.users import Role
    from pos_app.ui.app import build_app, teardown

    db = CloudDB(str(tmp_path / "cloud.db"))
    svc = CloudService(db, ereceipt_base_url="")
    server = ThreadedServer(create_app(svc)).start()
    ctx = None
    t = None
    try:
        stock = CloudStock(svc)
        for sid, name, lat, lon in [("S001", "静安嘉里中心店", 31.224, 121.446),
                                    ("S002", "南京西路店", 31.229, 121.455),
                                    ("S003", "杭州湖滨店", 30.258, 120.163)]:  # fmt: skip
            svc.admin.add_store(sid, name)
            stock.locate(sid, lat, lon)
        code = svc.admin.enrollment_code("S001")["code"]
        cli(till_home, "enroll", "--cloud", server.url, "--code", code)
        styles = {sku(c, s): STYLE for c, _n in COLOURS for s in SIZES}
        stock.set_quantities("S003", {sku("BK", "L"): 5}, styles)
        stock.set_quantities("S002", {sku("BK", "L"): 2, sku("NV", "XL"): 1}, styles)
        seed_style(till_home / "till.db")
        ctx = AppContext(till_home)
        till = ctx.till
        till.users.add("李娜", {Role.CASHIER}, "7391")
        seed_stock(till)
        t = build_app(till, lang="zh", customer_display=False)
        selling(qtbot, t)
        t.window.sale.scan.setText(barcode(0, 2))  # 黑 L, typed: the grid for it
        qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F3)
        g = t.window.stock_grid
        qtbot.waitUntil(lambda: g.others_table.rowCount() == 2, timeout=TIMEOUT)
        o = g.others_table
        assert [o.item(r, 0).text() for r in range(2)] == ["S002 南京西路店", "S003 杭州湖滨店"]
        assert float(o.item(0, 1).text().split()[0]) < 2 < float(o.item(1, 1).text().split()[0])
        assert [o.item(r, 2).text() for r in range(2)] == ["2", "5"]
        assert g.others_note.text() == "按距离由近到远。"

        server.stop()  # the link goes down
        qtbot.keyClicks(g.code, STYLE)
        qtbot.keyClick(g.code, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "其他门店暂不可用" in g.others_note.text(), timeout=TIMEOUT)
        assert g.table.rowCount() == 3 and cell(t, 0, 2).text() == "0"  # ours still shown
        assert g.others_table.rowCount() == 0
    finally:
        if t is not None:
            teardown(t)
        if ctx is not None:
            ctx.close()
        server.stop()
        db.close()
