"""The console's stores, tills, sales and Z report pages on the served cloud (issue 22, items
2 and 3): a till's last contact, missing events, dead letters with their reasons and the
re-queue, version and printer status, enrolment with the one-time code and revocation; sales
by store, day, hour, tender, category and associate in yuan with CSV export; Z reports
checked against the synced sales; every synced string escaped."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from console_kit import Browser, Till, add_user, clock_at
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_fixtures import Cloud

from sync.client import CloudClient

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


@pytest.fixture
def shop(cloud: Cloud) -> dict[str, Any]:
    clock_at(cloud, NOW)
    a = Till(cloud, "S001", "南京西路店")
    add_user(cloud, "hq", "hq")
    return {"cloud": cloud, "a": a}


def test_a_till_goes_unsynced_when_its_sync_stops(shop: dict[str, Any]) -> None:
    cloud, a = shop["cloud"], shop["a"]
    a.sale()
    a.device_status("front", "printer", "warning", "纸将用完 paper low", "2026-11-25T05:59:00Z")
    with Browser(cloud.url) as b:
        b.login("hq")
        page = b.get("/console/stores/S001").text
        assert "已同步 synced" in page and "2.4.1" in page
        assert "printer front: warning — 纸将用完 paper low" in page
        clock_at(cloud, NOW + timedelta(minutes=16))
        page = b.get("/console/stores/S001").text
        assert "未同步 unsynced" in page and "16 分钟前 min ago" in page
        home = b.get("/console/").text
        assert '<span class="bad">⚠ 1</span>' in home  # one unsynced till in S001


def test_events_the_cloud_is_missing_are_shown(shop: dict[str, Any]) -> None:
    cloud, a = shop["cloud"], shop["a"]
    a.sale()
    a.seq += 2  # two events lost on the way: the next push leaves a gap
    a.device_status("front", "printer", "ok", "", "2026-11-25T05:00:00Z")
    with Browser(cloud.url) as b:
        b.login("hq")
        assert "2 (seq 2…)" in b.get("/console/stores/S001").text


def test_a_dead_letter_is_shown_with_its_reason_and_re_queued(shop: dict[str, Any]) -> None:
    cloud, a = shop["cloud"], shop["a"]
    dead = a.rejected_sale()
    with Browser(cloud.url) as b:
        b.login("hq")
        page = b.get("/console/stores/S001").text
        assert "total_mismatch" in page and "lines add up to 100 fen" in page
        assert "错单 ×1" in page and "重新排队 Re-queue" in page
        r = b.post("/console/stores/S001/requeue", {"event_id": dead})
        assert r.status_code == 303
        page = b.get(r.headers["location"]).text
        assert "guitai sync requeue" in page and "重新排队 Re-queue" not in page
    with cloud.db.tx() as tx:
        assert tx.execute("SELECT status FROM events WHERE id = ?", (dead,)).fetchone()[0] == (
            "cleared"
        )


def test_an_enrolment_code_from_the_console_enrolls_a_till_and_revocation_ends_it(
    shop: dict[str, Any],
) -> None:
    cloud = shop["cloud"]
    with Browser(cloud.url) as b:
        b.login("hq")
        page = b.post("/console/stores/S001/enrol", {}).text
        code = re.search(r'id="enrol-code">([A-Z0-9-]+)<', page)
        assert code
        with CloudClient(cloud.url, key=Ed25519PrivateKey.generate()) as c:
            device = c.enroll(code.group(1), {"till_no": 2})["device_id"]
        assert device in b.get("/console/stores/S001").text
        assert b.post("/console/stores/S001/revoke", {"device_id": device}).status_code == 303
        assert "已吊销 revoked" in b.get("/console/stores/S001").text
    with cloud.db.tx() as tx:
        assert tx.execute(
            "SELECT revoked_at FROM devices WHERE device_id = ?", (device,)
        ).fetchone()[0]


def test_sales_by_store_day_hour_tender_category_and_associate(shop: dict[str, Any]) -> None:
    cloud, a = shop["cloud"], shop["a"]
    b2 = Till(cloud, "S002", "淮海路店")
    s1 = a.sale("2026-11-24T02:10:00Z", associate="王芳", tender="wechat")  # 10:10 China
    a.sale("2026-11-24T03:20:00Z", associate="李娜", tender="cash", category="配饰",
           unit_fen=26000)  # fmt: skip
    a.refund(s1, "2026-11-24T04:00:00Z")
    b2.sale("2026-11-25T01:05:00Z", associate="赵敏", tender="alipay", qty=2, unit_fen=12300)
    with Browser(cloud.url) as b:
        b.login("hq")
        page = b.get("/console/sales?from=2026-11-01&to=2026-11-25&day=2026-11-24").text
        # S001: 459 + 260 − 459 = 260; S002: 246; total 506
        assert "¥506.00" in page and "¥260.00" in page and "¥246.00" in page
        assert "-¥459.00" in page  # the refund, negative, hatched in the chart
        for label in ("10:00", "11:00", "12:00", "王芳", "李娜", "赵敏", "wechat", "cash",
                      "alipay", "外套", "配饰", "<svg"):  # fmt: skip
            assert label in page, label
        rows = list(csv.reader(io.StringIO(
            b.get("/console/sales.csv?by=store&from=2026-11-01&to=2026-11-25").text.lstrip("\ufeff")
        )))  # fmt: skip
        assert rows == [
            ["store", "sales", "refunds", "qty", "sales_fen", "refunds_fen", "net_fen", "net_yuan"],
            ["S001", "2", "1", "1", "71900", "-45900", "26000", "260.00"],
            ["S002", "1", "0", "2", "24600", "0", "24600", "246.00"],
        ]
        # a whole month is read from the month rows: the same figures
        whole = b.get("/console/sales.csv?by=store&from=2026-10-15&to=2026-11-30").text
        assert list(csv.reader(io.StringIO(whole.lstrip("\ufeff")))) == rows
        by_tender = b.get("/console/sales.csv?by=tender&from=2026-11-24&to=2026-11-24")
        assert (
            'filename="sales-by-tender-2026-11-24-2026-11-24.csv"'
            in by_tender.headers["content-disposition"]
        )
        assert "wechat,1,1,0,45900,-45900,0,0.00" in by_tender.text


def test_a_z_report_that_matches_the_synced_sales_and_one_that_does_not(
    shop: dict[str, Any],
) -> None:
    cloud, a = shop["cloud"], shop["a"]
    s1 = a.sale("2026-11-24T02:10:00Z")
    s2 = a.sale("2026-11-24T03:10:00Z", tender="cash", unit_fen=10000)
    r1 = a.refund(s1, "2026-11-24T04:00:00Z")
    good = a.z_report("2026-11-24", [s1, s2], [r1])
    s3 = a.sale("2026-11-25T02:10:00Z", shift_id=2)
    bad = a.z_report("2026-11-25", [s3], shift_id=2, skew_fen=100)
    with Browser(cloud.url) as b:
        b.login("hq")
        listing = b.get("/console/z").text
        assert listing.count("一致 agrees") == 1 and listing.count("不一致 differs") == 1
        ok = b.get(f"/console/z/{good}").text
        assert "✓ 一致 agrees" in ok and "不一致" not in ok and "¥100.00" in ok
        off = b.get(f"/console/z/{bad}").text
        assert "✕ 不一致 differs" in off
        assert "¥460.00" in off and "¥459.00" in off  # the report's sales total vs the synced


def test_a_z_report_whose_sales_have_not_all_arrived_says_so(shop: dict[str, Any]) -> None:
    cloud, a = shop["cloud"], shop["a"]
    s1 = a.sale("2026-11-24T02:10:00Z")
    a.seq += 1  # a sale still in the till's outbox
    z = a.z_report("2026-11-24", [s1, s1])
    with Browser(cloud.url) as b:
        b.login("hq")
        assert "等待同步 sales still syncing" in b.get(f"/console/z/{z}").text


def test_every_synced_string_is_escaped(shop: dict[str, Any]) -> None:
    cloud, a = shop["cloud"], shop["a"]
    s = a.sale("2026-11-24T02:10:00Z", name=XSS, category=XSS, associate=XSS, tender=XSS)
    r = a.refund(s, "2026-11-24T03:00:00Z", reason=XSS)
    z = a.z_report("2026-11-24", [s], [r], closed_by=XSS)
    a.device_status(XSS, "printer", XSS, XSS, "2026-11-24T05:00:00Z")
    a.receipt_no += 1
    bad = dict(s, receipt_no=a.receipt_no, total_fen=1, sale_id="x", reason=XSS)
    a.push("sale.completed", bad, chained=True)  # a dead letter naming the item and note
    with Browser(cloud.url) as b:
        b.login("hq")
        pages = [b.get(p).text for p in (
            "/console/", "/console/stores/S001", f"/console/z/{z}", "/console/z",
            "/console/sales?from=2026-11-01&to=2026-11-30&day=2026-11-24", "/console/audit",
        )]  # fmt: skip
    for text in pages:
        assert "<script>alert" not in text and "<img src=x" not in text
    joined = "".join(pages)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in joined
    assert joined.count("&lt;img src=x onerror=alert(1)&gt;") >= 6


def test_csv_cells_a_spreadsheet_would_run_are_sent_as_text(shop: dict[str, Any]) -> None:
    cloud, a = shop["cloud"], shop["a"]
    a.sale("2026-11-24T02:10:00Z", associate='=HYPERLINK("http://x")')
    with Browser(cloud.url) as b:
        b.login("hq")
        text = b.get("/console/sales.csv?by=associate&from=2026-11-24&to=2026-11-24").text
    assert "'=HYPERLINK" in text


def test_the_funnel_per_store_and_associate(shop: dict[str, Any]) -> None:
    cloud, a = shop["cloud"], shop["a"]
    other = Till(cloud, "S002", "淮海路店")
    add_user(cloud, "mia", "store-manager", ["S001"])
    a.sale("2026-11-24T02:10:00Z", associate="王芳")
    a.sale("2026-11-24T03:10:00Z", associate="王芳")
    a.sale("2026-11-24T04:10:00Z", associate="李娜")
    other.sale("2026-11-24T02:10:00Z", associate="赵敏")
    a.push("member.enrolled", {"member_id": "M1", "phone": "13800000001", "name": "",
                               "associate": "王芳", "completed_at": "2026-11-24T02:12:00Z"})  # fmt: skip
    with Browser(cloud.url) as b:
        b.login("hq")
        page = b.get("/console/funnel?from=2026-11-01&to=2026-11-30").text
        table_html = page[page.index('id="funnel"') :]
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", table_html)]
        assert cells[:7] == ["S001", "李娜", "1", "0", "0", "0", "0"]
        assert cells[9:16] == ["S001", "王芳", "2", "0", "0", "1", "0"]
        assert "S002" in table_html and "打印小票 printed" in page and "<svg" in page
    with Browser(cloud.url) as b:
        b.login("mia")
        page = b.get("/console/funnel?from=2026-11-01&to=2026-11-30").text
        assert "S001" in page and "赵敏" not in page
        assert b.get("/console/funnel?store=S002").status_code == 403


def test_a_member_found_by_phone_masked_for_a_store_manager(shop: dict[str, Any]) -> None:
    cloud, a = shop["cloud"], shop["a"]
    other = Till(cloud, "S002", "淮海路店")
    add_user(cloud, "mia", "store-manager", ["S001"])
    a.push("member.enrolled", {"member_id": "M77", "phone": "13800000001", "name": XSS,
                               "tier": "gold", "completed_at": "2026-11-20T02:00:00Z"})  # fmt: skip
    a.sale("2026-11-24T02:10:00Z", member="M77", name="羊毛夹克")
    other.sale("2026-11-25T02:10:00Z", member="M77", name="围巾", unit_fen=26000)
    with Browser(cloud.url) as b:
        b.login("hq")
        found = b.get("/console/members?phone=13800000001")
        assert found.status_code == 303 and found.headers["location"] == "/console/members/M77"
        page = b.get("/console/members/M77").text
        assert "13800000001" in page and "¥719.00" in page  # spend across both stores
        assert "S001, S002" in page and "羊毛夹克 ×1" in page and "围巾 ×1" in page
        assert "<script>alert" not in page and "&lt;script&gt;" in page
        assert "gold" in b.get("/console/members").text
    with Browser(cloud.url) as b:
        b.login("mia")
        page = b.get(b.get("/console/members?phone=13800000001").headers["location"]).text
        assert "138****0001" in page and "13800000001" not in page
        missing = b.get("/console/members?phone=13900000000")
        assert missing.status_code == 404 and "13900000000" not in missing.text


def test_a_price_changed_in_the_console_reaches_the_tills_change_feed(shop: dict[str, Any]) -> None:
    cloud = shop["cloud"]
    add_user(cloud, "mia", "store-manager", ["S001"])
    cloud.service.admin.set_price("QP-001-BLK-L", 45900, 39900)
    cloud.service.admin.add_promotion("P1", {"name": XSS, "kind": "spend_save",
                                             "threshold_fen": 50000, "off_fen": 5000})  # fmt: skip
    cloud.service.admin.add_coupon("C-1", {"kind": "amount", "amount_fen": 2000,
                                           "expires_at": "2026-12-31T15:59:59Z"})  # fmt: skip
    with Browser(cloud.url) as b:
        b.login("hq")
        page = b.get("/console/catalog").text
        assert "¥459.00" in page and "¥399.00" in page and "2026-12-31T15:59:59Z" in page
        assert "<script>alert" not in page and "&lt;script&gt;" in page
        r = b.post("/console/catalog/price", {"sku": "QP-001-BLK-L", "price": "429.5",
                                               "member_price": "389"})  # fmt: skip
        assert r.status_code == 303
        preview = b.get("/console/catalog/preview?store=S001").text
        assert "QP-001-BLK-L" in preview and "42950" in preview and "38900" in preview
        assert "set_price" in b.get("/console/audit").text
    with Browser(cloud.url) as b:
        b.login("mia")
        assert b.get("/console/catalog").status_code == 200
        r = b.post("/console/catalog/price", {"sku": "QP-001-BLK-L", "price": "1"})
        assert r.status_code == 403
    with cloud.db.tx() as tx:
        assert tx.execute("SELECT price_fen, member_price_fen FROM prices WHERE sku = ?",
                          ("QP-001-BLK-L",)).fetchone() == (42950, 38900)  # fmt: skip


def test_stock_grid_transfers_in_flight_and_count_variances(shop: dict[str, Any]) -> None:
    from cloud.stock import CloudStock

    cloud, a = shop["cloud"], shop["a"]
    other = Till(cloud, "S002", "淮海路店")
    Till(cloud, "S003", "徐家汇店")
    add_user(cloud, "mia", "store-manager", ["S001"])
    cloud.service.admin.upsert_product({"style": "QP-001", "skus": [
        {"sku": "QP-001-BLK-M", "price_fen": 45900, "colour": "黑", "size": "M"},
        {"sku": "QP-001-BLK-L", "price_fen": 45900, "colour": "黑", "size": "L"},
        {"sku": "QP-001-GRY-L", "price_fen": 45900, "colour": XSS, "size": "L"}]})  # fmt: skip
    stock = CloudStock(cloud.service)
    stock.set_quantities("S001", {"QP-001-BLK-M": 3, "QP-001-BLK-L": 5, "QP-001-GRY-L": 1})
    stock.set_quantities("S002", {"QP-001-BLK-L": 7})
    stock.set_quantities("S003", {"QP-001-BLK-L": 11})
    other.push("stock.moved", {"reason": "transfer_out", "doc": "T-9", "to_store": "S001",
                               "lines": [{"sku": "QP-001-BLK-L", "qty": -2}],
                               "send_lines": [{"sku": "QP-001-BLK-L", "qty": 2}],
                               "at": "2026-11-25T05:00:00Z"})  # fmt: skip
    a.push("stock.moved", {"reason": "count", "ref": "count-1", "at": "2026-11-25T05:10:00Z",
                           "lines": [{"sku": "QP-001-BLK-M", "qty": -1},
                                     {"sku": "QP-001-GRY-L", "qty": 2}]})  # fmt: skip
    with Browser(cloud.url) as b:
        b.login("hq")
        page = b.get("/console/stock?style=QP-001").text
        grid = page[page.index('id="grid"') :]
        # black M: 3 − 1 counted missing; black L: 5 + (7 − 2 sent) + 11
        assert '<td>黑</td><td class="n">2</td><td class="n">21</td>' in grid
        assert "T-9" in page and "count-1" in page and "+1" in page and "¥459.00" in page
        assert "<script>alert" not in page
    with Browser(cloud.url) as b:
        b.login("mia")
        page = b.get("/console/stock?style=QP-001").text
        assert "S003" not in page and "T-9" in page  # the transfer comes to her store


def test_the_summaries_made_again_from_the_event_log_are_the_same(shop: dict[str, Any]) -> None:
    from cloud.console.facts import SUMMARIES, rebuild

    cloud, a = shop["cloud"], shop["a"]
    s1 = a.sale("2026-11-24T02:10:00Z", associate="王芳")
    s2 = a.sale("2026-11-24T03:10:00Z", tender="cash", category="配饰", unit_fen=26000)
    r1 = a.refund(s1, "2026-11-24T04:00:00Z")
    a.z_report("2026-11-24", [s1, s2], [r1])
    a.device_status("front", "printer", "ok", "", "2026-11-24T05:00:00Z")
    a.rejected_sale()

    def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        with cloud.db.tx() as tx:
            return {
                t: sorted(tuple(r) for r in tx.execute(f"SELECT * FROM {t}").fetchall())
                for t in SUMMARIES
            }

    kept = snapshot()
    assert kept["console_sales_day"] and kept["console_z_reports"]
    assert rebuild(cloud.db) == {"events": 5, "summary_rows": sum(map(len, kept.values()))}
    assert snapshot() == kept
