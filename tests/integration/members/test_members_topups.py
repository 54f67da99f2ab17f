"""Stored-value top-ups (issue 23, item 5) end to end through the command line: the real cloud
on loopback, the aggregator acquirer's emulator (WeChat, Alipay, 云闪付, 数字人民币 codes) and
the ZVT card terminal's emulator.  Bonus rules published from the cloud (amount, tier, date
window), a top-up by each tender kind, the bonus spent after the paid balance and forfeited
first on a refund of the top-up, refunds back to the wallet after the Z, the offline refusal,
the top-up receipt with its signed QR, and the cloud's ledger reconciled with the till's X."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aggregator_rig import (
    ACTIVATION_CODE,
    VENDOR_KEY,
    VENDOR_SN,
    code,
    fast_polling,
    start_emulator,
)
from members_cloud_rig import Rig, open_rig, run_cloud
from members_kit import run, run_text

from drivers.aggregator.emulator import AggregatorEmulator
from drivers.zvt.emulator import ZvtEmulator, ZvtEmulatorConfig
from pos_app.adapters.keys import load_key
from pos_app.config import Paths
from receipts.layout import text_width
from receipts.token import TOPUP_VERSION, decode_token, public_key_raw, verify_token

GOLD_PHONE, PHONE = "13900005555", "13900006666"
TEE = "6901234567908"  # ¥99.00


class Shop:
    def __init__(self, rig: Rig, agg: AggregatorEmulator, zvt: ZvtEmulator) -> None:
        self.rig, self.agg, self.zvt = rig, agg, zvt
        self.till = rig.a

    def topup(self, who: str, amount: str, *flags: str, ok: bool = True) -> Any:
        return run(self.till, "member", "topup", who, amount, "--user", "admin", *flags, ok=ok)

    def cloud_member(self, member_id: str) -> dict[str, Any]:
        view: dict[str, Any] = self.rig.svc.members.views.member_view(member_id)
        return view

    def bonus_balance(self, member_id: str) -> int:
        from cloud.topups.bonus import bonus_balance

        with self.rig.svc.db.tx() as tx:
            return bonus_balance(tx, member_id)


@pytest.fixture
def shop(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Shop]:
    """The rig on one server (SQLite); with the param "two_workers", till A talks to a worker
    process on PostgreSQL (issue 18's rig)."""
    workers = None
    if getattr(request, "param", "one_server") == "two_workers":
        import sync_fixtures

        url = sync_fixtures.fresh_pg_database(request.getfixturevalue("pg_server"))
        workers = sync_fixtures.Workers(url)
    agg = start_emulator()
    zvt = ZvtEmulator(config=ZvtEmulatorConfig(step_delay=0.01)).start()
    try:
        for rig in open_rig(tmp_path, monkeypatch, workers):
            home = rig.a
            run(
                home,
                "payments",
                "configure",
                "aggregator",
                "--url",
                agg.url,
                "--vendor-sn",
                VENDOR_SN,
                "--vendor-key",
                VENDOR_KEY,
                "--code",
                ACTIVATION_CODE,
            )
            fast_polling(home)
            run_text(home, "devices", "add", "T1", "--kind", "terminal", "--uri", zvt.uri)
            yield Shop(rig, agg, zvt)
    finally:
        zvt.stop()
        agg.stop()


def _rules(shop: Shop) -> None:
    add = ["topup-rule", "add"]
    run_cloud(shop.rig, *add, "R500", "--min", "500", "--bonus", "50", "--name", "充500送50")
    run_cloud(shop.rig, *add, "R1000", "--min", "1000", "--bonus", "120", "--name", "充1000送120")
    run_cloud(shop.rig, *add, "GOLD", "--min", "500", "--bonus", "80", "--tier", "gold")
    # a window long past never applies, however generous
    run_cloud(shop.rig, *add, "OLD", "--min", "100", "--bonus", "999", "--to", "2020-01-31")


@pytest.mark.parametrize(
    "shop", ["one_server", pytest.param("two_workers", marks=pytest.mark.postgres)], indirect=True
)
def test_a_top_up_by_each_tender_gets_the_published_bonus_and_the_ledger_reconciles(
    shop: Shop,
) -> None:
    rig = shop.rig
    m = rig.svc.admin.add_member(PHONE, "陈女士")
    gold = rig.svc.admin.add_member(GOLD_PHONE, "金卡", "gold")
    _rules(shop)
    rig.sync(shop.till)
    pulled = run(shop.till, "member", "topup-rules")
    assert sorted(r["id"] for r in pulled) == ["GOLD", "OLD", "R1000", "R500"]

    cash = shop.topup(PHONE, "500", "--cash")
    card = shop.topup(PHONE, "1000", "--pay", "card")
    wechat = shop.topup(PHONE, "200", "--pay", f"code:{code('wechat', n=1)}")
    alipay = shop.topup(PHONE, "500", "--pay", f"alipay:{code('alipay', n=2)}")
    unionpay = shop.topup(PHONE, "500", "--pay", f"code:{code('unionpay', n=3)}")
    ecny = shop.topup(PHONE, "500", "--pay", f"ecny:{code('ecny', n=4)}")
    gold_top = shop.topup(GOLD_PHONE, "500", "--pay", f"code:{code('wechat', n=5)}")

    tops = [cash, card, wechat, alipay, unionpay, ecny]
    assert [t["tender"] for t in tops] == ["cash", "card", "wechat", "alipay", "unionpay", "ecny"]
    assert [t["bonus_fen"] for t in tops] == [5000, 12000, 0, 5000, 5000, 5000]
    assert gold_top["bonus_fen"] == 8000 and gold_top["rule_name"] == "GOLD"  # the tier's rule
    assert card["rule_name"] == "充1000送120"
    assert [t["topup_no"] for t in tops] == [1, 2, 3, 4, 5, 6]
    paid, bonus = sum(t["paid_fen"] for t in tops), sum(t["bonus_fen"] for t in tops)
    assert ecny["stored_value_fen"] == paid + bonus == 320_000 + 32_000
    assert ecny["bonus_balance_fen"] == bonus
    assert shop.cloud_member(m["id"])["stored_value_fen"] == paid + bonus
    assert shop.cloud_member(gold["id"])["stored_value_fen"] == 58_000
    # the acquirer's and the terminal's transaction numbers are kept for disputes
    assert all(t["payment_ref"] for t in tops[1:])
    assert len(shop.agg.trades) == 5 and len(shop.zvt.ledger) == 1

    # the till's X shows the top-ups by tender; the cloud's ledger agrees, to the fen
    x = run(shop.till, "report", "x")["topups"]
    assert x["by_tender"]["card"] == {
        "count": 1,
        "paid_fen": 100_000,
        "bonus_fen": 12_000,
        "refunded_fen": 0,
    }
    assert x["by_tender"]["wechat"]["count"] == 2 and x["paid_fen"] == paid + 50_000
    assert run(shop.till, "report", "x")["cash"]["pay_in_fen"] == 50_000  # the drawer agrees
    paper = run_text(shop.till, "report", "x")  # the X as printed: top-ups apart from sales
    assert "储值充值" in paper and "云闪付 ×1" in paper and "微信支付 ×2" in paper
    ledger = run_cloud(rig, "topups")
    assert ledger["balanced"] and ledger["count"] == 7
    assert ledger["paid_fen"] == x["paid_fen"] and ledger["bonus_fen"] == x["bonus_fen"]
    assert {t: v["paid_fen"] for t, v in ledger["by_tender"].items()} == {
        t: v["paid_fen"] for t, v in x["by_tender"].items()
    }


def test_the_top_up_receipt_names_the_tender_and_carries_a_signed_qr(shop: Shop) -> None:
    rig = shop.rig
    rig.svc.admin.add_member(PHONE, "陈女士")
    _rules(shop)
    rig.sync(shop.till)
    card = shop.topup(PHONE, "1000", "--pay", "card")  # the emulator's UnionPay test card
    wallet = shop.topup(PHONE, "500", "--pay", f"code:{code('unionpay', n=7)}")
    text = run_text(shop.till, "member", "topup-receipt", str(card["topup_no"]), "--paper", "58")
    assert "储值充值" in text and "充值单号：000001" in text
    assert "银联卡 尾号8599" in text and "UnionPay" not in text
    assert "充值金额" in text and "赠送金额" in text and "充1000送120" in text
    assert card["payment_ref"] in text
    assert all(text_width(ln) <= 32 for ln in text.splitlines() if not ln.startswith("[QR"))
    text = run_text(shop.till, "member", "topup-receipt", wallet["topup_id"])
    assert "云闪付" in text and wallet["payment_ref"] in text and "交易单号" in text
    # the QR: a version-3 token signed by this till's key, over the amount paid
    token = next(line for line in text.splitlines() if line.strip().startswith("[QR"))
    token = token.strip().removeprefix("[QR ").removesuffix("]").strip()
    fields = decode_token(token, versions=(TOPUP_VERSION,))
    assert fields.receipt_no == wallet["topup_no"] and fields.total_fen == 50_000
    key = load_key(Paths(shop.till).private_key)
    verify_token(fields, public_key_raw(key))


@pytest.mark.parametrize(
    "shop", ["one_server", pytest.param("two_workers", marks=pytest.mark.postgres)], indirect=True
)
def test_the_bonus_is_spent_last_and_forfeited_first_when_the_top_up_is_refunded(
    shop: Shop,
) -> None:
    rig = shop.rig
    m = rig.svc.admin.add_member(PHONE, "陈女士")
    _rules(shop)
    rig.sync(shop.till)
    top = shop.topup(PHONE, "500", "--pay", f"code:{code('wechat', n=8)}")
    assert top["stored_value_fen"] == 55_000 and top["bonus_balance_fen"] == 5_000
    # a sale paid from stored value spends the paid money first: the bonus is untouched
    run(shop.till, "sale", "--user", "admin", "--member", PHONE, "--scan", TEE, "--pay",
        "stored_value:99.00")  # fmt: skip
    assert shop.bonus_balance(m["id"]) == 5_000
    # the paid balance left (401.00) cannot cover a refund of the whole top-up
    err = run(shop.till, "member", "topup-refund", top["topup_id"], "--user", "admin", ok=False)
    assert err["error"]["message_zh"] and "not enough" in err["error"]["message"]
    assert [t.refunds for t in shop.agg.trades.values()] == [{}]  # nothing paid out
    # a refund of what is left: the whole bonus goes first, then the money to the wallet
    r = run(shop.till, "member", "topup-refund", str(top["topup_no"]), "--amount", "401",
            "--user", "admin")  # fmt: skip
    assert r["forfeited_bonus_fen"] == 5_000 and r["amount_fen"] == 40_100
    assert r["balance_fen"] == 0 and r["bonus_balance_fen"] == 0 and r["tender"] == "wechat"
    assert shop.cloud_member(m["id"])["stored_value_fen"] == 0
    (trade,) = shop.agg.trades.values()
    assert sum(trade.refunds.values()) == 40_100  # back to the wallet, same acquirer
    assert run_cloud(rig, "topups")["balanced"]


def test_after_the_z_a_wallet_top_up_is_still_refunded_to_its_wallet(shop: Shop) -> None:
    rig = shop.rig
    m = rig.svc.admin.add_member(PHONE, "陈女士")
    top = shop.topup(PHONE, "300", "--pay", f"code:{code('ecny', n=9)}")
    x = run(shop.till, "report", "x")["cash"]["expected_fen"]
    run(shop.till, "shift", "close", "--user", "admin", "--counted", str(x / 100))
    r = run(shop.till, "member", "topup-refund", top["topup_id"], "--amount", "100",
            "--user", "admin")  # fmt: skip
    assert r["amount_fen"] == 10_000 and r["tender"] == "ecny"
    r = run(shop.till, "member", "topup-refund", top["topup_id"], "--user", "admin")
    assert r["amount_fen"] == 20_000 and r["balance_fen"] == 0
    (trade,) = shop.agg.trades.values()
    assert sorted(trade.refunds.values()) == [10_000, 20_000]
    err = run(shop.till, "member", "topup-refund", top["topup_id"], "--user", "admin", ok=False)
    assert "0.00" in err["error"]["message"]  # nothing left to refund
    assert shop.cloud_member(m["id"])["stored_value_fen"] == 0


def test_offline_a_top_up_is_refused_before_any_money_moves(shop: Shop) -> None:
    rig = shop.rig
    rig.svc.admin.add_member(PHONE, "陈女士")
    rig.sync(shop.till)
    rig.offline(shop.till)
    for flags in (["--pay", f"code:{code('wechat', n=10)}"], ["--pay", "card"], ["--cash"]):
        err = shop.topup(PHONE, "500", *flags, ok=False)
        assert "online" in err["error"]["message"] and "联网" in err["error"]["message_zh"]
    assert shop.agg.trades == {} and shop.zvt.ledger == []
    assert run(shop.till, "report", "x")["cash"]["pay_in_fen"] == 0
    raw = sqlite3.connect(shop.till / "till.db")
    try:
        assert raw.execute("SELECT count(*) FROM payment_attempts").fetchone()[0] == 0
        assert raw.execute("SELECT count(*) FROM topups").fetchone()[0] == 0
    finally:
        raw.close()


def test_the_paid_balance_is_spent_first_then_the_bonus(shop: Shop) -> None:
    rig = shop.rig
    m = rig.svc.admin.add_member(PHONE, "陈女士")
    run_cloud(rig, "topup-rule", "add", "R100", "--min", "100", "--bonus", "20")
    rig.sync(shop.till)
    assert shop.topup(PHONE, "100", "--cash")["stored_value_fen"] == 12_000
    sale = ["sale", "--user", "admin", "--member", PHONE, "--scan", TEE]
    run(shop.till, *sale, "--pay", "stored_value:99.00")
    assert shop.bonus_balance(m["id"]) == 2_000  # ¥1.00 paid money left, the bonus whole
    run(shop.till, *sale, "--pay", "stored_value:11.00", "--pay", "cash:88.00")
    assert shop.bonus_balance(m["id"]) == 1_000  # ¥1.00 paid, then ¥10.00 of the bonus
    assert shop.cloud_member(m["id"])["stored_value_fen"] == 1_000


def test_the_top_up_receipt_prints_after_the_commit(shop: Shop, tmp_path: Path) -> None:
    from drivers.escpos.emulator.printer import VirtualPrinter

    rig = shop.rig
    rig.svc.admin.add_member(PHONE, "陈女士")
    vp = VirtualPrinter(out_dir=tmp_path / "emu")
    try:
        uri = f"tcp://127.0.0.1:{vp.serve_tcp(0)}"
        run_text(shop.till, "devices", "add", "front", "--kind", "printer", "--uri", uri,
                 "--no-test")  # fmt: skip
        top = shop.topup(PHONE, "300", "--pay", f"code:{code('wechat', n=11)}")
        (job,) = vp.wait_for_jobs(1)
        text = "\n".join(job["text_lines"])
        assert "储值充值" in text and "充值单号：000001" in text and "微信支付" in text
        assert top["payment_ref"] in text
    finally:
        vp.close()
