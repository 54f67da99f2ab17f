"""Stored-value top-ups (储值充值) and their refunds (issue 23), one handler each.

A top-up is online only: the cloud applies the brand's bonus rules and is the authority on the
balance, so it is asked before any money moves (a till that cannot reach it refuses at once).
Then the money is taken (cash, or card / wallet through the payment service, persisted attempt
first, house rule 3), the cloud books the top-up, and one transaction records the top-up, its
payment attached to it or its cash pay-in, and the member's mirrored balance.  Should the cloud
fail after the money was taken, the payment is reversed (a card or wallet) and nothing is
recorded: the customer keeps their money.

A refund goes the other way: the cloud first (it forfeits the top-up's bonus and refuses when
the member has spent the money since), then the money back through the tender it came by (the
same provider, after the day's Z too), then one transaction records it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pos_app.domain import events
from pos_app.domain.commands import RefundTopUp, TopUp
from pos_app.domain.errors import GuitaiError, InvalidInput, NotFound, RuleViolation, StateError
from pos_app.domain.events import CashMoved, TopUpCompleted, TopUpRefunded
from pos_app.domain.members import Member
from pos_app.domain.money import format_fen
from pos_app.domain.payments import CODE_TENDERS, ApprovedPayment, TextCallback
from pos_app.domain.ports import Clock
from pos_app.domain.timeutil import iso_utc, local_day
from pos_app.domain.topups import TopUpRule, bonus_for, receipt_digest, refund_split, rules_from

from ..context import TillIdentity
from ..drawer import DrawerCashShort, expected_drawer_fen
from ..members.common import CloudUnavailable
from ..members.ports import MemberRepo
from ..messagebus import MessageBus
from ..payments import PaymentService, attach_all
from ..unit_of_work import AbstractUnitOfWork
from .deps import require_open_shift

# The tenders a top-up is paid by; None (no tender): the cloud's credit alone.
TOPUP_TENDERS = ("cash", "card", *CODE_TENDERS)
RULES_KEY = "topup_rules"  # cloud/topups/ledger.py publishes the active rules under it


class TopUpCloud(Protocol):
    """The cloud's top-up calls (adapters/member_cloud.py)."""

    def member_by_phone(self, phone: str) -> dict[str, Any] | None: ...
    def topup(self, body: dict[str, Any], key: str) -> dict[str, Any]: ...
    def refund_topup(self, topup_id: str, amount_fen: int, key: str) -> dict[str, Any]: ...
    def credit(
        self, member_id: str, amount_fen: int, key: str, reference: str
    ) -> dict[str, Any]: ...


class TopUpRepo(Protocol):
    """adapters/db/repositories/topups.SqliteTopUps."""

    def next_no(self) -> int: ...
    def add(self, p: dict[str, Any], shift_id: int | None, attempt_id: str | None) -> None: ...
    def get(self, ref: str) -> dict[str, Any] | None: ...
    def for_member(self, member_id: str) -> list[dict[str, Any]]: ...
    def add_refund(self, r: dict[str, Any], shift_id: int | None) -> None: ...
    def shift_totals(self, shift_id: int) -> dict[str, Any]: ...


@dataclass
class TopUpDeps:
    uow: AbstractUnitOfWork
    repo: TopUpRepo
    members: MemberRepo
    clock: Clock
    bus: MessageBus
    identity: Callable[[], TillIdentity]
    cloud: Callable[[], TopUpCloud | None]
    payments: Callable[[], PaymentService]


def offline_refusal() -> RuleViolation:
    # The words of the top-up before issue 23 (its tests and the till's dialog say "online").
    return RuleViolation(
        "Top-ups need the cloud, which cannot be reached: try again when online",
        "充值需要连接云端，目前无法连接，请联网后重试",
    )


def published_rules(deps: TopUpDeps) -> list[TopUpRule]:
    return rules_from(deps.members.cloud_config(RULES_KEY))


def preview(deps: TopUpDeps, member: Member, amount_fen: int) -> dict[str, Any]:
    """What a top-up would get under the rules the till last pulled (the cloud decides)."""
    day = local_day(deps.clock.now(), deps.identity().tz)
    bonus, rule = bonus_for(published_rules(deps), amount_fen, member.tier, day)
    return {"amount_fen": amount_fen, "bonus_fen": bonus, "rule": rule.as_dict() if rule else None}


