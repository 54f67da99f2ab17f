"""The till's window against the real emulators on 127.0.0.1: the virtual receipt printer
(TCP), the ZVT card terminal and the WeChat Pay / Alipay emulators, set up through the same
commands a technician uses (pos_app.demo.live.configure_till)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from on_db import on_db, sql
from uihelp import TIMEOUT, give_ereceipt_address, idle, sign_in, tap, wedge_scan

from pos_app.domain.tenders import Tender
from pos_app.ui.qt import Qt

JACKET = "6901234567892"  # ¥1,299.00
TSHIRT = "6901234567908"  # ¥199.00
WECHAT_CODE = "134000000000000000"


@pytest.fixture
def live(qtbot: Any, till_home: Path, tmp_path: Path) -> Iterator[Any]:
    from pos_app.cli.context import AppContext
    from pos_app.demo.live import configure_till, start_stack
    from pos_app.domain.users import Role
    from pos_app.ui.app import build_app, teardown

    stack = start_stack(tmp_path / "emu", cloud=False, fast=True)
    ctx = None
    t = None
    try:
        configure_till(till_home, stack, enroll=False)
        # the customer's screen shows the e-receipt QR only where there is a page to open
        give_ereceipt_address(till_home)
        ctx = AppContext(till_home)
        till = ctx.till
        till.users.add("李娜", {Role.CASHIER}, "7391")
        from pos_app.bootstrap import register_probes

        register_probes(till, ttl_s=0.2)
        t = build_app(till, lang="zh", customer_display=True)
        t.window.resize(1280, 800)
        qtbot.addWidget(t.window)
        t.stack = stack
        yield t
    finally:
        if t is not None:
            teardown(t)
        if ctx is not None:
            ctx.close()
        stack.close()


def selling(qtbot: Any, t: Any) -> None:
    sign_in(qtbot, t, "李娜", "7391")
    sh = t.window.shift
    sh.float_edit.setText("500")
    qtbot.keyClick(sh.float_edit, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert t.window.current == "sale"


def to_tender(qtbot: Any, t: Any, *codes: str) -> Any:
    for c in codes:
        wedge_scan(qtbot, t, c)
    t.window.show_tender()
    tender = t.window.tender
    qtbot.waitUntil(lambda: tender.other[Tender.CARD].isEnabled(), timeout=TIMEOUT)
    return tender


def wait_paid(qtbot: Any, t: Any) -> None:
    qtbot.waitUntil(lambda: t.window.tender.paying is None, timeout=TIMEOUT)
    idle(qtbot, t)


def done_page(qtbot: Any, t: Any) -> None:
    qtbot.waitUntil(lambda: t.window.tender.stack.currentIndex() == 1, timeout=TIMEOUT)
    idle(qtbot, t)


def attempts(t: Any) -> list[tuple[str, str, int, str]]:
    return [
        tuple(r)
        for r in sql(
            t.session.till,
            "SELECT kind, tender, amount_fen, state FROM payment_attempts ORDER BY started_at",
        )
    ]


def test_split_card_and_wechat_sale(qtbot: Any, live: Any) -> None:
    t = live
    selling(qtbot, t)
    tender = to_tender(qtbot, t, JACKET)
    assert all(b.isEnabled() for b in tender.other.values())  # all three configured and up
    texts: list[tuple[str, str]] = []
    tender._texts.text.connect(lambda en, zh: texts.append((en, zh)))

    tender.amount.setText("500")
    tap(qtbot, t, tender.other[Tender.CARD])  # runs on the worker; tap waits for it
    wait_paid(qtbot, t)
    assert not tender.working.isVisible()
    assert texts, "the terminal's own texts reached the screen"
    assert [(v.tender, v.amount_fen) for v in t.session.view.tenders] == [("card", 50_000)]
    assert t.session.view.due_fen == 79_900

    # the customer's WeChat payment code, scanned with the keyboard wedge on the tender screen
    wedge_scan(qtbot, t, WECHAT_CODE)
    wait_paid(qtbot, t)
    done_page(qtbot, t)
    p = t.session.last_payload
    assert [(x["tender"], x["amount_fen"]) for x in p["payments"]] == [
        ("card", 50_000),
        ("wechat", 79_900),
    ]
    assert attempts(t) == [
        ("sale", "card", 50_000, "attached"),
        ("sale", "wechat", 79_900, "attached"),
    ]
    # the receipt printed and the customer sees the e-receipt QR
    job = t.stack.printer.wait_for_jobs(1)[-1]
    assert any("微信" in line for line in job["text_lines"])
    qtbot.waitUntil(lambda: t.window.customer.qr_modules is not None, timeout=TIMEOUT)
    # the QR on the customer's screen reads back as the printed receipt's signed URL
    assert decode_qr(t.window.customer.qr) == (job["qr"] or job["qr_native"])[0]


def decode_qr(widget: Any) -> str:
    import zxingcpp
    from PIL import Image

    img = widget.pixmap().toImage()
    pil = Image.frombytes(
        "L",
        (img.width(), img.height()),
        bytes(
            255 if img.pixelColor(x, y).lightness() > 127 else 0
            for y in range(img.height())
            for x in range(img.width())
        ),
    )
    found = zxingcpp.read_barcodes(pil)
    assert found, "the customer display's QR does not decode"
    return str(found[0].text)


def test_card_cancel_aborts_and_abandon_gives_approval_back(qtbot: Any, live: Any) -> None:
    t = live
    selling(qtbot, t)
    tender = to_tender(qtbot, t, TSHIRT)
    texts: list[str] = []
    tender._texts.text.connect(lambda en, zh: texts.append(zh))
    tender.amount.setText("100.97")  # …97: the terminal waits for a customer who never confirms
    qtbot.mouseClick(tender.other[Tender.CARD], Qt.MouseButton.LeftButton)  # no wait
    assert tender.paying is Tender.CARD and tender.abort_btn.isEnabled()
    qtbot.waitUntil(lambda: len(texts) >= 2, timeout=TIMEOUT)  # the terminal asks to wait
    qtbot.mouseClick(tender.abort_btn, Qt.MouseButton.LeftButton)
    wait_paid(qtbot, t)
    assert not t.session.view.tenders
    assert tender.message.text(), "the cashier is told the payment did not go through"

    # a card approval, then the customer walks away: Cancel payments gives it back
    tender.amount.setText("50")
    tap(qtbot, t, tender.other[Tender.CARD])
    wait_paid(qtbot, t)
    assert [v.tender for v in t.session.view.tenders] == ["card"]
    tap(qtbot, t, tender.cancel_btn)
    assert not t.session.view.tenders
    assert ("sale", "card", 5_000, "reversed") in attempts(t)


def test_alipay_button_asks_for_the_code_and_a_declined_card_says_so(qtbot: Any, live: Any) -> None:
    t = live
    selling(qtbot, t)
    tender = to_tender(qtbot, t, TSHIRT)
    tender.amount.setText("50.91")  # …91: the issuer declines
    tap(qtbot, t, tender.other[Tender.CARD])
    wait_paid(qtbot, t)
    assert not t.session.view.tenders and tender.message.text()
    assert ("sale", "card", 5_091, "declined") in attempts(t)

    assert tender.amount.text() == "50.91"  # kept for another try
    tender.amount.clear()  # the rest: what is due
    tap(qtbot, t, tender.other[Tender.ALIPAY])
    assert tender.working.isVisible() and "付款码" in tender.working_text.text()
    wedge_scan(qtbot, t, "280000000000000000")
    wait_paid(qtbot, t)
    done_page(qtbot, t)
    assert [x["tender"] for x in t.session.last_payload["payments"]] == ["alipay"]


def test_return_by_scanning_the_printed_qr_refunds_the_card(qtbot: Any, live: Any) -> None:
    t = live
    selling(qtbot, t)
    tender = to_tender(qtbot, t, TSHIRT, JACKET)
    tap(qtbot, t, tender.other[Tender.CARD])  # the whole ¥1,498.00 by card
    wait_paid(qtbot, t)
    done_page(qtbot, t)
    sold = t.session.last_payload
    job = t.stack.printer.wait_for_jobs(1)[-1]
    url = (job["qr"] or job["qr_native"])[0]
    tap(qtbot, t, tender.next_btn)

    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    assert t.window.current == "returns"
    r = t.window.returns
    # a tampered copy first: one character of the token changed
    bad = url[:-5] + ("A" if url[-5] != "A" else "B") + url[-4:]
    wedge_scan(qtbot, t, bad)
    assert "篡改" in r.verdict.text() or "不是电子小票" in r.verdict.text()
    assert r.table.rowCount() == 0

    wedge_scan(qtbot, t, url)
    assert "真实小票" in r.verdict.text()
    assert r.table.rowCount() == 2
    assert r.orig_btn.isEnabled() and r.mode == "original"
    r.spins[0][1].setValue(1)  # the T-shirt
    r.spins[1][1].setValue(0)
    r.reason.setText("尺码不合适")
    tap(qtbot, t, r.refund_btn)
    qtbot.waitUntil(lambda: "退款完成" in t.window.flash_label.text(), timeout=TIMEOUT)
    refund = t.window.last_refund
    assert refund["original_sale_id"] == sold["sale_id"] or refund.get("original_receipt_no")
    assert [(x["tender"], x["amount_fen"]) for x in refund["payments"]] == [("card", -19_900)]
    assert ("refund", "card", 19_900, "attached") in attempts(t)


def test_paper_out_during_a_sale_then_reprint(qtbot: Any, live: Any) -> None:
    t = live
    vp = t.stack.printer
    selling(qtbot, t)
    vp.set(paper_out=True)
    jobs_before = len(vp.jobs)
    wedge_scan(qtbot, t, TSHIRT)
    t.window.show_tender()
    t.window.tender.pay_cash()  # exact cash
    done_page(qtbot, t)
    no = t.session.last_payload["receipt_no"]
    till = t.session.till
    assert on_db(till, lambda: till.reads.receipt(no))["total_fen"] == 19_900  # the sale stands
    qtbot.waitUntil(lambda: "纸用完了" in t.window.flash_label.text(), timeout=TIMEOUT)
    banner = t.window.flash_label.text()
    assert "换纸卷" in banner and "重印" in banner
    assert "纸用完了" in t.window.tender.print_note.text()
    assert len(vp.jobs) == jobs_before  # nothing printed on an empty roll

    # the status bar says so too
    bar = t.window.status

    def printer_fault() -> bool:
        bar.poll()  # the probe answers from its cache and refreshes in the background
        return "故障" in bar.buttons["printer"].text()

    qtbot.waitUntil(printer_fault, timeout=TIMEOUT)

    vp.clear_faults()
    tap(qtbot, t, t.window.tender.reprint_btn)
    job = vp.wait_for_jobs(jobs_before + 1)[-1]
    assert any("重印" in line for line in job["text_lines"])
    qtbot.waitUntil(lambda: "已重印" in t.window.flash_label.text(), timeout=TIMEOUT)
    assert sql(till, "SELECT reprints FROM sales WHERE receipt_no = ?", (no,))[0][0] == 1

    # gift receipt: no prices
    tap(qtbot, t, t.window.tender.gift_btn)
    gift = vp.wait_for_jobs(jobs_before + 2)[-1]
    assert not any("199.00" in line for line in gift["text_lines"])
    # its QR is the gift token (version 2): no total, the same receipt (issue 19)
    from receipts.token import decode_token

    gift_token = decode_token((gift["qr"] or gift["qr_native"])[0])
    assert gift_token.gift and gift_token.total_fen == 0 and gift_token.receipt_no == no
    assert not any(word in line for line in gift["text_lines"] for word in ("找零", "实收"))


def test_status_bar_probes(qtbot: Any, live: Any) -> None:
    t = live
    board = t.session.till.devices
    for kind in ("printer", "terminal", "network", "sync"):
        board._probes[kind].refresh_now()
    by_kind = {s.kind: s for s in board.all()}
    assert by_kind["printer"].state.value == "ok"
    assert by_kind["terminal"].state.value == "ok"
    assert by_kind["network"].state.value == "ok"  # the two wallet emulators answer
    assert by_kind["sync"].label_zh == "未注册"
    bar = t.window.status

    def says_not_enrolled() -> bool:
        bar.poll()
        return "未注册" in bar.buttons["sync"].text()

    qtbot.waitUntil(says_not_enrolled, timeout=TIMEOUT)
    t.stack.zvt.stop()
    board._probes["terminal"].refresh_now()
    assert board.status("terminal").state.value == "error"


def test_enrolled_till_pushes_after_a_sale_and_the_sync_line_counts(
    till_home: Path, tmp_path: Path
) -> None:
    import time

    from pos_app.cli.context import AppContext
    from pos_app.demo.live import configure_till, start_stack
    from pos_app.domain.tenders import Tender as T

    stack = start_stack(tmp_path / "emu", cloud=True, fast=True)
    ctx = None
    try:
        configure_till(till_home, stack, enroll=True)
        ctx = AppContext(till_home)
        till = ctx.till
        from pos_app.bootstrap import register_probes

        register_probes(till, ttl_s=0.05)
        assert till.sync.start(nudge_delay_s=0.1)
        admin = till.users.authenticate("admin", "9472")
        till.shifts.open(admin, 10_000)
        sale = till.sales.new_sale(admin)
        till.sales.scan(sale, TSHIRT)
        till.checkout.pay(sale, T.CASH, sale.totals().due_fen)
        till.checkout.complete(sale)  # the commit nudges the relay
        probe = till.devices._probes["sync"]
        deadline = time.monotonic() + 60  # bounds a hang; the loop ends when pushed
        while time.monotonic() < deadline:
            st = probe.refresh_now()
            if st.pending == 0 and st.state.value == "ok":
                break
            time.sleep(0.1)
        assert st.state.value == "ok" and st.pending == 0, st
        sent = till.database.conn.execute(
            "SELECT count(*) FROM outbox WHERE type = 'sale.completed' AND state = 'sent'"
        ).fetchone()[0]
        assert sent == 1
    finally:
        if ctx is not None:
            ctx.close()
        stack.close()


def test_x_printed_from_the_shift_screen_and_the_z_prints_at_the_close(
    qtbot: Any, live: Any
) -> None:
    t = live
    vp = t.stack.printer
    sign_in(qtbot, t, "admin", "9472")
    sh = t.window.shift
    sh.float_edit.setText("500")
    qtbot.keyClick(sh.float_edit, Qt.Key.Key_Return)
    idle(qtbot, t)
    wedge_scan(qtbot, t, TSHIRT)
    t.window.show_tender()
    t.window.tender.pay_cash()
    done_page(qtbot, t)
    # the receipt prints on the printing thread, maybe after the done page shows
    n = len(vp.wait_for_jobs(1))
    tap(qtbot, t, t.window.tender.next_btn)
    qtbot.keyClick(t.window.sale.scan, Qt.Key.Key_F9)
    idle(qtbot, t)
    tap(qtbot, t, sh.print_btn)
    xjob = vp.wait_for_jobs(n + 1)[-1]
    assert any("交班报表 (X)" in line for line in xjob["text_lines"])
    qtbot.waitUntil(lambda: "已打印" in t.window.flash_label.text(), timeout=TIMEOUT)

    tap(qtbot, t, sh.close_btn)
    sh.counts[10_000].setValue(6)  # 600, while 699 are expected: 99 short
    sh.close_day()
    idle(qtbot, t)
    zjob = vp.wait_for_jobs(n + 2)[-1]  # printed by itself, on the printing thread
    ztext = "\n".join(zjob["text_lines"])
    assert "日结报表 (Z)" in ztext and "长短款" in ztext and "-99.00" in ztext
    assert "重印" not in ztext
    assert sh.print_btn.isVisible()
    tap(qtbot, t, sh.print_btn)  # a second copy says so
    again = vp.wait_for_jobs(n + 3)[-1]
    assert any("重印" in line for line in again["text_lines"])
