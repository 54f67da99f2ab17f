"""The served cloud's page for a gift receipt's QR (version 2 token) and for refund receipts
(issue 19, item 7), against a till's sales synced through the real `guitai sync run`."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sync_fixtures import Cloud
from sync_testkit import TillWriter, make_till_home

from pos_app.cli import main
from receipts import token as tk

STORE = '南京西路店<script>alert("store")</script>'
EVIL = '<img src=x onerror=alert("line")>'
ISSUED = 1795588200
MONEY_WORDS = ("合计", "应收", "实收", "找零", "现金", "微信", "优惠", "会员", "积分", "¥", "￥")


@pytest.fixture
def served(cloud_db_url: str) -> Iterator[Cloud]:
    """The cloud as `guitai cloud serve` runs it: receipts.html draws the page (issue 18,
    item 1: the page has one renderer, the built-in fallback is gone)."""
    c = Cloud(cloud_db_url).start()
    try:
        yield c
    finally:
        c.stop()


def sync(home: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main([*home, "sync", "run", "--json"]) == 0, capsys.readouterr()


def enrolled(tmp_path: Path, cloud: Cloud, capsys: Any) -> tuple[Any, Any, list[str]]:
    cloud.service.admin.add_store("S001", STORE)
    code = cloud.service.admin.enrollment_code("S001")["code"]
    paths, od, key = make_till_home(tmp_path / "till")
    home = ["--home", str(paths.home)]
    capsys.readouterr()
    assert main([*home, "enroll", "--cloud", cloud.url, "--code", code, "--json"]) == 0
    return od, key, home


def gift_sale(writer: TillWriter) -> dict[str, Any]:
    """A sale with everything a gift receipt must hide: prices, a discount, a member, savings,
    two tenders; and a line name that tries to inject markup."""
    writer.receipt_no += 1
    lines = [
        {
            "line_no": 1,
            "sku": "QP-2026-001-BLK-L",
            "name": "男士羊毛夹克",
            "colour": "黑",
            "size": "L",
            "qty": 1,
            "unit_price_fen": 129900,
            "discount_fen": 13000,
            "amount_fen": 116900,
            "vat_rate_bp": 1300,
        },
        {
            "line_no": 2,
            "sku": "QP-2026-014-GRY-F",
            "name": EVIL,
            "colour": "灰",
            "size": "F",
            "qty": 2,
            "unit_price_fen": 8900,
            "discount_fen": 0,
            "amount_fen": 17800,
            "vat_rate_bp": 1300,
        },
    ]
    total = 116900 + 17800
    payload = {
        "sale_id": "5b0e2a4c-0000-4000-8000-000000000001",
        "store_id": "S001",
        "till_no": 1,
        "receipt_no": writer.receipt_no,
        "completed_at": "2026-11-25T06:30:00Z",
        "business_day": "2026-11-25",
        "shift_id": 1,
        "currency": "CNY",
        "cashier": "lily",
        "lines": lines,
        "voided_lines": [],
        "subtotal_fen": 129900 + 17800,
        "line_discount_fen": 13000,
        "order_discount_fen": 0,
        "rounding_fen": 0,
        "total_fen": total,
        "vat": [],
        "payments": [
            {"tender": "wechat", "amount_fen": 100000, "change_fen": 0},
            {"tender": "cash", "amount_fen": total - 100000 + 5000, "change_fen": 5000},
        ],
        "approvals": [],
        "member": {"id": "M000123", "phone_masked": "138****5678", "points_balance": 12800},
        "savings": [{"name": "满1000减130", "amount_fen": 13000}],
    }
    writer.sales.append(payload)
    return writer._insert("sale.completed", payload)


def gift_token(key: Any, row: dict[str, Any]) -> str:
    return tk.issue_gift_token(
        key,
        receipt_no=row["payload"]["receipt_no"],
        issued_at=ISSUED,
        entry_hash=bytes.fromhex(row["hash"]),
    )


def test_gift_page_shows_items_and_exchange_never_money(
    tmp_path: Path, served: Cloud, capsys: pytest.CaptureFixture[str]
) -> None:
    od, key, home = enrolled(tmp_path, served, capsys)
    writer = TillWriter(od, "S001", 1)
    row = gift_sale(writer)
    token = gift_token(key, row)

    # printed before the sale synced: the store and how to exchange, no total from anywhere
    early = httpx.get(f"{served.url}/r/{token}")
    assert early.status_code == 200 and "礼品小票" in early.text and "正在同步" in early.text
    assert "如何换货" in early.text and "¥" not in early.text

    sync(home, capsys)
    for url in (f"{served.url}/r/{token}", f"{served.url.upper()}/R/{token}"):
        page = httpx.get(url, headers={"user-agent": "MicroMessenger/8.0"})
        assert page.status_code == 200
        text = page.text
        assert "真实小票" in text and "礼品小票" in text and "如何换货" in text
        assert "男士羊毛夹克" in text and "颜色 黑" in text and "尺码 L" in text
        assert "× 1" in text and "× 2" in text and "共 3 件" in text
        assert "南京西路店" in text
        for word in MONEY_WORDS:
            assert word not in text, word
        assert not re.search(r"\d+\.\d\d", text)
        for secret in ("1299", "1169", "178", "138****", "M000123", "满1000"):
            assert secret not in text, secret
        # every string of the sale and the store arrives escaped
        assert "<script>" not in text and "<img" not in text
        assert "&lt;img src=x onerror=alert(" in text and "&lt;script&gt;" in text

    # the same sale's ordinary receipt (version 1 token) is the priced page
    v1 = tk.issue_token(
        key,
        receipt_no=row["payload"]["receipt_no"],
        issued_at=ISSUED,
        total_fen=row["payload"]["total_fen"],
        entry_hash=bytes.fromhex(row["hash"]),
    )
    priced = httpx.get(f"{served.url}/r/{v1}").text
    assert "347.00" in priced  # the total, 1347.00

    # an altered gift token names the real till but shows nothing of the receipt
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    raw[40] ^= 0x01
    forged = base64.b32encode(bytes(raw)).decode().rstrip("=")
    bad = httpx.get(f"{served.url}/r/{forged}")
    assert bad.status_code == 200 and "已被篡改" in bad.text and "不能凭此换货" in bad.text
    assert "男士羊毛夹克" not in bad.text and "如何换货" not in bad.text

    # the till's signed lookup of a gift token finds the sale (for an exchange): genuine
    from pos_app.cli.sync_cmds import build_relay
    from pos_app.config import Paths

    parts = build_relay(Paths(Path(home[1])), od.conn)
    try:
        found = parts.client.receipt(token)
    finally:
        parts.close()
    assert found["verdict"] == "genuine" and found["total_fen"] == 0 and found["synced"]


@pytest.mark.parametrize(
    ("tender", "said", "not_said"),
    [("cash", "现金退回", "原路退回"), ("wechat", "原路退回至微信支付", "现金退回")],
)
def test_refund_page_says_where_the_money_went(
    tmp_path: Path,
    served: Cloud,
    capsys: pytest.CaptureFixture[str],
    tender: str,
    said: str,
    not_said: str,
) -> None:
    od, key, home = enrolled(tmp_path, served, capsys)
    writer = TillWriter(od, "S001", 1)
    writer.sale()
    row = writer.refund()
    row["payload"]["payments"][0]["tender"] = tender
    # rewrite the refund's event with this tender (the journal hash follows the payload)
    od.conn.execute("DELETE FROM outbox WHERE id = ?", (row["id"],))
    writer.prev = bytes.fromhex(row["prev"])
    writer.receipt_no -= 1
    writer.total_fen -= row["payload"]["total_fen"]
    writer.written.pop()
    row = writer._insert("refund.completed", row["payload"])
    sync(home, capsys)
    p = row["payload"]
    token = tk.issue_token(
        key,
        receipt_no=p["receipt_no"],
        issued_at=ISSUED,
        total_fen=p["total_fen"],
        entry_hash=bytes.fromhex(row["hash"]),
    )
    page = httpx.get(f"{served.url}/r/{token}")
    assert page.status_code == 200 and "退货小票" in page.text and "已被篡改" not in page.text
    assert said in page.text and not_said not in page.text
    assert "退款将原路退回" not in page.text