def top_up(cmd: TopUp, deps: TopUpDeps, on_text: TextCallback | None = None) -> dict[str, Any]:
    """`on_text`: the terminal's or provider's texts while the money is taken (the till's
    screen shows them, as its tender screen does)."""
    if cmd.amount_fen <= 0:
        raise InvalidInput("A top-up must be more than zero", "充值金额必须大于零")
    if cmd.tender is not None and cmd.tender not in TOPUP_TENDERS:
        raise InvalidInput(
            f"A top-up is paid by {', '.join(TOPUP_TENDERS)}, not {cmd.tender}",
            f"充值可用 {'、'.join(TOPUP_TENDERS)} 支付，不支持 {cmd.tender}",
        )
    member = _member(deps, cmd.member_id)
    uow = deps.uow
    if cmd.tender is not None:
        with uow:  # the day's money needs an open shift: refused before anything moves
            require_open_shift(uow)
    cloud = deps.cloud()
    if cloud is None:
        raise offline_refusal()
    try:  # online only: asked before the customer pays
        known = cloud.member_by_phone(member.phone)
    except CloudUnavailable as err:
        raise offline_refusal() from err
    if known is None:
        raise StateError(
            "The cloud does not know this member yet (enrolled offline): run `guitai sync run`, "
            "then top up",
            "云端尚无该会员（离线登记）：请先运行 guitai sync run 同步，再充值",
        )
    topup_id = uuid.uuid4().hex
    approved: ApprovedPayment | None = None
    if cmd.tender is not None and cmd.tender != "cash":
        approved = deps.payments().charge(topup_id, cmd.tender, cmd.amount_fen, cmd.code, on_text)
    ident = deps.identity()
    now = deps.clock.now()
    day = local_day(now, ident.tz)
    body = {
        "topup_id": topup_id,
        "member_id": member.id,
        "amount_fen": cmd.amount_fen,
        "tender": cmd.tender or "none",
        "payment_ref": (approved.provider_ref or "") if approved else "",
        "business_day": day,
    }
    try:
        answer = _ask_twice(lambda: cloud.topup(body, topup_id))
    except GuitaiError as err:
        raise _undo_payment(deps, approved, err) from err
    at = iso_utc(now)
    with uow:
        shift = uow.shifts.find_open() if cmd.tender is not None else None
        if shift is not None:
            day = str(shift["business_day"])
        payload = _payload(cmd, member, answer, approved, ident, topup_id, at, day)
        payload["topup_no"] = deps.repo.next_no()
        payload["digest"] = _digest(payload)  # what the receipt's QR binds (token version 3)
        deps.repo.add(payload, int(shift["id"]) if shift else None, _attempt(approved))
        if approved is not None:
            attach_all(uow, (approved.attempt_id,), topup_id, now)
        move = None
        if cmd.tender == "cash" and shift is not None:
            move = _cash(uow, shift, "pay_in", cmd.amount_fen, member.id, cmd.user.name, at)
        deps.members.adjust(member.id, 0, payload["balance_fen"] - member.stored_value_fen, at)
        uow.commit()
    if move is not None:
        deps.bus.publish(CashMoved(move))  # the drawer opens, as for any pay-in
    deps.bus.publish(TopUpCompleted(payload))
    return payload


def refundable(deps: TopUpDeps, member_id: str) -> list[dict[str, Any]]:
    """The member's top-ups with money left to refund (paid at this till), newest first, each
    with `left_fen` and `forfeit_bonus_fen`: what a full refund forfeits of its bonus first
    (at most; the cloud forfeits no more than the member still holds)."""
    out = []
    for t in deps.repo.for_member(member_id):
        left = int(t["paid_fen"]) - int(t["refunded_fen"])
        if left <= 0 or t["tender"] == "none":
            continue
        split = refund_split(
            left,
            paid_fen=int(t["paid_fen"]),
            refunded_fen=int(t["refunded_fen"]),
            bonus_fen=int(t["bonus_fen"]),
            forfeited_fen=int(t["forfeited_fen"]),
            bonus_balance_fen=int(t["bonus_fen"]),
        )
        out.append(t | {"left_fen": left, "forfeit_bonus_fen": split.forfeit_bonus_fen})
    return out


