"""Payment use cases: charge, refund, attach, recover and void, through the unit of work.

Every call to a terminal or provider is preceded by a persisted `started` attempt and followed by
its outcome.  The recovery rules of the payment-code providers (hardware-notes §4.5) are applied
here, the same way for every port: a PENDING or UNKNOWN answer is followed by status queries
until a final state or the port's time limit, then a reversal / cancel; a reversal is only
sent once the query has given no definite answer.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pos_app.domain.errors import InvalidInput, NotFound, StateError
from pos_app.domain.payments import (
    CODE_TENDERS,
    UNRESOLVED,
    ApprovedPayment,
    AttemptState,
    PaymentAttempt,
    PaymentDeclined,
    PaymentPort,
    PaymentUnavailable,
    PaymentUnknown,
    ProviderResult,
    ProviderStatus,
    TextCallback,
    check_payment_code,
    mask_code,
    scrub_card_numbers,
)
from pos_app.domain.ports import Clock, Stopwatch

from .unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)
S = AttemptState
P = ProviderStatus


@dataclass(frozen=True, slots=True)
class RecoveryOutcome:
    attempt_id: str
    kind: str
    tender: str
    amount_fen: int
    sale_id: str | None
    before: str
    after: str
    action: str  # resolved | reversed | still_unknown | needs_decision | void_failed
    message: str


def attach_all(
    uow: AbstractUnitOfWork, attempt_ids: Iterable[str], sale_id: str, at: datetime
) -> None:
    """Inside a sale's (or refund's) transaction: its card and wallet approvals are attached
    to it, so an approval and its sale commit together or not at all (house rule 3)."""
    for attempt_id in attempt_ids:
        uow.payments.attach(attempt_id, sale_id, at)


class PaymentService:
    def __init__(
        self,
        uow: AbstractUnitOfWork,
        ports: Mapping[str, PaymentPort],
        clock: Clock,
        *,
        new_id: Callable[[], str] | None = None,
        stopwatch: Stopwatch,
    ) -> None:
        self.uow = uow
        self.attempts = uow.payments  # reads; writes go through `with self.uow`
        self.ports = dict(ports)
        self.clock = clock
        self._new_id = new_id or (lambda: uuid.uuid4().hex)
        self._stopwatch = stopwatch
        self._aborting: set[str] = set()

    def abort(self, tender: str) -> None:
        """The cashier cancels a running charge (from another thread, e.g. the UI's button).
        Card: the terminal is told to abort.  Payment codes: the till stops waiting for the
        customer and cancels the trade (reverse / cancel); the charge then raises."""
        self._aborting.add(tender)
        self.port(tender).abort()

    # ---- helpers ----------------------------------------------------------------------------

    def port(self, tender: str) -> PaymentPort:
        port = self.ports.get(tender)
        if port is None:
            how = _SET_UP.get(tender, "guitai payments configure")
            raise InvalidInput(
                f"No {tender} payment is set up on this till: set it up with `{how}` "
                "(a technician), or take cash or another tender",
                f"本收银台未配置{_zh(tender)}：请技术人员用 {how} 配置，或改收现金、其他支付方式",
            )
        return port

    def check_available(self, tender: str) -> None:
        """Refuse a network tender at once when its link is down (cash always works)."""
        port = self.port(tender)
        if port.needs_network and not port.available():
            raise PaymentUnavailable(
                f"{tender} cannot be reached (network down?): take cash or another tender",
                f"无法连接{_zh(tender)}（网络断开？）：请收现金或改用其他支付方式",
            )

    def _save(
        self,
        attempt: PaymentAttempt,
        state: AttemptState,
        result: ProviderResult | None = None,
        error: str | None = None,
    ) -> PaymentAttempt:
        changes: dict[str, object] = {}
        if result is not None:
            for name in ("provider_ref", "terminal_ref", "card_type", "masked_pan"):
                value = getattr(result, name)
                if value is not None:
                    changes[name] = scrub_card_numbers(value) if name != "masked_pan" else value
            if result.auth_code:
                changes["auth_code_masked"] = result.auth_code  # a terminal's approval code
            if result.slip:
                changes["slip"] = tuple(scrub_card_numbers(line) for line in result.slip)
            if error is None and result.status not in (P.APPROVED,):
                error = f"{result.code} {result.message}".strip() or None
        if error is not None:
            changes["error"] = scrub_card_numbers(error)[:500]
        moved = attempt.moved(state, self.clock.now(), **changes)
        with self.uow:
            self.uow.payments.update(moved)
            self.uow.commit()
        return moved

    def _settle(
        self, attempt: PaymentAttempt, result: ProviderResult, port: PaymentPort, *, wait: bool
    ) -> tuple[PaymentAttempt, ProviderResult]:
        """Drive an attempt to a final state by the recovery rules; wait: poll while pending.

        The time limit runs on the stopwatch (elapsed time, immune to clock changes); stored
        timestamps come from the injected clock."""
        deadline = self._stopwatch.monotonic() + port.give_up_after_s
        for _ in range(10_000):
            st = result.status
            if st is P.APPROVED:
                return self._save(attempt, S.APPROVED, result), result
            if st in (P.DECLINED, P.NOT_FOUND, P.UNAVAILABLE):
                return self._save(attempt, S.DECLINED, result), result
            if st is P.CLOSED:
                target = S.REVERSED if attempt.state is S.UNKNOWN else S.DECLINED
                return self._save(attempt, target, result), result
            # PENDING or UNKNOWN: persist unknown, then query until final or the time limit
            if attempt.state is S.STARTED:
                attempt = self._save(attempt, S.UNKNOWN, result)
            if (
                not wait
                or self._stopwatch.monotonic() >= deadline
                or attempt.tender in self._aborting
            ):
                break
            self._stopwatch.sleep(port.poll_interval_s)
            result = port.query(attempt, self.attempts.claimed_refs(port.provider, attempt.id))
        else:  # pragma: no cover - bounded loop guard
            pass
        return attempt, result

    def _give_up(
        self, attempt: PaymentAttempt, port: PaymentPort, last: ProviderResult
    ) -> tuple[PaymentAttempt, ProviderResult]:
        """The query gave no definite answer in time: reverse / cancel (never for refunds)."""
        if attempt.kind != "sale":
            return attempt, last
        result = port.cancel(attempt)
        if result.status is P.CLOSED:
            return self._save(attempt, S.REVERSED, result), result
        if attempt.state is not S.UNKNOWN:
            attempt = self._save(attempt, S.UNKNOWN, result)
        return attempt, result

    # ---- charge ------------------------------------------------------------------------------

    def charge(
        self,
        sale_id: str,
        tender: str,
        amount_fen: int,
        code: str | None = None,
        on_text: TextCallback | None = None,
    ) -> ApprovedPayment:
        """Take a payment for a sale being completed.  Raises PaymentDeclined, PaymentUnknown or
        PaymentUnavailable (the attempt stays persisted); returns the approval to attach."""
        if not isinstance(amount_fen, int) or amount_fen <= 0:
            raise InvalidInput("A payment amount must be more than 0.00", "支付金额必须大于 0")
        code = check_payment_code(tender, code) if tender in CODE_TENDERS else None
        port = self.port(tender)
        self.check_available(tender)
        now = self.clock.now()
        attempt = PaymentAttempt(
            id=self._new_id(),
            kind="sale",
            tender=tender,
            amount_fen=amount_fen,
            state=S.STARTED,
            provider=port.provider,
            out_trade_no=_trade_no(now, self._new_id()),
            started_at=now,
            updated_at=now,
            sale_id=sale_id,
            auth_code_masked=mask_code(code) if code else None,
        )
        with self.uow:  # persisted before the terminal or provider is called
            self.uow.payments.insert(attempt)
            self.uow.commit()
        self._aborting.discard(tender)
        result = port.sale(attempt, code, on_text)
        attempt, result = self._settle(attempt, result, port, wait=True)
        if attempt.state in UNRESOLVED:
            attempt, result = self._give_up(attempt, port, result)
        return self._outcome(attempt, result)

    def _outcome(self, attempt: PaymentAttempt, result: ProviderResult) -> ApprovedPayment:
        if attempt.state is S.APPROVED:
            return ApprovedPayment(
                attempt_id=attempt.id,
                tender=attempt.tender,
                amount_fen=attempt.amount_fen,
                provider_ref=attempt.provider_ref,
                card_type=attempt.card_type,
                masked_pan=attempt.masked_pan,
                auth_code=attempt.auth_code_masked,
                terminal_ref=attempt.terminal_ref,
                slip=attempt.slip,
            )
        why = result.message or result.code or attempt.error or ""
        why_zh = result.message_zh or why
        if result.status is P.UNAVAILABLE:
            raise PaymentUnavailable(
                f"{attempt.tender} could not be reached ({why}): nothing was charged; "
                "take cash or another tender",
                f"无法连接{_zh(attempt.tender)}（{why_zh}）：未扣款，请收现金或改用其他支付方式",
                attempt.id,
            )
        if attempt.state is S.DECLINED:
            raise PaymentDeclined(
                f"{attempt.tender} payment declined ({why}): nothing was charged; ask for "
                "another payment",
                f"{_zh(attempt.tender)}支付被拒绝（{why_zh}）：未扣款，请顾客改用其他方式",
                attempt.id,
            )
        if attempt.state is S.REVERSED:
            raise PaymentDeclined(
                f"{attempt.tender} payment was not confirmed in time and has been reversed "
                "(nothing is charged): ask the customer to pay again",
                f"{_zh(attempt.tender)}支付未及时确认，已撤销（未扣款）：请顾客重新支付",
                attempt.id,
            )
        raise PaymentUnknown(
            f"{attempt.tender} did not confirm the payment ({why}). Do NOT charge again: run "
            "`guitai payments recover` when the link is back (payment "
            f"{attempt.id})",
            f"{_zh(attempt.tender)}未确认支付结果（{why_zh}）。请勿重复收款：连接恢复后运行 "
            f"guitai payments recover（支付记录 {attempt.id}）",
            attempt.id,
        )

    # ---- refund ------------------------------------------------------------------------------

    def refund(
        self,
        original_payment_ref: str,
        amount_fen: int,
        refund_id: str | None = None,
        on_text: TextCallback | None = None,
    ) -> ApprovedPayment:
        """Give money back to the original tender.  original_payment_ref: the sale's attempt id
        (payments.reference).  The approval is then attached to the refund with attach()."""
        original = self.attempts.get(original_payment_ref)
        if original is None or original.kind != "sale":
            raise NotFound(
                f"No card or wallet payment {original_payment_ref}",
                f"找不到支付记录 {original_payment_ref}",
            )
        if original.state is not S.ATTACHED:
            raise StateError(
                f"Payment {original.id} is {original.state}, not part of a completed sale: "
                "it cannot be refunded",
                f"支付记录 {original.id} 状态为 {original.state}，不属于已完成的销售，不能退款",
            )
        earlier = self._unfinished_refund(original.id, amount_fen)
        if earlier is not None:
            return self._finish_refund(earlier)
        left = original.amount_fen - self.attempts.refunded_fen(original.id)
        if not isinstance(amount_fen, int) or amount_fen <= 0 or amount_fen > left:
            raise InvalidInput(
                f"Refund must be between 0.01 and {left / 100:.2f} on this payment",
                f"本笔支付可退金额为 0.01 至 {left / 100:.2f}",
            )
        port = self.port(original.tender)
        self.check_available(original.tender)
        now = self.clock.now()
        attempt = PaymentAttempt(
            id=self._new_id(),
            kind="refund",
            tender=original.tender,
            amount_fen=amount_fen,
            state=S.STARTED,
            provider=port.provider,
            out_trade_no=_trade_no(now, self._new_id()),
            started_at=now,
            updated_at=now,
            sale_id=refund_id,
            original_id=original.id,
        )
        with self.uow:
            self.uow.payments.insert(attempt)
            self.uow.commit()
        result = port.refund(attempt, original, on_text)
        attempt, result = self._settle(attempt, result, port, wait=True)
        return self._outcome(attempt, result)

    def _unfinished_refund(self, original_id: str, amount_fen: int) -> PaymentAttempt | None:
        """A refund of this payment and amount whose return was never recorded: its answer
        was lost (unknown), or it was paid out (approved) but the return then failed."""
        for a in self.attempts.in_states([S.APPROVED, *UNRESOLVED]):
            if a.kind == "refund" and a.original_id == original_id and a.amount_fen == amount_fen:
                return a
        return None

    def _finish_refund(self, attempt: PaymentAttempt) -> ApprovedPayment:
        """The same refund asked again finishes the earlier one instead of sending a second:
        an approved one is handed back as it is; an unknown one is asked about under its own
        refund number (the providers treat it as the same refund), never paid out twice."""
        port = self.port(attempt.tender)
        if attempt.state is S.APPROVED:
            return self._outcome(attempt, ProviderResult(P.APPROVED))
        self.check_available(attempt.tender)
        if attempt.state is S.STARTED:
            attempt = self._save(attempt, S.UNKNOWN, error="interrupted; asked again")
        result = port.query(attempt, self.attempts.claimed_refs(port.provider, attempt.id))
        attempt, result = self._settle(attempt, result, port, wait=True)
        return self._outcome(attempt, result)

    # ---- attach ------------------------------------------------------------------------------

    def attach(self, attempt_id: str, sale_id: str) -> None:
        """One approval attached to its sale (the sale's handler calls `attach_all` inside
        its own transaction; this joins an open one as a savepoint)."""
        with self.uow:
            attach_all(self.uow, (attempt_id,), sale_id, self.clock.now())
            self.uow.commit()

    # ---- recovery ----------------------------------------------------------------------------

    def recover(
        self, now: datetime | None = None, *, void_unattached: bool = False, min_age_s: float = 0.0
    ) -> list[RecoveryOutcome]:
        """Resolve started/unknown attempts by asking the terminal or provider; then report (or,
        with void_unattached, reverse) approvals whose sale never completed.  Run at start-up,
        when no sale is in progress; min_age_s skips attempts younger than that."""
        now = now or self.clock.now()
        cutoff = now - timedelta(seconds=min_age_s)
        out: list[RecoveryOutcome] = []
        for attempt in self.attempts.in_states(UNRESOLVED):
            if attempt.started_at > cutoff:
                continue
            before = attempt.state
            port = self.ports.get(attempt.tender)
            if port is None:
                out.append(
                    _outcome(
                        attempt, before, "still_unknown", f"no {attempt.tender} port configured"
                    )
                )
                continue
            if attempt.state is S.STARTED:
                attempt = self._save(attempt, S.UNKNOWN, error="interrupted; recovering")
            result = port.query(attempt, self.attempts.claimed_refs(port.provider, attempt.id))
            attempt, result = self._settle(attempt, result, port, wait=False)
            if attempt.state in UNRESOLVED and (
                result.status is P.PENDING
                or now - attempt.started_at >= timedelta(seconds=port.give_up_after_s)
            ):
                attempt, result = self._give_up(attempt, port, result)
            action = (
                "still_unknown"
                if attempt.state in UNRESOLVED
                else ("reversed" if attempt.state is S.REVERSED else "resolved")
            )
            out.append(_outcome(attempt, before, action, result.message or result.code))
        if void_unattached:
            out.extend(self.void_unattached(min_age_s=min_age_s, now=now))
        else:
            for attempt in self.attempts.in_states([S.APPROVED]):
                if attempt.started_at <= cutoff:
                    out.append(
                        _outcome(
                            attempt,
                            attempt.state,
                            "needs_decision",
                            "approved but its sale never completed: complete the sale with it or "
                            "void it (`guitai payments recover --void-unattached`)",
                        )
                    )
        return out

    def void_unattached(
        self,
        attempt_ids: Iterable[str] | None = None,
        *,
        min_age_s: float = 0.0,
        now: datetime | None = None,
    ) -> list[RecoveryOutcome]:
        """Reverse approvals whose sale never completed (refund approvals cannot be reversed:
        they are reported for the manager to complete)."""
        now = now or self.clock.now()
        wanted = set(attempt_ids) if attempt_ids is not None else None
        out: list[RecoveryOutcome] = []
        for attempt in self.attempts.in_states([S.APPROVED]):
            if wanted is not None and attempt.id not in wanted:
                continue
            if wanted is None and attempt.started_at > now - timedelta(seconds=min_age_s):
                continue
            if attempt.kind != "sale":
                out.append(
                    _outcome(
                        attempt,
                        attempt.state,
                        "needs_decision",
                        "refund paid out but its return was not recorded: record the return",
                    )
                )
                continue
            port = self.ports.get(attempt.tender)
            if port is None:
                out.append(_outcome(attempt, attempt.state, "void_failed", "no port configured"))
                continue
            result = port.cancel(attempt)
            if result.status is P.CLOSED:
                done = self._save(attempt, S.REVERSED, result, error="voided: sale never completed")
                out.append(_outcome(done, S.APPROVED, "reversed", "sale never completed"))
            else:
                out.append(
                    _outcome(
                        attempt,
                        attempt.state,
                        "void_failed",
                        result.message or result.code or "reversal not confirmed",
                    )
                )
        return out


def _outcome(
    a: PaymentAttempt, before: AttemptState | str, action: str, message: str
) -> RecoveryOutcome:
    return RecoveryOutcome(
        a.id, a.kind, a.tender, a.amount_fen, a.sale_id, str(before), str(a.state), action, message
    )


def _trade_no(now: datetime, unique: str) -> str:
    """Our order number at the provider: 32 characters at most, letters and digits."""
    return "GT" + now.strftime("%Y%m%d%H%M%S") + unique[:16]


def _zh(tender: str) -> str:
    return {
        "card": "银行卡",
        "wechat": "微信支付",
        "alipay": "支付宝",
        "unionpay": "云闪付",
        "ecny": "数字人民币",
    }.get(tender, tender)


_AGGREGATOR = (
    "guitai payments configure aggregator --url URL --vendor-sn … --vendor-key … "
    "--code ACTIVATION_CODE"
)
# The command that sets each tender up (README, "Payments").
_SET_UP = {
    "card": "guitai devices add T1 --kind terminal --uri zvt+tcp://HOST:20007",
    "wechat": "guitai payments configure wechat --url URL --appid … --mch-id … --key …",
    "alipay": "guitai payments configure alipay --url URL --app-id … --private-key-file F "
    "--alipay-public-key-file F",
    # UnionPay QR and digital RMB codes are taken only through an aggregator acquirer.
    "unionpay": _AGGREGATOR,
    "ecny": _AGGREGATOR,
}
