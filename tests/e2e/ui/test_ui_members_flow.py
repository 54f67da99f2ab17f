"""Members at the till's screen, end to end on a real till folder and SQLite (no cloud: the
till is offline): scan the customer's member code, see the member, apply a coupon and points,
pay cash and stored value, see the savings and the follow-ups; find by the last four digits,
enroll, an existing phone found instead, an invalid coupon refused; a parked member sale, a
return settling points, the follow-ups filter.  With the cloud: test_ui_members_cloud.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import paths

# The member cloud stub and a till with a shop, as fixtures of this module.
from members_ui_fixtures import cloud, shop  # noqa: F401
from members_ui_kit import JACKET, PHONE_A, TEE, panel_ready, savings_names, start_selling
from on_db import on_db, sql
from uihelp import TIMEOUT, dialog, fill, idle, table_text, tap, wedge_scan

from pos_app.ui.qt import Qt


def test_member_code_coupon_points_cash_then_stored_value_and_followups(
    qtbot: Any, shop: dict[str, str], app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    col = sale.member_col
    assert sale.fn_buttons["member"].isEnabled()
    assert "没有会员" in col.name.text()
    wedge_scan(qtbot, t, JACKET)
    wedge_scan(qtbot, t, TEE)
    assert sale.total.text() == "¥1398.00"  # 满1000减100 for everyone: 1299 + 199 - 100
    assert "满1000减100" in sale.savings.text()

    # the customer shows the member code on the phone: scanned into the sale
    wedge_scan(qtbot, t, f"GTM:{shop['a']}")
    assert "王女士" in col.name.text() and "核心" in col.name.text()
    assert "138****8000" in col.phone.text()
    assert "2,000" in col.balances.text() and "¥500.00" in col.balances.text()
    rows = table_text(sale.table)
    # the list price, and the member price's saving by name (会员价优惠)
    assert rows[0][3] == "¥1299.00" and "-100.00 会员价优惠" in rows[0][4]
    panel_ready(qtbot, t)
    assert [col.coupon_list.item(i).text() for i in range(col.coupon_list.count())] == [
        "C30  满200减30券"
    ]
    assert "修身" in col.tags.text()
    assert "本月生日" in col.flags.text() and col.flags.isVisible()
    assert sale.scan.hasFocus()  # the panel never takes the scan field's keyboard

    # the coupon from the member's list, then points (the cap is shown)
    tap(qtbot, t, col.coupon_btn)
    d = dialog(t)
    assert d.objectName() == "coupon"
    assert "C30" in " ".join(w.text() for w in d.findChildren(type(col.name)))
    fill(qtbot, t, query="C30")
    assert "满200减30券" in sale.savings.text()
    tap(qtbot, t, col.points_btn)
    d = dialog(t)
    assert d.objectName() == "points"
    shown = " ".join(w.text() for w in d.findChildren(type(col.name)))
    assert "2000" in shown and "50%" in shown  # what the member has and the cap
    fill(qtbot, t, points="500")
    view = t.session.view
    names = [s.name for s in view.savings]
    assert "满200减30券" in names and any("积分" in n for n in names)
    points_saving = next(s for s in view.savings if s.kind == "points")
    assert points_saving.amount_fen == 500
    for n in names:  # each saving by name on the totals and on the customer display
        assert n in sale.savings.text()
        assert n in t.window.customer.savings.text()
    expected = view.subtotal_fen - sum(s.amount_fen for s in view.savings)
    assert view.total_fen == expected
    assert sale.total.text() == f"¥{expected / 100:.2f}"
    # subtotal − discounts = to pay, with the named savings counted in the discounts
    # (the member price's saving counted too: the subtotal is at list prices)
    assert sale.subtotal.text() == f"¥{view.list_subtotal_fen / 100:.2f}"
    assert sale.discounts.text() == f"-¥{(view.list_subtotal_fen - expected) / 100:.2f}"
    assert any("积分" in r[4] for r in table_text(sale.table))  # the lines name them too
    assert "500" in col.balances.text()  # redeeming 500

    # the associate credited
    tap(qtbot, t, col.associate_btn)
    fill(qtbot, t, associate="李娜")
    assert "李娜" in col.associate_btn.text()

    # pay cash
    qtbot.keyClick(sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    tender = t.window.tender
    assert tender.sv_btn.isVisible()
    qtbot.keyClick(tender.amount, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert tender.stack.currentIndex() == 1, tender.message.text()
    p = t.session.last_payload
    assert p["member"]["id"] == shop["a"] and p["associate"] == "李娜"
    assert p["member"]["points_redeemed"] == 500 and p["member"]["points_earned"] > 0
    assert set(names) <= set(savings_names(p))
    assert [s["ref"] for s in p["savings"] if s["kind"] == "coupon"] == ["C30"]
    assert p["savings_fen"] == sum(s.amount_fen for s in view.savings)
    assert "满200减30券" in tender.receipt_view.toPlainText()

    # the follow-ups appear on the till, with the member
    tap(qtbot, t, tender.next_btn)
    idle(qtbot, t)
    assert "5" in col.followups_btn.text()
    tap(qtbot, t, col.followups_btn)
    d = dialog(t)
    assert d.objectName() == "followups"
    rows = table_text(d.table)
    assert len(rows) == 5 and all(r[2] == "王女士" and r[1] == "李娜" for r in rows)
    assert all(r[3] == "138****8000" for r in rows) and "满200减30券" not in rows[0][5]
    assert f"#{p['receipt_no']}" in rows[0][5]
    d.note.setText("已电话回访，周六来店")
    tap(qtbot, t, d.ok_btn)
    assert len(table_text(d.table)) == 4
    till = t.session.till
    done = on_db(till, lambda: till.members().context.repo.followups(None, None, include_done=True))
    assert [(r["step"], r["note"]) for r in done if r["done_at"]] == [(1, "已电话回访，周六来店")]
    tap(qtbot, t, d.cancel_btn)
    # a follow-up falling due: the scheduler's job reports it, the banner and badge show it
    job = t.session.till.followups.job
    assert job is not None
    uow = till.uow

    def falls_due() -> None:
        with uow:
            uow.conn.execute(
                "UPDATE followups SET due_at = '2000-01-01T00:00:00Z' "
                "WHERE step = 2 AND sale_id = ?",
                (p["sale_id"],),
            )
            uow.commit()

    on_db(till, falls_due)
    assert [r["step"] for r in job.run_once()] == [2]
    idle(qtbot, t)
    assert "王女士" in t.window.flash_label.text()
    qtbot.waitUntil(lambda: "1" in col.followups_btn.text().split("，")[-1], timeout=TIMEOUT)

    # a second sale paid with stored value (offline: within the card's cap); the member
    # is found from the e-receipt QR of her last receipt, scanned into Find (F6)
    from pos_app.adapters.receipt_docs import ereceipt_url

    url = on_db(till, lambda: ereceipt_url(p, till.signer(), till.receipts.ereceipt_base_url()))
    wedge_scan(qtbot, t, JACKET)
    qtbot.keyClick(sale.scan, Qt.Key.Key_F6)
    assert dialog(t).objectName() == "find_member"
    wedge_scan(qtbot, t, url)
    assert t.window.dialog is None or not t.window.dialog.isVisible()
    assert t.session.sale.member_id == shop["a"]
    assert "王女士" in col.name.text()
    due = t.session.view.due_fen
    qtbot.keyClick(sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    assert "¥500.00" in tender.sv_btn.text()
    # the whole balance would pass the card's offline limit (¥300 a day here): refused,
    # saying what to do; ¥300 from the card is within it, the rest in cash
    tap(qtbot, t, tender.sv_btn)
    assert tender.stack.currentIndex() == 0
    assert "离线消费将超过每日上限 ¥300.00" in tender.message.text()
    assert "其他支付方式" in tender.message.text()
    assert tender.tenders.count() == 0
    tender.amount.setText("300")
    tap(qtbot, t, tender.sv_btn)
    assert tender.tenders.count() == 1 and tender.message.text() == ""
    qtbot.keyClick(tender.amount, Qt.Key.Key_Return)  # the rest in cash
    idle(qtbot, t)
    assert tender.stack.currentIndex() == 1, tender.message.text()
    p2 = t.session.last_payload
    assert [(x["tender"], x["amount_fen"]) for x in p2["payments"]] == [
        ("stored_value", 30000),
        ("cash", due - 30000),
    ]
    assert p2["payments"][0]["reference"].startswith("sv-offline:")
    assert p2["member"]["stored_value_balance_fen"] == 20000
    member = on_db(till, lambda: till.members().directory.by_id(shop["a"]))
    assert member.stored_value_fen == 20000


def test_last_four_digits_pick_and_remove_member(
    qtbot: Any, shop: dict[str, str], app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    wedge_scan(qtbot, t, TEE)
    qtbot.keyClick(sale.scan, Qt.Key.Key_F6)
    assert dialog(t).objectName() == "find_member"
    fill(qtbot, t, query="8000")
    d = dialog(t)
    assert d.objectName() == "pick_member" and d.list.count() == 2
    texts = [d.list.item(i).text() for i in range(2)]
    assert any("李先生" in x for x in texts) and any("王女士" in x and "核心" in x for x in texts)
    d.list.setCurrentRow(next(i for i, x in enumerate(texts) if "李先生" in x))
    tap(qtbot, t, d.ok_btn)
    assert "李先生" in sale.member_col.name.text()
    assert t.session.sale.member_id == shop["b"]
    # replace with the other by scanning her code; edit her tags; then remove the member
    wedge_scan(qtbot, t, f"GTM:{shop['a']}")
    assert "王女士" in sale.member_col.name.text()
    col = panel_ready(qtbot, t)
    assert "修身" in col.tags.text()
    tap(qtbot, t, col.tags_btn)
    assert dialog(t).edits["tags"].text() == "修身"
    fill(qtbot, t, tags="修身,黑色,M码")
    qtbot.waitUntil(lambda: "黑色" in col.tags.text(), timeout=TIMEOUT)
    till = t.session.till
    member = on_db(till, lambda: till.members().directory.by_id(shop["a"]))
    assert set(member.tags) == {"修身", "黑色", "M码"}
    assert table_text(sale.table)[0][5] != "¥199.00"  # the core tier's discount
    tap(qtbot, t, sale.member_col.remove_btn)
    assert t.session.sale.member_id is None
    assert "没有会员" in sale.member_col.name.text()
    assert sale.total.text() == "¥199.00"


def test_enroll_a_new_phone_and_an_existing_phone_finds_the_member(
    qtbot: Any, shop: dict[str, str], app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    wedge_scan(qtbot, t, TEE)
    qtbot.keyClick(sale.scan, Qt.Key.Key_F6)
    fill(qtbot, t, query="13700001111")
    d = dialog(t)
    assert d.objectName() == "enroll_member"
    assert d.edits["phone"].text() == "13700001111"
    assert d.edits["associate"].text() == "李娜"
    d.consent.setChecked(True)
    fill(qtbot, t, name="赵小姐", birthday="1995-03-08", tags="宽松,L码")
    assert "赵小姐" in sale.member_col.name.text()
    till = t.session.till
    m = on_db(till, lambda: till.members().directory.find_one("13700001111"))
    assert m.name == "赵小姐" and m.consent_at and m.associate == "李娜"
    assert set(m.tags) == {"宽松", "L码"}
    assert "赵小姐" in t.window.flash_label.text()

    # enrolling a number that is already a member finds that member
    qtbot.keyClick(sale.scan, Qt.Key.Key_F6)
    fill(qtbot, t, query="13700002222")
    d = dialog(t)
    d.edits["phone"].setText(PHONE_A)
    fill(qtbot, t, name="别人")
    assert t.session.sale.member_id == shop["a"]
    assert "王女士" in sale.member_col.name.text()
    assert "已是会员" in t.window.flash_label.text()
    n = sql(till, "SELECT COUNT(*) FROM members WHERE phone = ?", (PHONE_A,))[0][0]
    assert n == 1


def test_an_invalid_coupon_is_refused_and_the_sale_stays(
    qtbot: Any, shop: dict[str, str], app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    wedge_scan(qtbot, t, JACKET)
    wedge_scan(qtbot, t, f"GTM:{shop['b']}")  # 李先生: the coupon is 王女士's
    before = (table_text(sale.table), sale.total.text(), t.session.view.savings)
    for code, words in (("NOPE", "没有券 NOPE"), ("C30", "券 C30 属于其他会员")):
        tap(qtbot, t, sale.member_col.coupon_btn)
        fill(qtbot, t, query=code)
        assert sale.message.isVisible()
        assert words in sale.message.text()
        assert (table_text(sale.table), sale.total.text(), t.session.view.savings) == before
    assert t.session.sale.member_id == shop["b"]
    # the sale goes on: pay it
    qtbot.keyClick(sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    qtbot.keyClick(t.window.tender.amount, Qt.Key.Key_Return)
    idle(qtbot, t)
    assert t.window.tender.stack.currentIndex() == 1
    assert "coupon" not in [s["kind"] for s in t.session.last_payload.get("savings", [])]


def test_screenshot_of_the_member_panel(
    qtbot: Any, shop: dict[str, str], app_ui: Any, tmp_path: Path
) -> None:
    """The member column with history, suggestions, a coupon and points; the follow-ups.
    With GUITAI_SCREENSHOTS=1 they refresh docs/screenshots/ (docs/ui.md shows them)."""
    import os

    from pos_app.ui.qt import QColor

    folder = paths.SCREENSHOTS if os.environ.get("GUITAI_SCREENSHOTS") else tmp_path

    def save(widget: Any, name: str) -> None:
        img = widget.grab().toImage()
        dark = sum(
            1
            for x in range(0, img.width(), 4)
            for y in range(0, img.height(), 4)
            if QColor(img.pixel(x, y)).lightness() < 90
        )
        assert dark > 20, f"{name} looks blank"
        folder.mkdir(parents=True, exist_ok=True)
        assert img.save(str(folder / name))

    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    col = sale.member_col
    # an earlier visit: the jacket and the tee, credited to 李娜
    wedge_scan(qtbot, t, JACKET)
    wedge_scan(qtbot, t, TEE)
    wedge_scan(qtbot, t, f"GTM:{shop['a']}")
    col.desk.set_associate("李娜", sale.updated, sale.show_error)
    idle(qtbot, t)
    qtbot.keyClick(sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    qtbot.keyClick(t.window.tender.amount, Qt.Key.Key_Return)
    idle(qtbot, t)
    tap(qtbot, t, t.window.tender.next_btn)
    # today: the jacket again, her code, the coupon and 500 points
    wedge_scan(qtbot, t, JACKET)
    wedge_scan(qtbot, t, f"GTM:{shop['a']}")
    col.desk.set_associate("李娜", sale.updated, sale.show_error)
    idle(qtbot, t)
    tap(qtbot, t, col.coupon_btn)
    fill(qtbot, t, query="C30")
    tap(qtbot, t, col.points_btn)
    fill(qtbot, t, points="500")
    qtbot.waitUntil(
        lambda: any(
            "纯棉圆领T恤" in col.suggestions.item(i).text() for i in range(col.suggestions.count())
        ),
        timeout=TIMEOUT,
    )
    idle(qtbot, t)
    assert "最近到店" in col.history.text()
    save(t.window, "till-member.png")
    tap(qtbot, t, col.followups_btn)
    save(dialog(t), "till-followups.png")
    dialog(t).reject()


def test_a_parked_member_sale_comes_back_with_its_member_and_prices(
    qtbot: Any, shop: dict[str, str], app_ui: Any
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    sale = t.window.sale
    wedge_scan(qtbot, t, JACKET)
    wedge_scan(qtbot, t, TEE)
    wedge_scan(qtbot, t, f"GTM:{shop['a']}")
    priced = sale.total.text()
    qtbot.keyClick(sale.scan, Qt.Key.Key_F4)
    fill(qtbot, t, label="王女士")
    assert sale.table.rowCount() == 0 and "没有会员" in sale.member_col.name.text()
    qtbot.keyClick(sale.scan, Qt.Key.Key_F5)
    idle(qtbot, t)
    tap(qtbot, t, dialog(t).ok_btn)
    assert t.session.sale.member_id == shop["a"]
    assert "王女士" in sale.member_col.name.text()
    assert "-100.00 会员价优惠" in table_text(sale.table)[0][4]  # still the member price
    assert sale.total.text() == priced  # member price, tier discount and 满减 again


def test_a_return_at_the_till_settles_the_members_points(
    qtbot: Any, shop: dict[str, str], app_ui: Any
) -> None:
    """The returns screen goes through the member side too: the points a sale earned are taken
    back and the points it redeemed given back (as `guitai return` does)."""
    t = app_ui
    start_selling(qtbot, t)
    sale, col = t.window.sale, t.window.sale.member_col
    till = t.session.till
    members = on_db(till, till.members)
    wedge_scan(qtbot, t, TEE)
    wedge_scan(qtbot, t, f"GTM:{shop['a']}")
    panel_ready(qtbot, t)
    tap(qtbot, t, col.points_btn)
    fill(qtbot, t, points="500")
    qtbot.keyClick(sale.scan, Qt.Key.Key_F2)
    idle(qtbot, t)
    tender = t.window.tender
    qtbot.keyClick(tender.amount, Qt.Key.Key_Return)
    idle(qtbot, t)
    p = t.session.last_payload
    earned, used = p["member"]["points_earned"], p["member"]["points_redeemed"]
    assert used == 500 and earned > 0
    points = on_db(till, lambda: members.directory.by_id(shop["a"]).points)
    assert points == 2000 - used + earned
    tap(qtbot, t, tender.next_btn)
    idle(qtbot, t)

    qtbot.keyClick(sale.scan, Qt.Key.Key_F7)
    idle(qtbot, t)
    r = t.window.returns
    r.receipt.setText(str(p["receipt_no"]))
    qtbot.keyClick(r.receipt, Qt.Key.Key_Return)
    idle(qtbot, t)
    for _ln, spin in r.spins:  # the whole bill back
        spin.setValue(spin.maximum())
    r.reason.setText("不合适")
    tap(qtbot, t, r.refund_btn)
    idle(qtbot, t)
    assert "退款完成" in t.window.flash_label.text()
    points = on_db(till, lambda: members.directory.by_id(shop["a"]).points)
    assert points == 2000  # a full return restores exactly
    kinds = [
        json.loads(row[0])["reason"]
        for row in sql(
            till,
            "SELECT payload FROM outbox WHERE type IN ('points.earned', 'points.redeemed') "
            "AND payload LIKE '%refund%'",
        )
    ]
    assert kinds == ["refund", "refund"]


def test_followups_only_mine(qtbot: Any, shop: dict[str, str], app_ui: Any) -> None:
    t = app_ui
    uow = t.session.till.uow

    def two_due() -> None:
        with uow:
            for sale_id, who in (("S-1", "李娜"), ("S-2", "小王")):
                uow.conn.execute(
                    "INSERT INTO followups(member_id, sale_id, associate, step, due_at, "
                    "created_at) VALUES (?, ?, ?, 1, '2000-01-01T00:00:00Z', "
                    "'2000-01-01T00:00:00Z')",
                    (shop["a"], sale_id, who),
                )
            uow.commit()

    on_db(t.session.till, two_due)
    start_selling(qtbot, t)
    col = t.window.sale.member_col
    tap(qtbot, t, col.followups_btn)
    d = dialog(t)
    assert sorted(r[1] for r in table_text(d.table)) == ["小王", "李娜"]
    tap(qtbot, t, d.mine_btn)
    assert [r[1] for r in table_text(d.table)] == ["李娜"]
    assert "2" in col.followups_btn.text()  # the badge still counts everyone's
    tap(qtbot, t, d.mine_btn)
    assert len(table_text(d.table)) == 2
