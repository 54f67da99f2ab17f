"""Returns settle a member sale's points and stored value: a partial return takes back earned
points and gives back redeemed points in proportion to the value refunded (rounded down), a
full return restores exactly; the till's mirror and the real loopback cloud agree after sync,
and the cloud books each return once and never beyond what the sale earned or redeemed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from members_cloud_rig import Rig, open_rig
from members_kit import member_sale, run
from sync_testkit import enroll_device

from cloud.db import CloudDB
from cloud.service import CloudService
from pos_app.domain.loyalty import points_settled_by_returns, refunded_value

JKT, TEE, SCARF = "6901234567892", "6901234567908", "6901234567915"
PHONE = "13900002222"


def outbox(home: Path, type_: str) -> list[dict[str, Any]]:
    from pos_app.adapters.db.connection import open_database

    db = open_database(home / "till.db")
    try:
        rows = db.conn.execute(
            "SELECT payload FROM outbox WHERE type = ? ORDER BY seq", (type_,)
        ).fetchall()
    finally:
        db.close()
    return [json.loads(r[0]) for r in rows]


def line_of(sale: dict[str, Any], sku_prefix: str) -> dict[str, Any]:
    return next(ln for ln in sale["lines"] if ln["sku"].startswith(sku_prefix))


def points_saving_on(sale: dict[str, Any], line_no: int) -> int:
    return sum(
        int(x["amount_fen"])
        for s in sale["savings"]
        if s["kind"] == "points"
        for x in s["lines"]
        if x["line_no"] == line_no
    )


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


def test_the_settling_rule_rounds_down_and_a_full_return_is_exact() -> None:
    assert points_settled_by_returns(887, 9950, 88700) == 99  # 99.5 rounded down
    assert points_settled_by_returns(887, 88700, 88700) == 887
    assert points_settled_by_returns(887, 99999, 88700) == 887  # never more than there were
    assert points_settled_by_returns(0, 500, 1000) == 0
    assert points_settled_by_returns(5, 0, 1000) == 0
    # three returns of a third each: 1 + 1 + 1 settle all 3 (cumulative, no lost points)
    steps = [points_settled_by_returns(3, n * 100, 300) for n in (1, 2, 3)]
    assert steps == [1, 2, 3]
    lines = [
        {"line_no": 1, "qty": 3, "amount_fen": 1000, "category": "男装"},
        {"line_no": 2, "qty": 1, "amount_fen": 500, "category": "服务"},
    ]
    assert refunded_value(lines, {1: 1}) == (333, 1500)
    assert refunded_value(lines, {1: 3, 2: 1}) == (1500, 1500)
    assert refunded_value(lines, {2: 1}, frozenset({"服务"})) == (0, 1000)


def test_partial_then_full_return_settles_points_and_stored_value_in_till_and_cloud(
    rig: Rig,
) -> None:
    m = rig.svc.admin.add_member(PHONE, "赵女士", points=3000)
    rig.sync(rig.a)
    assert (
        run(rig.a, "member", "topup", PHONE, "1000.00", "--user", "admin")["stored_value_fen"]
        == 100000
    )
    sale = member_sale(
        rig.a,
        JKT,
        TEE,
        SCARF,
        pay=("stored_value:500.00", "cash:387.00"),
        member=PHONE,
        points="2000",
    )
    total = 26900 + 9900 + 53900 - 2000
    assert sale["total_fen"] == total
    earned, redeemed = sale["points_earned"], sale["points_redeemed"]
    assert (earned, redeemed) == (total // 100, 2000)
    start = 3000
    after_sale = start - redeemed + earned
    assert run(rig.a, "member", "show", m["id"])["points"] == after_sale
    rig.sync(rig.a)
    assert rig.svc.members.views.member_view(m["id"])["points"] == after_sale

    # return the tee: its share of the value refunded, rounded down, both ways
    tee = line_of(sale, "QP-2026-002")
    back = run(
        rig.a,
        "return",
        "--user",
        "admin",
        "--receipt",
        str(sale["receipt_no"]),
        "--line",
        f"{tee['line_no']}=1",
        "--refund",
        "original",
    )
    assert -back["total_fen"] == tee["amount_fen"]
    assert back["payments"] == [
        dict(back["payments"][0], tender="stored_value", amount_fen=-tee["amount_fen"])
    ]
    take = earned * tee["amount_fen"] // total
    give = redeemed * points_saving_on(sale, tee["line_no"]) // 2000
    assert take > 0 and give > 0
    after_partial = after_sale - take + give
    shown = run(rig.a, "member", "show", m["id"])
    assert shown["points"] == after_partial
    assert shown["stored_value_fen"] == 100000 - 50000 + tee["amount_fen"]
    refund_events = [
        (e["points"], e["refund_id"]) for e in outbox(rig.a, "points.redeemed") if e.get("reason")
    ]
    assert refund_events == [(take, back["refund_id"])]
    assert [
        (e["points"], e["sale_id"]) for e in outbox(rig.a, "points.earned") if e.get("reason")
    ] == [(give, sale["sale_id"])]
    rig.sync(rig.a)
    view = rig.svc.members.views.member_view(m["id"])
    assert view["points"] == after_partial
    assert view["stored_value_fen"] == 100000 - 50000 + tee["amount_fen"]

    # the rest: everything comes back exactly, whatever the earlier rounding
    rest = run(
        rig.a, "return", "--user", "admin", "--receipt", str(sale["receipt_no"]), "--refund", "cash"
    )
    assert -rest["total_fen"] == total - tee["amount_fen"]
    assert run(rig.a, "member", "show", m["id"])["points"] == start
    rig.sync(rig.a)
    rig.sync(rig.a)  # a second sync books nothing twice
    view = rig.svc.members.views.member_view(m["id"])
    assert view["points"] == start
    assert view["stored_value_fen"] == 100000 - 50000 + tee["amount_fen"]  # the rest was cash
    assert not [f for f in rig.svc.members.views.reconciliation() if f["member_id"] == m["id"]]
    # and nothing is left to return: no further points move
    err = run(
        rig.a,
        "return",
        "--user",
        "admin",
        "--receipt",
        str(sale["receipt_no"]),
        ok=False,
    )
    assert "already been returned" in err["error"]["message"]


# ---- the cloud's ledger alone: once per event, never beyond the sale --------------------


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[CloudService]:
    db = CloudDB(str(tmp_path / "cloud.db"))
    s = CloudService(db, ereceipt_base_url="HTTP://127.0.0.1/R/")
    s.admin.add_store("S001", "静安嘉里店")
    try:
        yield s
    finally:
        db.close()


def _device(svc: CloudService) -> str:
    key = Ed25519PrivateKey.generate()
    return str(enroll_device(svc, key, "S001", {"store_id": "S001", "till_no": 1})["device_id"])


def test_cloud_books_return_points_once_and_never_beyond_the_sale(svc: CloudService) -> None:
    m = svc.admin.add_member(PHONE, "赵女士", points=1000)
    dev, seq = _device(svc), 0

    def send(type_: str, **payload: Any) -> str:
        nonlocal seq
        seq += 1
        e = {
            "id": str(uuid.uuid4()),
            "type": type_,
            "schema": 1,
            "seq": seq,
            "occurred_at": "2026-11-25T02:00:00Z",
            "payload": {"member_id": m["id"], "sale_id": "S-1", "at": "x"} | payload,
        }
        assert svc.ingest(dev, [e])["accepted"] == [e["id"]]
        assert svc.ingest(dev, [e])["duplicates"] == [e["id"]]  # a replay books nothing
        return str(e["id"])

    send("points.redeemed", points=300)
    send("points.earned", points=100)
    assert svc.members.views.member_view(m["id"])["points"] == 800
    # returns: 60 of the 100 earned taken back, then a till asks for 60 more: only 40 left
    send("points.redeemed", points=60, reason="refund", refund_id="R-1")
    send("points.redeemed", points=60, reason="refund", refund_id="R-2")
    assert svc.members.views.member_view(m["id"])["points"] == 700
    # 300 redeemed: 200 then 200 asked back, only 100 more given
    send("points.earned", points=200, reason="refund", refund_id="R-1")
    send("points.earned", points=200, reason="refund", refund_id="R-2")
    assert svc.members.views.member_view(m["id"])["points"] == 1000
    excess = [f for f in svc.members.views.reconciliation() if f["kind"] == "points_return_excess"]
    assert [f["amount"] for f in excess] == [20, 100]
    # another sale's return is measured on that sale alone
    send("points.earned", points=50, sale_id="S-2")
    send("points.redeemed", points=50, sale_id="S-2", reason="refund", refund_id="R-3")
    assert svc.members.views.member_view(m["id"])["points"] == 1000


def test_a_coupon_comes_back_only_on_a_full_return_and_only_if_the_brand_says_so(
    rig: Rig,
) -> None:
    from members_kit import set_setting

    coupon = {"kind": "cash", "name": "30元券", "amount_fen": 3000, "threshold_fen": 10000}
    rig.svc.admin.add_coupon("C30", coupon)
    rig.svc.admin.add_coupon("C31", coupon)
    rig.svc.admin.add_member(PHONE, "赵女士")
    rig.sync(rig.a)
    rig.sync(rig.b)

    def sell(home: Path, code: str, ok: bool = True) -> Any:
        return member_sale(home, JKT, TEE, pay="cash:500", member=PHONE, coupon=code, ok=ok)

    def ret(home: Path, receipt_no: int, *line: str) -> Any:
        args = [a for n in line for a in ("--line", n)]
        return run(home, "return", "--user", "admin", "--receipt", str(receipt_no), *args)

    # the default: a fully returned sale keeps its coupon used
    first = sell(rig.a, "C30")
    ret(rig.a, first["receipt_no"])
    rig.sync(rig.a)
    rig.sync(rig.b)
    assert "already used" in sell(rig.b, "C30", ok=False)["error"]["message"]
    # the brand's rule: only the return that completes a full return gives it back
    set_setting(rig.a, "loyalty_rules", '{"restore_coupon_on_full_return": true}')
    second = sell(rig.a, "C31")
    tee = line_of(second, "QP-2026-002")
    ret(rig.a, second["receipt_no"], f"{tee['line_no']}=1")
    rig.sync(rig.a)
    rig.sync(rig.b)
    assert "already used" in sell(rig.b, "C31", ok=False)["error"]["message"]
    ret(rig.a, second["receipt_no"])
    assert [e["coupon_restored"]["code"] for e in outbox(rig.a, "member.updated")
            if "coupon_restored" in e] == ["C31"]  # fmt: skip
    rig.sync(rig.a)
    rig.sync(rig.b)
    again = sell(rig.b, "C31")
    assert [s["ref"] for s in again["savings"] if s["kind"] == "coupon"] == ["C31"]
    rig.sync(rig.b)
    assert not [f for f in rig.svc.members.views.reconciliation() if f["kind"] == "coupon_overused"]
