"""MemberCheckout (pos_app/services/members/checkout.py) against the real cloud on loopback:
a failed payment releases the coupon and gives stored value back; the steps the till's
screen calls keep the sale's prices when a coupon is refused; the points cap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from members_kit import init_till, run

from cloud.app import create_app
from cloud.db import CloudDB
from cloud.ereceipt import CloudConfig
from cloud.server import ThreadedServer
from cloud.service import CloudService
from pos_app.domain.errors import GuitaiError, RuleViolation
from pos_app.domain.tenders import Tender
from pos_app.services.members.checkout import MemberCheckout, PayStep

JKT = "6901234567892"  # ¥299, member price ¥269
TEE = "6901234567908"  # ¥99
PHONE = "13900001111"


class Shop:
    """One till enrolled with the reference cloud, a member with ¥300 stored value and a
    ¥50 coupon (threshold ¥100)."""

    def __init__(self, tmp: Path) -> None:
        self.db = CloudDB(str(tmp / "cloud.db"))
        self.cloud = CloudService(self.db, ereceipt_base_url="")
        self.server = ThreadedServer(
            create_app(self.cloud, config=CloudConfig(brand_name="青衫", account_name="青衫服饰"))
        ).start()
        self.cloud.admin.add_store("S001", "静安嘉里店")
        self.home = init_till(tmp / "a", 1)
        code = self.cloud.admin.enrollment_code("S001")["code"]
        run(self.home, "enroll", "--cloud", self.server.url, "--code", code)
        self.member = self.cloud.admin.add_member(PHONE, "李先生")
        self.cloud.admin.add_coupon(
            "VIP50", {"kind": "cash", "name": "50元券", "amount_fen": 5000, "threshold_fen": 10000}
        )
        run(self.home, "sync", "run")
        run(self.home, "shift", "open", "--user", "admin", "--float", "500")
        run(self.home, "member", "topup", PHONE, "300.00", "--user", "admin")

    def redemptions(self) -> list[tuple[str, str]]:
        with self.db.tx() as tx:
            rows = tx.execute("SELECT code, sale_id FROM coupon_redemptions").fetchall()
        return [(r[0], r[1]) for r in rows]

    def balance(self) -> int:
        return int(self.cloud.members.views.member_view(self.member["id"])["stored_value_fen"])

    def close(self) -> None:
        self.server.stop()
        self.db.close()


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    s = Shop(tmp_path)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def till_of(shop: Shop) -> Iterator[Any]:
    from pos_app.cli.context import AppContext

    ctx = AppContext(shop.home)
    try:
        yield ctx.till
    finally:
        ctx.close()


def start(till: Any, *codes: str) -> MemberCheckout:
    admin = till.users.authenticate("admin", "7391")
    sale = till.sales.new_sale(admin)
    sale.associate = "小李"
    mc = MemberCheckout(till.members(), till.checkout, sale)
    mc.attach(till.members().directory.find_one(PHONE))
    for c in codes:
        till.sales.scan(sale, c)
    mc.reprice()
    return mc


def test_a_failed_payment_releases_the_coupon_and_gives_stored_value_back(
    shop: Shop, till_of: Any
) -> None:
    mc = start(till_of, JKT)
    mc.apply_coupon("VIP50")
    assert [s.name for s in mc.sale.savings] == ["50元券"]
    due = mc.sale.totals().due_fen  # 269 - 50
    assert due == 21900
    # stored value paid online, then the rest is short: nothing is sold
    with pytest.raises(GuitaiError, match="still due"):
        mc.settle([PayStep(Tender.STORED_VALUE, 10000), PayStep(Tender.CASH, 100)])
    assert shop.redemptions() == []  # the coupon was released in the cloud
    assert shop.balance() == 30000  # the debit was credited back (key + ":reverse")
    assert mc.sale.tenders == [] and not mc.coupon_reserved
    assert till_of.uow.sales.recent() == []
    # the same coupon and card serve the next (complete) sale
    mc2 = start(till_of, JKT)
    mc2.apply_coupon("VIP50")
    payload = mc2.settle([PayStep(Tender.STORED_VALUE, 10000), PayStep(Tender.CASH, 11900)])
    assert [p["tender"] for p in payload["payments"]] == ["stored_value", "cash"]
    assert payload["member"]["stored_value_balance_fen"] == 20000
    assert [s["ref"] for s in payload["savings"]] == ["VIP50"]
    assert shop.redemptions() == [("VIP50", mc2.sale.id)]
    assert shop.balance() == 20000
    assert len(till_of.members().associates.followups("小李")) == 5


def test_a_first_payment_refused_releases_the_coupon_at_once(shop: Shop, till_of: Any) -> None:
    mc = start(till_of, JKT)
    mc.apply_coupon("VIP50")
    with pytest.raises(RuleViolation, match="more than is due"):
        mc.pay(Tender.STORED_VALUE, 99_999_00)
    assert shop.redemptions() == [] and not mc.coupon_reserved
    # the sale can still change (no payment on it), and the coupon is reserved again on pay
    till_of.sales.scan(mc.sale, TEE)
    assert mc.reprice() is None
    mc.pay(Tender.STORED_VALUE, 5000)
    assert shop.redemptions() == [("VIP50", mc.sale.id)]
    mc.abandon()  # the customer walks away
    assert shop.redemptions() == [] and shop.balance() == 30000


def test_a_refused_coupon_keeps_the_prices_and_points_are_capped(shop: Shop, till_of: Any) -> None:

    mc = start(till_of, TEE)
    till_of.uow.conn.execute("UPDATE members SET points = 50000")
    mc.refresh_member()
    before = mc.sale.totals()
    with pytest.raises(GuitaiError, match="No coupon NOPE"):
        mc.apply_coupon("NOPE")
    assert mc.sale.totals() == before and mc.coupon_code is None
    cap = mc.points_cap()
    assert (cap.balance, cap.points_per_yuan, cap.cap_bp) == (50000, 100, 5000)
    assert cap.usable == 4900  # half of ¥99, whole yuan
    mc.redeem_points(cap.usable + 1000)
    assert mc.pricing is not None and mc.pricing.points_used == 4900
    assert mc.sale.totals().due_fen == 9900 - 4900
    # a coupon below its threshold: refused, the points stay
    with pytest.raises(GuitaiError):
        mc.apply_coupon("VIP50")
    assert mc.points == 5900 and mc.sale.totals().due_fen == 5000
    # the member leaves the sale: list prices, no coupon, no points
    mc.detach()
    assert mc.sale.member_id is None and mc.sale.savings == [] and mc.points == 0
    assert mc.sale.totals().due_fen == 9900
