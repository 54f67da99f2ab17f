"""A parked member sale keeps what the customer was promised: the member, the associate, the
promotions, the coupon and the points redemption survive suspend, a till restart and resume;
it prices the same and completes with the member's ledger, coupon and follow-ups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from members_kit import member_service_for, put_json_row

from pos_app.domain.errors import GuitaiError
from pos_app.domain.tenders import Tender

JKT, TEE, SCARF = "6901234567892", "6901234567908", "6901234567915"
PHONE = "13800138000"


@contextmanager
def opened(home: Path, clock: Any) -> Iterator[Any]:
    """The wired till over its folder, closed again at the end (a till restart)."""
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build
    from pos_app.config import Paths

    paths = Paths(home)
    db = open_database(paths.database)
    try:
        yield build(paths, db, clock)
    finally:
        db.close()


def _promotions(home: Path) -> None:
    put_json_row(
        home,
        "promotions",
        "id",
        "P-MJ",
        {"id": "P-MJ", "name": "满300减50", "kind": "spend_save", "threshold_fen": 30000,
         "off_fen": 5000},
    )  # fmt: skip
    put_json_row(
        home,
        "coupons",
        "code",
        "C20",
        {"kind": "cash", "name": "20元代金券", "amount_fen": 2000, "threshold_fen": 10000},
    )


def _park(home: Path, clock: Any) -> tuple[int, dict[str, Any]]:
    with opened(home, clock) as till:
        svc = member_service_for(till)
        m, _ = svc.directory.enroll(PHONE, name="王女士")
        with till.uow:
            till.uow.conn.execute("UPDATE members SET points = 1000 WHERE id = ?", (m.id,))
            till.uow.commit()
        m = svc.directory.by_id(m.id)
        admin = till.users.authenticate("admin", "7391")
        till.shifts.open(admin, 50000)
        s = till.sales.new_sale(admin)
        s.associate = "小李"
        svc.pricing.attach(s, m)
        for code in (JKT, TEE):
            till.sales.scan(s, code)
        pricing = svc.pricing.price(s, m, "C20", 500)
        assert pricing.points_used == 500
        before = {
            "member_id": m.id,
            "totals": s.totals(),
            "savings": [x.as_dict() for x in s.savings],
            "extra": dict(s.member_extra),
        }
        assert {x["kind"] for x in before["savings"]} == {"spend_save", "coupon", "points"}
        sid = till.sales.suspend(s, "王女士 试衣")
        return sid, before


def test_parked_member_sale_with_coupon_and_points_resumes_after_restart(
    till_home: Path, clock: Any
) -> None:
    _promotions(till_home)
    sid, before = _park(till_home, clock)
    clock.advance(minutes=20)
    with opened(till_home, clock) as till:  # the till was restarted meanwhile
        admin = till.users.authenticate("admin", "7391")
        s = till.sales.resume(sid, admin)
        assert s.member_id == before["member_id"] and s.associate == "小李"
        assert [x.as_dict() for x in s.savings] == before["savings"]
        assert s.totals() == before["totals"]
        assert s.member_extra == before["extra"]
        svc = member_service_for(till)
        pricing = svc.pricing.reprice_resumed(s)  # checked again against the member's balances now
        assert pricing is not None and pricing.points_used == 500
        assert s.totals() == before["totals"]
        assert [x.as_dict() for x in s.savings] == before["savings"]
        svc.pricing.reserve_coupon(s)
        till.checkout.pay(s, Tender.CASH, s.totals().due_fen, None)
        payload = till.checkout.complete(s, svc.ledger)
        assert payload["total_fen"] == before["totals"].total_fen
        assert [x["name"] for x in payload["savings"]] == [x["name"] for x in before["savings"]]
        assert payload["associate"] == "小李"
        member = payload["member"]
        assert member["id"] == before["member_id"] and member["points_redeemed"] == 500
        assert (
            svc.directory.by_id(before["member_id"]).points == 1000 - 500 + member["points_earned"]
        )
        assert svc.context.repo.coupon_used_here("C20")
        assert [f["step"] for f in svc.associates.followups("小李")] == [1, 2, 3, 4, 5]
        assert till.uow.suspended.all() == []


def test_a_resumed_sale_whose_coupon_was_used_meanwhile_is_refused(
    till_home: Path, clock: Any
) -> None:
    _promotions(till_home)
    sid, before = _park(till_home, clock)
    with opened(till_home, clock) as till:
        # the coupon was used at another till: the cloud pushed it down as redeemed
        put_json_row(
            till_home,
            "coupons",
            "code",
            "C20",
            {"kind": "cash", "name": "20元代金券", "amount_fen": 2000, "threshold_fen": 10000,
             "redeemed": True},
        )  # fmt: skip
        admin = till.users.authenticate("admin", "7391")
        s = till.sales.resume(sid, admin)
        with pytest.raises(GuitaiError, match="already used"):
            member_service_for(till).pricing.reprice_resumed(s)
        # the cashier prices it without the coupon; member and points stay
        svc = member_service_for(till)
        svc.pricing.price(s, svc.directory.by_id(before["member_id"]), None, 500)
        assert {x.kind for x in s.savings} == {"spend_save", "points"}
        assert s.member_id == before["member_id"]
