"""The top-up handler on the in-memory unit of work (issue 23; issue 17's leftover: top-up is a
handler): online only, checked before any money moves; the money, the cloud's booking and one
commit; a booking the cloud could not make gives the money back and records nothing; an answer
lost on the way is asked again under the same key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fakes import MANAGER, FakeUnitOfWork

from pos_app.domain.commands import TopUp
from pos_app.domain.errors import RuleViolation, StateError
from pos_app.domain.events import CashMoved, TopUpCompleted
from pos_app.domain.members import Member
from pos_app.domain.payments import ApprovedPayment, AttemptState, PaymentAttempt
from pos_app.domain.ports import ManualClock
from pos_app.services.context import TillIdentity
from pos_app.services.handlers.topups import TopUpDeps, top_up
from pos_app.services.members.common import CloudUnavailable
from pos_app.services.messagebus import MessageBus
from pos_app.services.payments import RecoveryOutcome

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
MEMBER = Member("M1", "13900001111", "陈女士", tier="ordinary", stored_value_fen=1_000)


class Members:
    def __init__(self) -> None:
        self.adjusted: list[int] = []

    def by_id(self, member_id: str) -> Member | None:
        return MEMBER if member_id == MEMBER.id else None

    def adjust(self, member_id: str, points: int, stored_value_fen: int, at: str) -> None:
        self.adjusted.append(stored_value_fen)

    def cloud_config(self, key: str) -> Any:
        return None


class Repo:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def next_no(self) -> int:
        return len(self.rows) + 1

    def add(self, p: dict[str, Any], shift_id: int | None, attempt_id: str | None) -> None:
        self.rows.append(dict(p, shift_id=shift_id, attempt_id=attempt_id))


class Cloud:
    def __init__(self, *, online: bool = True, fail: int = 0) -> None:
        self.online, self.fail = online, fail
        self.keys: list[str] = []

    def member_by_phone(self, phone: str) -> dict[str, Any] | None:
        if not self.online:
            raise CloudUnavailable("connection refused", "无法连接")
        return {"id": MEMBER.id, "phone": phone}

    def topup(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        self.keys.append(key)
        if self.fail:
            self.fail -= 1
            raise CloudUnavailable("timed out", "超时")
        return {"bonus_fen": 5_000, "rule_id": "R500", "rule_name": "充500送50",
                "balance_fen": MEMBER.stored_value_fen + body["amount_fen"] + 5_000,
                "bonus_balance_fen": 5_000}  # fmt: skip


class Payments:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.charged: list[tuple[str, int]] = []
        self.voided: list[str] = []

    def charge(
        self, sale_id: str, tender: str, amount: int, code: str | None, on_text: Any = None
    ) -> ApprovedPayment:
        self.charged.append((tender, amount))
        attempt = PaymentAttempt(
            id="A1", kind="sale", tender=tender, amount_fen=amount, state=AttemptState.APPROVED,
            provider="aggregator", out_trade_no="GT1", started_at=NOW, updated_at=NOW,
            provider_ref="7894259244067830",
        )  # fmt: skip
        self.uow.payments.insert(attempt)
        return ApprovedPayment("A1", tender, amount, "7894259244067830", None, None, None, None, ())

    def void_unattached(self, ids: list[str]) -> list[RecoveryOutcome]:
        self.voided.extend(ids)
        return [RecoveryOutcome(ids[0], "sale", "unionpay", 0, None, "approved", "reversed",
                                "reversed", "")]  # fmt: skip


def _deps(cloud: Cloud) -> tuple[TopUpDeps, FakeUnitOfWork, Repo, Payments, list[Any]]:
    uow = FakeUnitOfWork({"store_id": "S001", "till_no": "1"})
    uow.shifts.insert("2026-12-06", "2026-12-06T01:00:00Z", "李娜", 0)
    repo, payments, seen = Repo(), Payments(uow), []
    bus = MessageBus()
    bus.subscribe(TopUpCompleted, seen.append)
    bus.subscribe(CashMoved, seen.append)
    deps = TopUpDeps(
        uow, repo, Members(), ManualClock(NOW), bus,  # type: ignore[arg-type]
        lambda: TillIdentity.load(uow), lambda: cloud, lambda: payments,  # type: ignore[arg-type,return-value]
    )  # fmt: skip
    return deps, uow, repo, payments, seen


def test_a_wallet_top_up_is_charged_booked_and_committed_once() -> None:
    deps, uow, repo, payments, seen = _deps(Cloud())
    p = top_up(TopUp(MANAGER, "M1", 50_000, "unionpay", "6200000000000000100"), deps)
    assert payments.charged == [("unionpay", 50_000)] and payments.voided == []
    assert uow.commits == 1 and [r["topup_no"] for r in repo.rows] == [1]
    assert uow.payments.get("A1").state is AttemptState.ATTACHED  # type: ignore[union-attr]
    assert p["bonus_fen"] == 5_000 and p["payment"]["provider_ref"] == "7894259244067830"
    assert [type(e) for e in seen] == [TopUpCompleted]


def test_cash_is_a_pay_in_of_the_shift_in_the_same_commit() -> None:
    deps, uow, _repo, payments, seen = _deps(Cloud())
    top_up(TopUp(MANAGER, "M1", 50_000, "cash"), deps)
    assert payments.charged == [] and uow.commits == 1
    assert [e.move["kind"] for e in seen if isinstance(e, CashMoved)] == ["pay_in"]


def test_offline_it_is_refused_before_any_money_moves() -> None:
    deps, uow, repo, payments, seen = _deps(Cloud(online=False))
    with pytest.raises(RuleViolation) as err:
        top_up(TopUp(MANAGER, "M1", 50_000, "card"), deps)
    assert "online" in err.value.message and err.value.message_zh
    assert payments.charged == [] and repo.rows == [] and uow.commits == 0 and seen == []


def test_a_booking_the_cloud_could_not_make_reverses_the_payment_and_records_nothing() -> None:
    deps, uow, repo, payments, seen = _deps(Cloud(fail=2))
    with pytest.raises(RuleViolation) as err:
        top_up(TopUp(MANAGER, "M1", 50_000, "unionpay", "6200000000000000100"), deps)
    assert "reversed" in err.value.message and "撤销" in err.value.message_zh
    assert payments.voided == ["A1"] and repo.rows == [] and uow.commits == 0 and seen == []


def test_an_answer_lost_on_the_way_is_asked_again_under_the_same_key() -> None:
    cloud = Cloud(fail=1)
    deps, _uow, repo, payments, _seen = _deps(cloud)
    top_up(TopUp(MANAGER, "M1", 50_000, "wechat", "134000000000000100"), deps)
    assert len(cloud.keys) == 2 and len(set(cloud.keys)) == 1  # one booking, never two
    assert payments.voided == [] and len(repo.rows) == 1


def test_a_tender_needs_an_open_shift_checked_first() -> None:
    deps, uow, _repo, payments, _seen = _deps(Cloud())
    uow.shifts.rows.clear()
    with pytest.raises(StateError):
        top_up(TopUp(MANAGER, "M1", 50_000, "card"), deps)
    assert payments.charged == []
