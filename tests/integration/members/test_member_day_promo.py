"""会员日 through the served cloud and real tills (issue 21, item 5): a promotion published with
`guitai cloud promo add` for the 18th, core members of a segment, at one store, applied by the
till's one pricing engine from its injected clock in the store's time zone; and coupons issued
to a segment once, seen by the member's till after a pull."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from members_kit import init_till, member_service_for, run, set_setting

from cloud.app import create_app
from cloud.db import CloudDB
from cloud.ereceipt import CloudConfig
from cloud.server import ThreadedServer
from cloud.service import CloudService
from pos_app.domain.ports import ManualClock

TEE = "6901234567908"  # 纯棉T恤 ¥99.00, no member price
JKT = "6901234567892"  # 男士羊毛夹克 ¥299.00, member price ¥269.00
CORE, ORDINARY = "13800138000", "13900139000"


class Chain:
    """The cloud on loopback with two stores, one enrolled till in each."""

    def __init__(self, tmp: Path) -> None:
        self.db_path = str(tmp / "cloud.db")
        self.db = CloudDB(self.db_path)
        self.svc = CloudService(self.db, ereceipt_base_url="")
        self.server = ThreadedServer(create_app(self.svc, config=CloudConfig())).start()
        self.tills: dict[str, Path] = {}
        for n, store in enumerate(("S001", "S002"), start=1):
            self.svc.admin.add_store(store, f"门店{n}")
            home = init_till(tmp / store, n)
            set_setting(home, "store_id", store)
            code = self.svc.admin.enrollment_code(store)["code"]
            run(home, "enroll", "--cloud", self.server.url, "--code", code)
            run(home, "shift", "open", "--user", "admin", "--float", "500")
            self.tills[store] = home

    def cloud(self, *args: str) -> Any:
        import contextlib
        import io
        import json

        from pos_app.cli import main

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = main(["cloud", *args, "--db", self.db_path, "--json"])
        assert rc == 0, out.getvalue()
        return json.loads(out.getvalue())

    def close(self) -> None:
        self.server.stop()
        self.db.close()


@pytest.fixture
def chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Chain]:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    c = Chain(tmp_path)
    try:
        yield c
    finally:
        c.close()


def _saving_at(home: Path, when: datetime, phone: str) -> dict[str, int]:
    """Price a T-shirt for the member at this till, its clock at `when`: savings by ref."""
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build
    from pos_app.config import Paths

    db = open_database(home / "till.db")
    try:
        till = build(Paths(home), db, clock=ManualClock(when))
        svc = member_service_for(till)
        member = svc.directory.find_one(phone)
        admin = till.users.authenticate("admin", "7391")
        sale = till.sales.new_sale(admin)
        svc.pricing.attach(sale, member)
        till.sales.scan(sale, TEE)
        pricing = svc.pricing.price(sale, member)
        return {s.ref: s.amount_fen for s in pricing.savings}
    finally:
        db.close()


def test_member_day_applies_on_the_18th_for_core_members_of_the_segment_at_one_store(
    chain: Chain,
) -> None:
    chain.cloud("member", "add", "--phone", CORE, "--tier", "core")
    chain.cloud("member", "add", "--phone", ORDINARY, "--tier", "ordinary")
    seg = chain.cloud("segment", "add", "regulars", "--rule", "tier in (core, ordinary)")
    assert seg["members"] == 2
    promo = chain.cloud(
        "promo",
        "add",
        "HY18",
        "--kind",
        "category_percent",
        "--percent-bp",
        "1000",
        "--name",
        "会员日 9折",
        "--day-of-month",
        "18",
        "--tier",
        "core",
        "--segment",
        "regulars",
        "--store",
        "S001",
    )
    assert promo["segment_members"] == {"regulars": 2}
    for home in chain.tills.values():
        run(home, "sync", "run")
    s1, s2 = chain.tills["S001"], chain.tills["S002"]
    on_18th = datetime(2026, 12, 18, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    # 00:30 on the 18th in the store's zone, still the 17th in UTC: the store's day counts
    just_after_midnight = datetime(2026, 12, 17, 16, 30, tzinfo=UTC)
    on_17th = datetime(2026, 12, 17, 15, 30, tzinfo=UTC)  # 23:30 on the 17th in Shanghai
    assert _saving_at(s1, on_18th, CORE) == {"HY18": 990}
    assert _saving_at(s1, just_after_midnight, CORE) == {"HY18": 990}
    # the item promotion takes the line, so the core tier's own discount (5%) does not stack
    # on it (the engine's precedence); without the promotion the tier discount is all
    assert _saving_at(s1, on_17th, CORE) == {"core": 495}
    assert _saving_at(s1, on_18th, ORDINARY) == {}  # not a core member
    assert _saving_at(s2, on_18th, CORE) == {"core": 495}  # another store


def test_a_segment_promotion_needs_the_member_in_the_published_segment(chain: Chain) -> None:
    chain.cloud("member", "add", "--phone", CORE, "--tier", "core")
    chain.cloud("member", "add", "--phone", ORDINARY, "--tier", "ordinary")
    chain.cloud("segment", "add", "cores", "--rule", "tier=core")
    chain.cloud(
        "promo", "add", "WEEKEND", "--kind", "spend_save", "--threshold-fen", "5000",
        "--off-fen", "1000", "--weekday", "sat,sun", "--segment", "cores",
    )  # fmt: skip
    home = chain.tills["S002"]
    run(home, "sync", "run")
    saturday = datetime(2026, 12, 19, 4, 0, tzinfo=UTC)
    monday = datetime(2026, 12, 21, 4, 0, tzinfo=UTC)
    assert _saving_at(home, saturday, CORE) == {"core": 495, "WEEKEND": 1000}
    assert _saving_at(home, monday, CORE) == {"core": 495}
    assert _saving_at(home, saturday, ORDINARY) == {}


def test_coupons_issued_to_a_segment_once_reach_the_members_till_by_the_pull(
    chain: Chain,
) -> None:
    core = chain.cloud("member", "add", "--phone", CORE, "--tier", "core")
    chain.cloud("member", "add", "--phone", ORDINARY, "--tier", "ordinary")
    chain.cloud("segment", "add", "cores", "--rule", "tier=core")
    chain.cloud(
        "coupon", "add", "CARE3", "--uses", "3", "--name", "洗护3次", "--valid-days", "30",
        "--issue-only",
    )  # fmt: skip
    first = chain.cloud("coupon", "issue", "CARE3", "--segment", "cores")
    again = chain.cloud("coupon", "issue", "CARE3", "--segment", "cores")
    by_id = chain.cloud("coupon", "issue", "CARE3", "--member", core["id"])
    assert first["issued"] == 1 and first["coupons"][0]["member_id"] == core["id"]
    assert (again["issued"], again["already_issued"]) == (0, 1)
    assert (by_id["issued"], by_id["already_issued"]) == (0, 1)
    with chain.db.tx() as tx:
        copies = tx.execute(
            'SELECT count(*) FROM coupons WHERE data LIKE \'%"issued_from":"CARE3"%\''
        ).fetchone()[0]
    assert copies == 1
    home = chain.tills["S001"]
    run(home, "sync", "run")
    panel = run(home, "member", "show", CORE)
    mine = [c for c in panel["coupons"] if c.get("issued_from") == "CARE3"]
    assert [(c["code"], c["kind"], c["uses"]) for c in mine] == [
        (first["coupons"][0]["coupon_code"], "count", 3)
    ]
    assert mine[0]["expires_at"] > "2026-"
    # the member's copy is redeemed at the till like any coupon: the dearest line, free
    sale = run(
        home, "sale", "--user", "admin", "--member", CORE, "--scan", JKT, "--scan", TEE,
        "--coupon", mine[0]["code"], "--pay", "cash:100",
    )  # fmt: skip
    assert [(s["ref"], s["amount_fen"]) for s in sale["savings"] if s["kind"] == "coupon"] == [
        (mine[0]["code"], 26900)
    ]
    # the issue-only coupon itself is not redeemable by its code at the till
    from pos_app.adapters.db.connection import open_database

    db = open_database(home / "till.db")
    try:
        assert db.conn.execute("SELECT 1 FROM coupons WHERE code = 'CARE3'").fetchone() is None
    finally:
        db.close()
