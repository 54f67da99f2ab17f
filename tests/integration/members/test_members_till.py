"""Members at the till: find, enroll, the panel, prices and promotions, points, coupons,
offline stored value, follow-ups, suggestions and the associates' report."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from members_kit import member_sale, put_json_row, run

from pos_app.domain.errors import RuleViolation

JKT, TEE, SCARF, BOOK, CARE = (
    "6901234567892",
    "6901234567908",
    "6901234567915",
    "6901234567922",
    "6901234567939",
)
PHONE = "13800138000"


def outbox(home: Path, type_: str) -> list[dict]:
    from pos_app.adapters.db.connection import open_database

    db = open_database(home / "till.db")
    try:
        rows = db.conn.execute(
            "SELECT payload FROM outbox WHERE type = ? ORDER BY seq", (type_,)
        ).fetchall()
    finally:
        db.close()
    return [json.loads(r[0]) for r in rows]


def test_enroll_once_per_phone_and_find_every_way(till_home: Path) -> None:
    m = run(
        till_home,
        "member",
        "enroll",
        "--phone",
        PHONE,
        "--name",
        "王女士",
        "--birthday",
        "1990-11-03",
        "--consent",
        "--associate",
        "小李",
        "--tags",
        "修身,M码",
    )
    assert m["created"] and m["consent_at"] and m["tags"] == ["M码", "修身"]
    again = run(till_home, "member", "enroll", "--phone", "+86 138-0013-8000", "--name", "x")
    assert not again["created"] and again["member_id"] == m["member_id"]
    other = run(till_home, "member", "enroll", "--phone", "13900008000")
    assert other["created"]
    # the last four digits list the candidates; the whole number finds one
    assert {x["member_id"] for x in run(till_home, "member", "find", "8000")} == {
        m["member_id"],
        other["member_id"],
    }
    assert [x["member_id"] for x in run(till_home, "member", "find", PHONE)] == [m["member_id"]]
    code = f"GTM:{m['member_id']}"
    assert [x["member_id"] for x in run(till_home, "member", "find", code)] == [m["member_id"]]
    assert run(till_home, "member", "find", "13700000000") == []
    enrolled = outbox(till_home, "member.enrolled")
    assert [e["member_id"] for e in enrolled] == [m["member_id"], other["member_id"]]
    assert enrolled[0]["marketing_consent"] is True and enrolled[0]["associate"] == "小李"
    assert enrolled[0]["consent_at"] == m["consent_at"]
    err = run(till_home, "member", "enroll", "--phone", "12345", ok=False)
    assert err["error"]["message_zh"] and "mobile" in err["error"]["message"]
    err = run(
        till_home,
        "member",
        "enroll",
        "--phone",
        "13600000000",
        "--birthday",
        "1990-13-40",
        ok=False,
    )
    assert "YYYY-MM-DD" in err["error"]["message"]
    assert run(till_home, "member", "find", "13600000000") == []  # nothing half-written


def _setup_promotions(home: Path) -> None:
    put_json_row(
        home,
        "promotions",
        "id",
        "P-MJ",
        {
            "id": "P-MJ",
            "name": "满300减50",
            "kind": "spend_save",
            "threshold_fen": 30000,
            "off_fen": 5000,
        },
    )
    put_json_row(
        home,
        "promotions",
        "id",
        "P-ACC",
        {
            "id": "P-ACC",
            "name": "配饰9折",
            "kind": "category_percent",
            "categories": ["配饰"],
            "percent_bp": 1000,
        },
    )
    put_json_row(
        home,
        "coupons",
        "code",
        "C20",
        {"kind": "cash", "name": "20元代金券", "amount_fen": 2000, "threshold_fen": 10000},
    )


def test_member_sale_names_every_saving_and_earns_points(till_home: Path) -> None:
    _setup_promotions(till_home)
    m = run(till_home, "member", "enroll", "--phone", PHONE, "--name", "王女士")
    # give the member points in the mirror, as a pull from the cloud would
    from pos_app.adapters.db.connection import open_database

    db = open_database(till_home / "till.db")
    db.conn.execute(
        "UPDATE members SET points = 1000, tier = 'core' WHERE id = ?", (m["member_id"],)
    )
    db.close()
    run(till_home, "shift", "open", "--user", "admin", "--float", "500")
    r = member_sale(
        till_home,
        JKT,
        SCARF,
        TEE,
        pay="cash:1000",
        member=PHONE,
        associate="小李",
        coupon="C20",
        points="500",
    )
    names = [(s["name"], s["amount_fen"]) for s in r["savings"]]
    # member prices 269 + 539; tee 99 at list price; scarf 10% off its member price;
    # core tier 5% on the tee only; 满300减50 twice; the coupon; then 500 points = ¥5
    assert names == [
        ("配饰9折", 5390),
        ("核心会员折扣", 495),
        ("满300减50", 10000),
        ("20元代金券", 2000),
        ("积分抵现 500 分", 500),
    ]
    assert r["subtotal_fen"] == 26900 + 53900 + 9900
    assert r["total_fen"] == 90700 - 5390 - 495 - 10000 - 2000 - 500
    assert sum(ln["amount_fen"] for ln in r["lines"]) == r["total_fen"]
    assert r["points_redeemed"] == 500
    # core earns double on what was paid (no excluded category in the basket)
    assert r["points_earned"] == (r["total_fen"] // 100) * 2
    assert r["balances"]["points"] == 1000 - 500 + r["points_earned"]
    shown = run(till_home, "member", "show", m["member_id"])
    assert shown["points"] == r["balances"]["points"]
    assert shown["coupons"] == [] and shown["last_visits"][0]["receipt_no"] == r["receipt_no"]
    assert outbox(till_home, "points.earned")[0]["points"] == r["points_earned"]
    assert outbox(till_home, "points.redeemed")[0]["points"] == 500
    assert outbox(till_home, "coupon.redeemed")[0]["code"] == "C20"
    # the coupon is gone on this till
    err = member_sale(till_home, JKT, pay="cash:300", member=PHONE, coupon="C20", ok=False)
    assert "already used" in err["error"]["message"]
    # the receipt prints each saving by name
    from members_kit import run_text

    out = till_home / "r.txt"
    run_text(till_home, "receipt", "show", str(r["receipt_no"]), "--format", "text", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    for name, _ in names:
        assert name in text
    assert "优惠明细" in text


def test_points_without_member_and_too_many_points_are_refused(till_home: Path) -> None:
    run(till_home, "member", "enroll", "--phone", PHONE)
    run(till_home, "shift", "open", "--user", "admin", "--float", "500")
    err = member_sale(till_home, TEE, pay="cash:100", points="100", ok=False)
    assert "--member" in err["error"]["message"]
    err = member_sale(till_home, TEE, pay="cash:100", member=PHONE, points="100", ok=False)
    assert "0 points" in err["error"]["message"]
    assert run(till_home, "sales", "list") == []


def test_panel_flags_history_tags_followups_and_suggestions(till, clock) -> None:
    from members_kit import member_service_for

    svc = member_service_for(till)
    m, _ = svc.directory.enroll(PHONE, name="王女士", birthday="1990-11-03", associate="小李")
    admin = till.users.authenticate("admin", "7391")
    till.shifts.open(admin, 50000)

    def sell(*codes: str, associate: str | None = "小李", member=m) -> dict:
        s = till.sales.new_sale(admin)
        s.associate = associate
        if member is not None:
            svc.pricing.attach(s, member)
        for c in codes:
            till.sales.scan(s, c)
        svc.pricing.price(s, member)
        till.checkout.pay(
            s,
            __import__("pos_app.domain.tenders", fromlist=["Tender"]).Tender.CASH,
            s.totals().due_fen,
            None,
        )
        return till.checkout.complete(s, svc.ledger)

    sell(JKT, TEE)
    sell(JKT, TEE, associate=None, member=None)
    sell(SCARF, associate="小王", member=None)
    panel = svc.directory.panel(m.id)
    assert panel["birthday_this_month"] is True  # the clock says 2026-11-25
    assert panel["lapsed"] is False
    assert panel["favourite_categories"] == ["男装"]
    assert len(panel["last_visits"]) == 1
    # follow-ups: 30 minutes, 3, 30, 60, 90 days
    rows = svc.associates.followups("小李")
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5]
    assert svc.associates.followups("小李", due=True) == []
    clock.advance(minutes=31)
    due = svc.associates.followups("小李", due=True)
    assert [r["step"] for r in due] == [1]
    svc.associates.finish_followup(due[0]["id"], "小李", "已电话回访")
    assert svc.associates.followups("小李", due=True) == []
    with pytest.raises(Exception, match="No open follow-up"):
        svc.associates.finish_followup(due[0]["id"], "小李")
    # tags at the till, synced
    svc.directory.set_tags(m.id, "修身， 黑色 ,修身", "admin")
    assert svc.directory.by_id(m.id).tags == ("修身", "黑色")
    # suggestions: the tee is bought with the jacket
    sug = svc.associates.suggestions(["QP-2026-001-BLK-L"], m.id)
    assert sug["bought_together"][0]["sku"] == "QP-2026-002-WHT-M"
    assert sug["bought_together"][0]["together"] == 2
    assert all(x["category"] == "男装" for x in sug["for_member"])
    # 180 days later without a purchase the member is lapsed
    clock.advance(days=181)
    assert svc.directory.panel(m.id)["lapsed"] is True
    # sales by associate
    day = panel["last_visits"][0]["completed_at"][:10]
    by = {r["associate"]: r for r in svc.associates.sales_by_associate(day)}
    assert by["小李"]["sales"] == 1 and by["小王"]["sales"] == 1 and by[None]["sales"] == 1


def test_offline_stored_value_is_capped_per_card_and_per_till(till) -> None:
    from members_kit import member_service_for

    from pos_app.domain.tenders import Tender

    svc = member_service_for(till)
    till.uow.conn.execute("BEGIN IMMEDIATE")
    till.uow.settings.put(
        "loyalty_rules",
        json.dumps({"offline_sv_per_card_fen": 30000, "offline_sv_per_till_fen": 50000}),
    )
    till.uow.conn.execute("COMMIT")
    a, _ = svc.directory.enroll(PHONE)
    b, _ = svc.directory.enroll("13900139000")
    for mid in (a.id, b.id):
        till.uow.conn.execute("UPDATE members SET stored_value_fen = 100000 WHERE id = ?", (mid,))
    admin = till.users.authenticate("admin", "7391")
    till.shifts.open(admin, 50000)

    def pay_sv(member_id: str, amount: int) -> dict:
        member = svc.directory.by_id(member_id)
        s = till.sales.new_sale(admin)
        svc.pricing.attach(s, member)
        till.sales.scan(s, SCARF)  # ¥539 member price
        svc.pricing.price(s, member)
        svc.stored_value.pay_stored_value(s, member, amount)
        till.checkout.pay(s, Tender.CASH, s.totals().due_fen, None)
        return till.checkout.complete(s, svc.ledger)

    p = pay_sv(a.id, 20000)
    assert [x["tender"] for x in p["payments"]] == ["stored_value", "cash"]
    with pytest.raises(RuleViolation, match="this card's offline limit"):
        pay_sv(a.id, 10001)
    pay_sv(a.id, 10000)  # exactly the card cap
    with pytest.raises(RuleViolation, match="this till's offline"):
        pay_sv(b.id, 20001)  # the till has 30000 of its 50000 used
    pay_sv(b.id, 20000)
    assert svc.directory.by_id(a.id).stored_value_fen == 70000
    debits = [
        json.loads(r[0])
        for r in till.uow.conn.execute(
            "SELECT payload FROM outbox WHERE type = 'stored_value.debited' ORDER BY seq"
        )
    ]
    assert [(d["amount_fen"], d["offline"]) for d in debits] == [
        (20000, True),
        (10000, True),
        (20000, True),
    ]
    assert len({d["idempotency_key"] for d in debits}) == 3


def test_offline_debits_are_not_subtracted_twice_from_the_balance(till) -> None:
    """The local balance already carries this till's offline debits: a ¥500 card that paid
    ¥189 offline can still pay its remaining ¥311 (under the caps)."""
    from members_kit import member_service_for

    from pos_app.domain.tenders import Tender

    svc = member_service_for(till)
    till.uow.conn.execute("BEGIN IMMEDIATE")
    till.uow.settings.put("loyalty_rules", json.dumps({"offline_sv_per_card_fen": 100000}))
    till.uow.conn.execute("COMMIT")
    a, _ = svc.directory.enroll(PHONE)
    till.uow.conn.execute("UPDATE members SET stored_value_fen = 50000 WHERE id = ?", (a.id,))
    admin = till.users.authenticate("admin", "7391")
    till.shifts.open(admin, 50000)

    def pay_sv(amount: int) -> None:
        member = svc.directory.by_id(a.id)
        s = till.sales.new_sale(admin)
        svc.pricing.attach(s, member)
        till.sales.scan(s, SCARF)  # ¥539 member price
        svc.pricing.price(s, member)
        svc.stored_value.pay_stored_value(s, member, amount)
        till.checkout.pay(s, Tender.CASH, s.totals().due_fen, None)
        till.checkout.complete(s, svc.ledger)

    pay_sv(18900)
    assert svc.directory.by_id(a.id).stored_value_fen == 31100
    with pytest.raises(RuleViolation, match=r"balance \(¥311.00\) is not enough"):
        pay_sv(31101)
    pay_sv(31100)
    assert svc.directory.by_id(a.id).stored_value_fen == 0


def test_cli_followups_and_associates(till_home: Path) -> None:
    run(till_home, "member", "enroll", "--phone", PHONE)
    run(till_home, "shift", "open", "--user", "admin", "--float", "500")
    r = member_sale(till_home, TEE, pay="cash:100", member=PHONE, associate="小李")
    rows = run(till_home, "member", "followups", "--associate", "小李")
    assert len(rows) == 5 and all(x["sale_id"] == r["sale_id"] for x in rows)
    assert run(till_home, "member", "followups", "--associate", "小王") == []
    due = datetime.fromisoformat(rows[0]["due_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=29) < due - datetime.now(UTC) <= timedelta(minutes=30)
    run(till_home, "return", "--user", "admin", "--receipt", str(r["receipt_no"]))
    rep = run(till_home, "member", "associates", "--day", r["business_day"])
    assert rep[0]["associate"] == "小李" and rep[0]["sales_fen"] == r["total_fen"]
    assert rep[0]["refunds"] == 1 and rep[0]["net_fen"] == 0  # the refund counts against her
    x = run(till_home, "report", "x")
    assert x["by_associate"]["小李"] == {
        "sales": 1,
        "sales_fen": r["total_fen"],
        "refunds": 1,
        "refunds_fen": -r["total_fen"],
        "net_fen": 0,
    }
    back = outbox(till_home, "points.redeemed")
    assert [(x["points"], x["reason"]) for x in back] == [(r["points_earned"], "refund")]
    assert run(till_home, "member", "show", PHONE)["points"] == 0
    updated = outbox(till_home, "member.updated")
    assert [f["step"] for f in updated[-1]["followups"]] == [1, 2, 3, 4, 5]


def test_followup_job_surfaces_each_due_followup_once(till, clock) -> None:
    from members_kit import member_service_for

    from pos_app.adapters.followup_jobs import FollowupJob
    from pos_app.domain.tenders import Tender

    svc = member_service_for(till)
    m, _ = svc.directory.enroll(PHONE)
    admin = till.users.authenticate("admin", "7391")
    till.shifts.open(admin, 50000)
    s = till.sales.new_sale(admin)
    s.associate = "小李"
    svc.pricing.attach(s, m)
    till.sales.scan(s, TEE)
    svc.pricing.price(s, m)
    till.checkout.pay(s, Tender.CASH, s.totals().due_fen, None)
    till.checkout.complete(s, svc.ledger)
    seen: list[list[dict]] = []
    job = FollowupJob(svc.associates, seen.append, interval_s=3600, associate="小李")
    job.start()  # the scheduler runs and stops cleanly; the test drives run_once itself
    try:
        assert job.run_once() == []
        clock.advance(minutes=30)
        assert [r["step"] for r in job.run_once()] == [1]
        assert job.run_once() == []  # surfaced once
        clock.advance(days=3)
        assert [r["step"] for r in job.run_once()] == [2]
    finally:
        job.shutdown()
    assert [[r["step"] for r in batch] for batch in seen] == [[1], [2]]