def refund_top_up(cmd: RefundTopUp, deps: TopUpDeps) -> dict[str, Any]:
    t = deps.repo.get(cmd.topup_ref)
    if t is None:
        raise NotFound(f"No top-up {cmd.topup_ref}", f"找不到充值单 {cmd.topup_ref}")
    left = int(t["paid_fen"]) - int(t["refunded_fen"])
    amount = left if cmd.amount_fen is None else cmd.amount_fen
    if amount <= 0 or amount > left:
        raise InvalidInput(
            f"A refund of this top-up is between 0.01 and {format_fen(left)}",
            f"本笔充值可退金额为 0.01 至 {format_fen(left)}",
        )
    tender = str(t["tender"])
    if tender == "none":
        raise StateError(
            "This top-up was not paid at a till: the brand refunds it in the cloud",
            "该充值未在收银台收款，请由品牌总部在云端处理退款",
        )
    uow = deps.uow
    shift = None
    if tender == "cash":
        with uow:
            shift = require_open_shift(uow)
            _check_drawer(uow, shift, amount)
    cloud = deps.cloud()
    if cloud is None:
        raise offline_refusal()
    refund_id = uuid.uuid4().hex
    try:
        answer = _ask_twice(lambda: cloud.refund_topup(str(t["topup_id"]), amount, refund_id))
    except CloudUnavailable as err:
        raise offline_refusal() from err
    approved: ApprovedPayment | None = None
    if tender != "cash":
        try:  # back to the wallet or card it came from, through the same provider
            approved = deps.payments().refund(str(t["attempt_id"]), amount, refund_id)
        except GuitaiError as err:
            raise _undo_cloud_refund(cloud, t, amount, refund_id, err) from err
    now = deps.clock.now()
    at = iso_utc(now)
    with uow:
        shift = uow.shifts.find_open()
        day = str(shift["business_day"]) if shift else local_day(now, deps.identity().tz)
        refund = {
            "refund_id": refund_id,
            "topup_id": t["topup_id"],
            "topup_no": t["topup_no"],
            "member_id": t["member_id"],
            "amount_fen": amount,
            "forfeited_bonus_fen": int(answer.get("forfeited_bonus_fen", 0)),
            "tender": tender,
            "attempt_id": approved.attempt_id if approved else None,
            "provider_ref": approved.provider_ref if approved else None,
            "balance_fen": int(answer.get("balance_fen", 0)),
            "bonus_balance_fen": int(answer.get("bonus_balance_fen", 0)),
            "business_day": day,
            "cashier": cmd.user.name,
            "at": at,
        }
        deps.repo.add_refund(refund, int(shift["id"]) if shift else None)
        if approved is not None:
            attach_all(uow, (approved.attempt_id,), refund_id, now)
        move = None
        if tender == "cash" and shift is not None:
            move = _cash(uow, shift, "pay_out", amount, str(t["member_id"]), cmd.user.name, at)
        m = deps.members.by_id(str(t["member_id"]))
        if m is not None:
            deps.members.adjust(m.id, 0, refund["balance_fen"] - m.stored_value_fen, at)
        uow.commit()
    if move is not None:
        deps.bus.publish(CashMoved(move))
    deps.bus.publish(TopUpRefunded(refund))
    return refund


# ---- helpers ---------------------------------------------------------------------------


def _member(deps: TopUpDeps, ref: str) -> Member:
    m = deps.members.by_id(ref)
    if m is None:
        raise NotFound(f"No member {ref}", f"找不到会员 {ref}")
    return m


