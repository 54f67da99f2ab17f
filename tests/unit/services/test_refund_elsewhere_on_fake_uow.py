"""A refund of a sale sold elsewhere (issue 20), on the in-memory unit of work: a sibling till's
sale from the store's records, what is left summed across tills; another store's sale held
in the cloud before any money moves, given back when the refund does not go through."""

from __future__ import annotations

from typing import Any

import pytest
from fakes import MANAGER, FakeUnitOfWork

from pos_app.domain.commands import RefundSale
from pos_app.domain.errors import GuitaiError, NotFound, RuleViolation
from pos_app.domain.ports import ManualClock
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.sold_at import SoldAt
from pos_app.services.exchanging import line_status
from pos_app.services.handlers.refunds import refund_sale
from pos_app.services.selling import SaleService
from pos_app.services.shifts import ShiftService

LINES = [
    {"line_no": 1, "sku": "JK1001-BK-L", "name": "夹克", "qty": 1, "unit_price_fen": 29900,
     "discount_fen": 0, "amount_fen": 29900, "vat_rate_bp": 1300, "category": "男装"},
    {"line_no": 2, "sku": "TS2002-WH-M", "name": "T恤", "qty": 2, "unit_price_fen": 9900,
     "discount_fen": 0, "amount_fen": 19800, "vat_rate_bp": 1300, "category": "男装"},
]  # fmt: skip


def record(store: str, till: int) -> dict[str, Any]:
    return {
        "sale_id": "sale-elsewhere",
        "store_id": store,
        "till_no": till,
        "receipt_no": 41,
        "completed_at": "2026-12-06T02:00:00Z",
        "total_fen": 49700,
        "lines": [dict(x) for x in LINES],
        "payments": [{"tender": "cash", "amount_fen": 49700, "change_fen": 0}],
        "_kind": "sale",
        "_sold_at": {"store_id": store, "till_no": till},
    }


class Records:
    """The SaleSource port: till 2's record, with one T-shirt refunded at till 3."""

    def __init__(self) -> None:
        self.noted: list[tuple[str, str]] = []

    def sibling_sale(self, store_id: str, till_no: int, receipt_no: int) -> dict[str, Any] | None:
        return record(store_id, till_no) if (till_no, receipt_no) == (2, 41) else None

    def returned(self, sale_id: str) -> dict[int, int]:
        return {2: 1 + sum(1 for _r, s in self.noted if s == sale_id)}

    def refunded_by_tender(self, sale_id: str) -> dict[str, int]:
        return {"cash": 9900}

    def note_refund(self, refund_id: str, sale_id: str) -> None:
        self.noted.append((refund_id, sale_id))


class Cloud:
    """The RemoteSales port: another store's sale, and the reservations asked for."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.calls: list[tuple[Any, ...]] = []

    def sale_by_token(self, token: str) -> dict[str, Any]:
        p = {k: v for k, v in record("S009", 1).items() if not k.startswith("_")}
        returns = [{"line_no": 2, "refunded_qty": 1, "reserved_qty": 0}]
        return {"verdict": "genuine", "type": "sale.completed", "store_id": "S009",
                "till_no": 1, "payload": p, "returns": returns}  # fmt: skip

    def reserve(self, refund_id: str, sale_id: str, lines: Any) -> None:
        self.calls.append(("reserve", refund_id, sale_id, list(lines)))
        if self.refuse:
            raise GuitaiError("not_returnable", "不可退")

    def release(self, refund_id: str) -> None:
        self.calls.append(("release", refund_id))


@pytest.fixture
def sales(uow: FakeUnitOfWork, clock: ManualClock) -> SaleService:
    from fakes import lookup

    s = SaleService(uow, clock, lookup)
    ShiftService(uow, clock).open(MANAGER, 50000)
    s.deps.elsewhere = Records()
    return s


def cmd(lines: tuple[ReturnRequest, ...] | None, sold_at: SoldAt) -> RefundSale:
    return RefundSale(MANAGER, 41, lines, "cash", "size", (), sold_at=sold_at)


def test_a_sibling_tills_sale_counts_what_every_till_returned(sales: SaleService) -> None:
    here = sales.identity
    r = refund_sale(cmd((ReturnRequest(2, 1),), SoldAt(2)), sales.deps)
    assert r["original_sale_id"] == "sale-elsewhere" and r["total_fen"] == -9900
    assert (r["store_id"], r["till_no"]) == (here.store_id, here.till_no)
    records = sales.deps.elsewhere
    assert isinstance(records, Records) and records.noted == [(r["refund_id"], "sale-elsewhere")]
    uow = sales.uow
    assert isinstance(uow, FakeUnitOfWork)
    assert uow.sales.rows[-1]["original_sale_id"] is None  # not this till's sale
    # the returns screen's last column counts the same: nothing of the T-shirts is left
    status = line_status(sales, sales.original_elsewhere(41, SoldAt(2)))
    assert [(st["line_no"], st["left"]) for st in status] == [(1, 1), (2, 0)]
    assert status[1]["why_not"] == "already returned"
    with pytest.raises(RuleViolation) as gone:  # one at till 3, one here: none left
        refund_sale(cmd((ReturnRequest(2, 1),), SoldAt(2)), sales.deps)
    assert "only 0 of 2" in gone.value.message
    with pytest.raises(NotFound) as unknown:
        refund_sale(cmd(None, SoldAt(5)), sales.deps)
    assert "guitai sync run" in unknown.value.message and unknown.value.message_zh


def test_another_stores_sale_is_held_before_money_moves(sales: SaleService) -> None:
    with pytest.raises(RuleViolation) as offline:  # no scanned e-receipt: no cloud lookup
        refund_sale(cmd(None, SoldAt(1, "S009")), sales.deps)
    assert "scan its e-receipt" in offline.value.message

    cloud = Cloud()
    sales.deps.remote = cloud
    r = refund_sale(cmd((ReturnRequest(1, 1),), SoldAt(1, "S009", "TOKEN")), sales.deps)
    assert cloud.calls == [("reserve", r["refund_id"], "sale-elsewhere", [(1, 1)])]
    with pytest.raises(RuleViolation) as left:  # what the cloud said: refunded + held
        refund_sale(cmd((ReturnRequest(2, 2),), SoldAt(1, "S009", "TOKEN")), sales.deps)
    assert "only 1 of 2" in left.value.message

    refused = Cloud(refuse=True)
    sales.deps.remote = refused
    journal = len(sales.uow.journal.rows)  # type: ignore[attr-defined]
    with pytest.raises(RuleViolation) as lost:
        refund_sale(cmd((ReturnRequest(2, 1),), SoldAt(1, "S009", "TOKEN")), sales.deps)
    assert "nothing was refunded" in lost.value.message and "未退款" in lost.value.message_zh
    assert len(sales.uow.journal.rows) == journal  # type: ignore[attr-defined]
    assert [c[0] for c in refused.calls] == ["reserve"]


def test_a_reservation_is_given_back_when_the_refund_fails(sales: SaleService) -> None:
    class Jobs:
        def reserve(self, payload: dict[str, Any]) -> None:
            raise RuntimeError("device table locked")

    cloud = Cloud()
    sales.deps.remote = cloud
    sales.deps.receipt_jobs = Jobs()
    with pytest.raises(RuntimeError):
        refund_sale(cmd((ReturnRequest(1, 1),), SoldAt(1, "S009", "TOKEN")), sales.deps)
    assert [c[0] for c in cloud.calls] == ["reserve", "release"]
    assert cloud.calls[0][1] == cloud.calls[1][1]
