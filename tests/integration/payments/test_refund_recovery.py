"""A refund whose answer was lost (issue 23, item 3): asked again, it is finished under its own
refund number, never paid out twice; partial and full, through the aggregator acquirer (each
wallet) and WeChat Pay directly, after the recovery job resolved it or before."""

from __future__ import annotations

import pytest
from aggregator_rig import AggregatorRig, agg, code  # noqa: F401 - the fixture
from payments_rig import Rig, rig, wechat_code  # noqa: F401 - the fixture

from drivers.common.scenarios import Behaviour
from pos_app.domain.payments import PaymentUnknown


def _paid(svc: object, tender: str, amount: int, code_: str) -> str:
    paid = svc.charge("SALE-1", tender, amount, code_)  # type: ignore[attr-defined]
    svc.attach(paid.attempt_id, "SALE-1")  # type: ignore[attr-defined]
    return str(paid.attempt_id)


@pytest.mark.parametrize("wallet", ["wechat", "alipay", "unionpay", "ecny"])
@pytest.mark.parametrize("part", [700, 2000], ids=["partial", "full"])
def test_a_lost_refund_asked_again_is_finished_not_sent_twice(
    agg: AggregatorRig, wallet: str, part: int
) -> None:
    svc = agg.service()
    original = _paid(svc, wallet, 2000, code(wallet))
    agg.emu.faults["refund"] = Behaviour.DROP_AFTER_APPROVAL  # paid out, the answer lost
    with pytest.raises(PaymentUnknown):
        svc.refund(original, part, refund_id="RET-1")
    (trade,) = agg.emu.trades.values()
    assert sum(trade.refunds.values()) == part  # the money went back once
    agg.emu.faults.clear()
    # the cashier gives the return again: the same refund is finished, none is sent anew
    back = svc.refund(original, part, refund_id="RET-2")
    assert back.amount_fen == part and len(trade.refunds) == 1
    svc.attach(back.attempt_id, "RET-2")
    if part < 2000:  # the rest can still be refunded, as a refund of its own
        rest = svc.refund(original, 2000 - part, refund_id="RET-3")
        svc.attach(rest.attempt_id, "RET-3")
        assert sorted(trade.refunds.values()) == sorted([part, 2000 - part])


def test_a_refund_resolved_by_the_recovery_job_is_handed_back_without_a_call(
    agg: AggregatorRig,
) -> None:
    svc = agg.service()
    original = _paid(svc, "unionpay", 3000, code("unionpay"))
    agg.emu.faults["refund"] = Behaviour.DROP_AFTER_APPROVAL
    with pytest.raises(PaymentUnknown):
        svc.refund(original, 3000, refund_id="RET-1")
    agg.emu.faults.clear()
    outcomes = svc.recover()
    refunds = [o for o in outcomes if o.kind == "refund" and o.action == "resolved"]
    assert len(refunds) == 1, outcomes
    resolved = refunds[0]
    assert resolved.action == "resolved" and resolved.after == "approved"
    calls = len(agg.emu.calls)
    back = svc.refund(original, 3000, refund_id="RET-2")  # before: "between 0.01 and 0.00"
    assert back.attempt_id == resolved.attempt_id and len(agg.emu.calls) == calls
    svc.attach(back.attempt_id, "RET-2")
    (trade,) = agg.emu.trades.values()
    assert list(trade.refunds.values()) == [3000]
    assert not [o for o in svc.recover() if o.action == "needs_decision"]


def test_a_lost_wechat_refund_taken_directly_is_finished_too(rig: Rig) -> None:
    svc = rig.service()
    original = _paid(svc, "wechat", 1500, wechat_code())
    rig.wechat.faults["refund"] = Behaviour.DROP_AFTER_APPROVAL
    with pytest.raises(PaymentUnknown):
        svc.refund(original, 500, refund_id="RET-1")
    rig.wechat.faults.clear()
    back = svc.refund(original, 500, refund_id="RET-2")
    svc.attach(back.attempt_id, "RET-2")
    (trade,) = rig.wechat.trades.values()
    assert list(trade.refunds.values()) == [500]
