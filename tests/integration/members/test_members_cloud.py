"""Two tills and the real cloud (uvicorn on loopback, SQLite): one member per phone across
offline enrollment, a coupon refused at the second till, offline stored-value spending bounded
by the caps and flagged by the cloud's reconciliation, the e-receipt funnel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from members_cloud_rig import Rig, ereceipt_url_of, open_rig, run_cloud
from members_kit import member_sale, run, set_setting

JKT, TEE, SCARF = "6901234567892", "6901234567908", "6901234567915"
PHONE = "13800138000"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


@pytest.fixture(params=["one_server", pytest.param("two_workers", marks=pytest.mark.postgres)])
def rig_or_workers(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Rig]:
    """The rig on one server (SQLite), or with till A and till B talking to two worker
    processes on one PostgreSQL (issue 18)."""
    workers = None
    if request.param == "two_workers":
        import sync_fixtures

        url = sync_fixtures.fresh_pg_database(request.getfixturevalue("pg_server"))
        workers = sync_fixtures.Workers(url)
    yield from open_rig(tmp_path, monkeypatch, workers)


def test_offline_and_online_enrollment_of_one_phone_end_as_one_member(rig: Rig) -> None:
    rig.offline(rig.a)
    ma = run(rig.a, "member", "enroll", "--phone", PHONE, "--name", "王女士", "--consent")
    assert ma["created"]
    sale_a = member_sale(rig.a, JKT, pay="cash:300", member=PHONE, associate="小李")
    # till B is online: the cloud has not heard of the phone yet, so B enrolls it too
    mb = run(rig.b, "member", "enroll", "--phone", PHONE, "--associate", "小王")
    assert mb["created"] and mb["member_id"] != ma["member_id"]
    rig.sync(rig.b)
    sale_b = member_sale(rig.b, TEE, pay="cash:100", member=PHONE, associate="小王")
    rig.sync(rig.b)
    # till A comes back: its enrollment merges into B's member, with its purchase
    rig.online(rig.a)
    rig.sync(rig.a)
    view = rig.svc.members.views.member_view(mb["member_id"])
    assert view["aliases"] == [ma["member_id"]]
    assert view["name"] == "王女士"  # what till A knew fills in what B did not
    assert sorted((p["till_no"], p["receipt_no"], p["total_fen"]) for p in view["purchases"]) == [
        (1, sale_a["receipt_no"], sale_a["total_fen"]),
        (2, sale_b["receipt_no"], sale_b["total_fen"]),
    ]
    assert view["points"] == sale_a["points_earned"] + sale_b["points_earned"]
    assert rig.svc.members.views.member_view(ma["member_id"])["id"] == mb["member_id"]
    # both associates' follow-up schedules reached the cloud, under the one member
    assert sorted({f["associate"] for f in view["followups"]}) == ["小李", "小王"]
    assert len(view["followups"]) == 10
    with rig.db.tx() as tx:
        assert (
            tx.execute("SELECT count(*) FROM members WHERE phone = ?", (PHONE,)).fetchone()[0] == 1
        )
    # till A's mirror now holds the one member; its own sale is still in the member's history
    found = run(rig.a, "member", "find", PHONE)
    assert [m["member_id"] for m in found] == [mb["member_id"]]
    panel = run(rig.a, "member", "show", ma["member_id"])
    assert panel["member_id"] == mb["member_id"]
    assert [v["receipt_no"] for v in panel["last_visits"]] == [sale_a["receipt_no"]]
    # a scanned e-receipt finds the member: on its own till, and at another through the cloud
    url = ereceipt_url_of(rig.a, sale_a["receipt_no"])
    assert [m["member_id"] for m in run(rig.a, "member", "find", url)] == [mb["member_id"]]
    assert [m["member_id"] for m in run(rig.b, "member", "find", url)] == [mb["member_id"]]
    # the e-receipt funnel: printed, opened, follows, joins per store and associate
    page = httpx.get(url.replace("HTTP://", "http://"), timeout=10)
    assert page.status_code == 200
    token = url.rsplit("/", 1)[-1]
    follow = httpx.post(f"{rig.url}/r/{token}/follow", timeout=10)
    assert follow.json() == {"counted": True}
    funnel = {r["associate"]: r for r in rig.svc.members.funnel.funnel("S001")}
    assert funnel["小李"]["receipts_printed"] == 1 and funnel["小王"]["receipts_printed"] == 1
    assert funnel["小李"]["ereceipts_opened"] == 1 and funnel["小李"]["follows"] == 1
    assert funnel["小王"]["joins"] == 1 and funnel[None]["joins"] == 1
    out = run_cloud(rig, "funnel", "--store", "S001")
    assert {r["associate"] for r in out} == {None, "小李", "小王"}


def test_a_coupon_redeemed_at_two_tills_online_is_refused_the_second_time(
    rig_or_workers: Rig,
) -> None:
    rig = rig_or_workers
    rig.svc.admin.add_coupon(
        "VIP50", {"kind": "cash", "name": "50元券", "amount_fen": 5000, "threshold_fen": 10000}
    )
    run(rig.a, "member", "enroll", "--phone", PHONE)
    rig.sync(rig.a)
    rig.sync(rig.b)
    # a sale abandoned after the coupon was redeemed (not enough paid) gives it back
    err = member_sale(rig.a, JKT, pay="cash:1", member=PHONE, coupon="VIP50", ok=False)
    assert "still due" in err["error"]["message"]
    first = member_sale(rig.a, JKT, pay="cash:300", member=PHONE, coupon="VIP50")
    assert [s["name"] for s in first["savings"]] == ["50元券"]
    err = member_sale(rig.b, JKT, pay="cash:300", member=PHONE, coupon="VIP50", ok=False)
    assert "already used at another till" in err["error"]["message"]
    assert run(rig.b, "sales", "list") == []  # nothing was sold at B
    with rig.db.tx() as tx:
        rows = tx.execute("SELECT sale_id, offline FROM coupon_redemptions").fetchall()
    assert [(r[0], r[1]) for r in rows] == [(first["sale_id"], 0)]
    rig.sync(rig.a)
    assert (
        rig.svc.members.views.reconciliation() == []
    )  # the event of the online redemption is no conflict
    # pushed down: B's mirror now knows the coupon is used and refuses it without asking
    rig.sync(rig.b)
    rig.offline(rig.b)
    err = member_sale(rig.b, JKT, pay="cash:300", member=PHONE, coupon="VIP50", ok=False)
    assert "already used" in err["error"]["message"]


def test_two_tills_offline_spending_one_card_lose_at_most_the_caps(
    rig_or_workers: Rig,
) -> None:
    rig = rig_or_workers
    m = rig.svc.admin.add_member("13900001111", "李先生")
    rig.sync(rig.a)
    # top-ups are online only
    top = run(rig.a, "member", "topup", "13900001111", "100.00", "--user", "admin")
    # issue 23 added the top-up's own fields; those of before keep their values
    assert {k: top[k] for k in ("member_id", "stored_value_fen")} == {
        "member_id": m["id"],
        "stored_value_fen": 10000,
    }
    assert "cash_recorded" not in top and top["tender"] == "none" and top["bonus_fen"] == 0
    rig.offline(rig.a)
    err = run(rig.a, "member", "topup", "13900001111", "1.00", "--user", "admin", ok=False)
    assert "online" in err["error"]["message"]
    rig.online(rig.a)
    cap = 8000
    for home in (rig.a, rig.b):
        rig.sync(home)
        set_setting(home, "loyalty_rules", json.dumps({"offline_sv_per_card_fen": cap}))
        rig.offline(home)
    spent = []
    for home in (rig.a, rig.b):
        r = member_sale(home, TEE, pay=("stored_value:80.00", "cash:19.00"), member="13900001111")
        assert r["balances"]["stored_value_fen"] == 2000
        spent.append(80_00)
        err = member_sale(
            home, TEE, pay=("stored_value:0.01", "cash:98.99"), member="13900001111", ok=False
        )
        assert "offline limit" in err["error"]["message"] or "not enough" in err["error"]["message"]
    for home in (rig.a, rig.b):
        rig.online(home)
        rig.sync(home)
    view = rig.svc.members.views.member_view(m["id"])
    assert view["stored_value_fen"] == 10000 - sum(spent)  # -6000: the cloud books both
    flags = [
        f for f in rig.svc.members.views.reconciliation() if f["kind"] == "stored_value_overdraft"
    ]
    assert flags and flags[-1]["amount"] == 6000 and flags[-1]["member_id"] == m["id"]
    assert any(r["kind"] == "stored_value_overdraft" for r in run_cloud(rig, "reconcile"))
    # the loss is bounded: each till at most the per-card cap, never more than was spent
    assert -view["stored_value_fen"] <= 2 * cap - 0
    # a return to the original tender puts stored value back on the card (online)
    first = run(rig.a, "sales", "list")[-1]
    assert first["kind"] == "sale"
    back = run(
        rig.a,
        "return",
        "--user",
        "admin",
        "--receipt",
        str(first["receipt_no"]),
        "--refund",
        "original",
    )
    assert [(p["tender"], p["amount_fen"]) for p in back["payments"]] == [
        ("stored_value", -8000),
        ("cash", -1900),
    ]
    assert (
        rig.svc.members.views.member_view(m["id"])["stored_value_fen"] == 10000 - sum(spent) + 8000
    )
    # offline it is refused (cash instead), and nothing is refunded
    rig.offline(rig.b)
    second = run(rig.b, "sales", "list")[-1]
    err = run(
        rig.b,
        "return",
        "--user",
        "admin",
        "--receipt",
        str(second["receipt_no"]),
        "--refund",
        "original",
        ok=False,
    )
    assert "only online" in err["error"]["message"]
    rig.online(rig.b)
    view = rig.svc.members.views.member_view(m["id"])
    assert view["stored_value_fen"] == 10000 - sum(spent) + 8000
    # online, a debit beyond the cloud's balance (¥20 now) is refused by the cloud itself
    err = member_sale(
        rig.a, TEE, pay=("stored_value:20.01", "cash:78.99"), member="13900001111", ok=False
    )
    assert "not enough" in err["error"]["message"].lower() or "balance" in err["error"]["message"]


def test_a_cash_top_up_is_a_pay_in_and_needs_an_open_shift(rig: Rig) -> None:
    m = rig.svc.admin.add_member("13900002222", "周女士")
    rig.sync(rig.a)
    top = ["member", "topup", "13900002222", "50.00", "--user", "admin", "--cash"]
    before = run(rig.a, "report", "x")["cash"]  # the rig's tills sell in an open shift
    r = run(rig.a, *top)
    # issue 23 added the top-up's own fields; those of before keep their values
    assert {k: r[k] for k in ("member_id", "stored_value_fen", "cash_recorded")} == {
        "member_id": m["id"],
        "stored_value_fen": 5000,
        "cash_recorded": True,
    }
    assert r["tender"] == "cash" and r["paid_fen"] == 5000 and r["topup_no"] >= 1
    x = run(rig.a, "report", "x")["cash"]
    assert x["pay_in_fen"] == before["pay_in_fen"] + 5000
    assert x["expected_fen"] == before["expected_fen"] + 5000
    counted = str(x["expected_fen"] / 100)
    run(rig.a, "shift", "close", "--user", "admin", "--counted", counted)
    err = run(rig.a, *top, ok=False)
    assert "shift open" in err["error"]["message"]
    assert (
        rig.svc.members.views.member_view(m["id"])["stored_value_fen"] == 5000
    )  # refused before the cloud