def _ask_twice(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The cloud's calls are idempotent by key: an answer lost on the way is asked again
    once, so a booking the cloud made is found rather than undone."""
    try:
        return call()
    except CloudUnavailable:
        return call()


def _undo_payment(
    deps: TopUpDeps, approved: ApprovedPayment | None, err: GuitaiError
) -> GuitaiError:
    if approved is None:
        return offline_refusal() if isinstance(err, CloudUnavailable) else err
    out = deps.payments().void_unattached([approved.attempt_id])
    if out and out[0].action == "reversed":
        return RuleViolation(
            f"The cloud did not book the top-up ({err.message}): the payment was reversed, "
            "nothing is charged; try again when online",
            f"云端未能入账（{err.message_zh}）：款项已撤销，未扣款；请联网后重试",
        )
    return StateError(
        f"The cloud did not book the top-up ({err.message}) and the payment "
        f"{approved.attempt_id} could not be reversed: run `guitai payments recover "
        "--void-unattached`, do not charge again",
        f"云端未能入账（{err.message_zh}），且支付 {approved.attempt_id} 未能撤销：请运行 "
        "guitai payments recover --void-unattached，请勿重复收款",
    )


def _undo_cloud_refund(
    cloud: TopUpCloud, t: dict[str, Any], amount: int, refund_id: str, err: GuitaiError
) -> GuitaiError:
    """The money could not go back: the member's paid stored value is credited again (the
    forfeited bonus stays forfeited: the refund is asked again or the brand reinstates it)."""
    try:
        cloud.credit(str(t["member_id"]), amount, refund_id + ":undo", f"topup-undo:{refund_id}")
    except GuitaiError:
        return StateError(
            f"The refund failed ({err.message}) and the stored value could not be given back "
            f"in the cloud: ask head office to credit ¥{format_fen(amount)} to member "
            f"{t['member_id']}",
            f"退款失败（{err.message_zh}），且云端储值未能退回：请联系总部为会员 "
            f"{t['member_id']} 补回 ¥{format_fen(amount)}",
        )
    return err


def _check_drawer(uow: AbstractUnitOfWork, shift: dict[str, Any], amount: int) -> None:
    expected = expected_drawer_fen(uow, shift)
    if amount > expected:
        have, out = format_fen(max(expected, 0)), format_fen(amount)
        raise DrawerCashShort(
            f"Not enough cash in the drawer: it should hold ¥{have}, the refund is ¥{out}",
            f"钱箱现金不足：应有 ¥{have}，退款 ¥{out}",
        )


def _cash(
    uow: AbstractUnitOfWork,
    shift: dict[str, Any],
    kind: str,
    amount: int,
    member_id: str,
    user: str,
    at: str,
) -> dict[str, Any]:
    """The drawer's side, as a pay-in or pay-out of the shift (the Z's cash agrees)."""
    reason = (
        f"储值充值 stored value {member_id}"
        if kind == "pay_in"
        else f"储值退款 stored value refund {member_id}"
    )
    uow.shifts.add_cash_move(int(shift["id"]), kind, amount, reason, user, at)
    move = {
        "shift_id": shift["id"],
        "kind": kind,
        "amount_fen": amount,
        "reason": reason,
        "user": user,
        "at": at,
    }
    uow.outbox.add(events.CASH_MOVED, move, at)
    return move


def _attempt(approved: ApprovedPayment | None) -> str | None:
    return approved.attempt_id if approved else None


def _payload(
    cmd: TopUp,
    member: Member,
    answer: dict[str, Any],
    approved: ApprovedPayment | None,
    ident: TillIdentity,
    topup_id: str,
    at: str,
    day: str,
) -> dict[str, Any]:
    payment: dict[str, Any] | None = None
    if approved is not None:
        payment = {
            "provider_ref": approved.provider_ref,
            "card_type": approved.card_type,
            "masked_pan": approved.masked_pan,
        }
    bonus = int(answer.get("bonus_fen", 0))
    return {
        "topup_id": topup_id,
        "member_id": member.id,
        "phone_masked": member.phone_masked,
        "tier": member.tier,
        "tender": cmd.tender or "none",
        "paid_fen": cmd.amount_fen,
        "bonus_fen": bonus,
        "rule_name": (answer.get("rule_name") or answer.get("rule_id")) if bonus else None,
        "balance_fen": int(answer.get("balance_fen", member.stored_value_fen + cmd.amount_fen)),
        "bonus_balance_fen": int(answer.get("bonus_balance_fen", 0)),
        "payment": payment,
        "cashier": cmd.user.name,
        "store_id": ident.store_id,
        "till_no": ident.till_no,
        "business_day": day,
        "completed_at": at,
    }


def _digest(payload: dict[str, Any]) -> str:
    """The booking the cloud holds too, so it can check a scanned receipt against it."""
    return receipt_digest(
        topup_id=str(payload["topup_id"]),
        member_id=str(payload["member_id"]),
        paid_fen=int(payload["paid_fen"]),
        bonus_fen=int(payload["bonus_fen"]),
        tender=str(payload["tender"]),
    ).hex()
