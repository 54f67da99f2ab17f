"""Returns without a receipt (无小票退货, issue 20, item 4), `guitai return --no-receipt` against
the served cloud on loopback: the lowest net price of the last 90 days (or today's price with no
sale), always a manager's approval with a reason, the brand's non-returnable categories and its
cap per member in 30 days; stock comes back, the journal verifies, the cloud accepts the refund
that names no sale and counts it, and its totals agree with the till's Z."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from members_kit import init_till, run, run_text
from sync_fixtures import Cloud

from pos_app.domain.return_rules import CONFIG_KEY

TEE, SCARF = "6901234567908", "6901234567915"  # ¥99.00 男装, ¥599.00 配饰
PHONE = "13900139000"
NO_RECEIPT = ("return", "--user", "admin", "--no-receipt")
APPROVED = ("--approve", "admin", "--reason", "顾客无小票，店长核实")


@pytest.fixture
def till(cloud: Cloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_APPROVER_PIN", "7391")
    cloud.service.admin.add_store("S001", "静安嘉里店")
    home = init_till(tmp_path / "till", 1, "S001")
    code = cloud.service.admin.enrollment_code("S001")["code"]
    run(home, "enroll", "--cloud", cloud.url, "--code", code)
    run(home, "shift", "open", "--user", "admin", "--float", "500")
    yield home


def publish(cloud: Cloud, home: Path, doc: dict[str, Any]) -> None:
    cloud.service.admin.set_config(CONFIG_KEY, doc, None)
    run(home, "sync", "run")


def on_hand(home: Path, code: str) -> int:
    return int(run(home, "stock", "show", code, "--local")["total"])


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_no_receipt_at_the_lowest_price_of_90_days_approved_and_counted_by_the_cloud(
    till: Path, cloud: Cloud
) -> None:
    # no sale of the T-shirt yet: today's price
    asked = run(till, *NO_RECEIPT, "--scan", TEE, ok=False)
    assert asked["error"]["code"] == "needs_approval"
    assert "--approve MANAGER" in asked["error"]["message"]
    assert "店长授权" in asked["error"]["message_zh"]
    first = run(till, *NO_RECEIPT, "--scan", TEE, *APPROVED)
    assert first["total_fen"] == -9900 and first["original_sale_id"] is None
    assert first["lines"][0]["price_rule"] == "today_price"
    basis = first["no_receipt"]["lines"][0]
    assert basis["price_rule_text"] == "today's price after today's promotions"
    assert basis["lowest_sold_fen"] is None and basis["today_price_fen"] == 9900
    assert first["approvals"][0]["reason"] == "顾客无小票，店长核实"

    # sold at 20% off: two come back at ¥79.20 each, the lowest of the last 90 days
    run(till, "sale", "--user", "admin", "--scan", TEE, "--line-discount", f"{TEE}=20%",
        "--pay", "cash:100")  # fmt: skip
    run(till, "sale", "--user", "admin", "--scan", TEE, "--pay", "cash:100")
    before = on_hand(till, TEE)
    second = run(till, *NO_RECEIPT, "--scan", TEE, "--scan", TEE, *APPROVED)
    assert second["lines"][0]["qty"] == 2 and second["lines"][0]["unit_price_fen"] == 7920
    assert second["lines"][0]["price_rule"] == "lowest_90_days"
    assert second["no_receipt"]["lines"][0]["lowest_sold_fen"] == 7920
    assert second["total_fen"] == -15840
    assert on_hand(till, TEE) == before + 2  # stock comes back
    text = run_text(till, "sales", "show", str(second["receipt_no"]))
    assert "无小票退货" in text and "按近90天最低售价" in text

    assert run(till, "journal", "verify")["ok"] is True
    run(till, "sync", "run")
    assert run(till, "sync", "status")["pending"] == 0
    assert run_cloud(cloud, "rejections") == 0  # the refunds that name no sale are accepted
    x = run(till, "report", "x")
    with cloud.db.tx() as tx:
        refunds = tx.execute(
            "SELECT count(*) FROM events WHERE type = 'refund.completed' AND status = 'accepted'"
        ).fetchone()[0]
    assert refunds == 2
    with cloud.db.tx() as tx:  # no sale to be net of: no invoice's VAT row
        assert tx.execute("SELECT count(*) FROM refund_vat").fetchone()[0] == 0
    assert run_cloud(cloud, "total") == x["net_fen"] == 7920 + 9900 - 9900 - 15840
    counted = str(x["cash"]["expected_fen"] / 100)
    z = run(till, "shift", "close", "--user", "admin", "--counted", counted)
    assert z["net_fen"] == run_cloud(cloud, "total") and z["refunds"]["count"] == 2


def run_cloud(cloud: Cloud, what: str) -> int:
    with cloud.db.tx() as tx:
        if what == "rejections":
            return int(
                tx.execute("SELECT count(*) FROM events WHERE status = 'rejected'").fetchone()[0]
            )
        return int(
            tx.execute(
                "SELECT COALESCE(SUM(total_fen), 0) FROM events "
                "WHERE type IN ('sale.completed', 'refund.completed') AND status = 'accepted'"
            ).fetchone()[0]
        )


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_no_receipt_cap_and_non_returnable_are_refused(till: Path, cloud: Cloud) -> None:
    publish(cloud, till, {"non_returnable": ["配饰"], "no_receipt_limit": 1})
    scarf = run(till, *NO_RECEIPT, "--scan", SCARF, "--member", PHONE, *APPROVED, ok=False)
    assert scarf["error"]["code"] == "rule_violation"
    assert (
        "not returnable" in scarf["error"]["message"] and "不可退换" in scarf["error"]["message_zh"]
    )
    nobody = run(till, *NO_RECEIPT, "--scan", TEE, *APPROVED, ok=False)
    assert "--member PHONE" in nobody["error"]["message"]
    run(till, *NO_RECEIPT, "--scan", TEE, "--member", PHONE, *APPROVED)
    again = run(till, *NO_RECEIPT, "--scan", TEE, "--member", PHONE, *APPROVED, ok=False)
    assert "(the brand allows 1)" in again["error"]["message"]
    assert "品牌上限 1 次" in again["error"]["message_zh"]
    other = run(till, *NO_RECEIPT, "--scan", TEE, "--member", "13700137000", *APPROVED)
    assert other["total_fen"] == -9900
    refunds = [s for s in run(till, "sales", "list") if s["kind"] == "refund"]
    assert len(refunds) == 2
    original = run(till, "return", "--user", "admin", "--no-receipt", "--scan", TEE,
                   "--refund", "original", *APPROVED, ok=False)  # fmt: skip
    assert "cash or as store credit" in original["error"]["message"]
    mixed = run(till, *NO_RECEIPT, "--scan", TEE, "--receipt", "1", *APPROVED, ok=False)
    assert "--receipt" in mixed["error"]["message"]


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_no_receipt_as_store_credit(till: Path, cloud: Cloud) -> None:
    back = run(till, *NO_RECEIPT, "--scan", TEE, "--refund", "store-credit", "--member", PHONE,
               "--consent", *APPROVED)  # fmt: skip
    assert back["payments"][0]["tender"] == "store_credit"
    assert back["store_credit"]["balance_fen"] == 9900 and back["store_credit"]["enrolled"]


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_the_lowest_price_counts_a_sibling_tills_sale(
    till: Path, cloud: Cloud, tmp_path: Path
) -> None:
    sibling = init_till(tmp_path / "till2", 2, "S001")
    run(sibling, "enroll", "--cloud", cloud.url, "--code",
        cloud.service.admin.enrollment_code("S001")["code"])  # fmt: skip
    run(sibling, "shift", "open", "--user", "admin", "--float", "500")
    run(sibling, "sale", "--user", "admin", "--scan", TEE, "--line-discount", f"{TEE}=30%",
        "--pay", "cash:100")  # fmt: skip
    run(sibling, "sync", "run")
    run(till, "sync", "run")  # the store's sales, published to each of its tills
    back = run(till, *NO_RECEIPT, "--scan", TEE, *APPROVED)
    assert back["lines"][0]["unit_price_fen"] == 6930
    assert back["lines"][0]["price_rule"] == "lowest_90_days"
