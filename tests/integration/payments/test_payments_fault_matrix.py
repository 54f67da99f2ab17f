"""The fault matrix: every scripted behaviour at the payment step and every step fault (busy, no
answer, connection dropped after the work was done) at each later step of each protocol, each
with the sale committed or with the till dying before the commit.  After the faults clear and
recover runs, the emulators' books must agree with the till: no sale paid twice, no completed
sale without a settled payment, every approval attached to a sale or reversed.

Size: 3 tenders × (8 pay behaviours + 3 steps × 3 faults) × 2 (commit / crash before commit)
= 102 cases.
"""

from __future__ import annotations

import itertools

import pytest
from ledger_check import check, play_case
from payments_rig import Rig, alipay_code, card_amount, wechat_code

from drivers.common.scenarios import SUFFIXES, Behaviour

PAY = list(Behaviour)
SUFFIX = {b: s for s, b in SUFFIXES.items()} | {Behaviour.APPROVE: "00"}
STEPS = {
    # step fault → the payment behaviour that makes the flow reach that step
    "card": {
        "repeat_receipt": Behaviour.DROP_AFTER_APPROVAL,
        "reversal": Behaviour.APPROVE,
        "refund": Behaviour.APPROVE,
    },
    "wechat": {
        "query": Behaviour.USER_PAYING,
        "reverse": Behaviour.USER_PAYING_FOREVER,
        "refund": Behaviour.APPROVE,
    },
    "alipay": {
        "query": Behaviour.USER_PAYING,
        "reverse": Behaviour.USER_PAYING_FOREVER,
        "refund": Behaviour.APPROVE,
    },
}
FAULTS = [Behaviour.BUSY, Behaviour.NO_ANSWER, Behaviour.DROP_AFTER_APPROVAL]

CASES = []
for tender in ("card", "wechat", "alipay"):
    for pay, commit in itertools.product(PAY, (True, False)):
        CASES.append((tender, pay, None, None, commit))
    for (step, pay), fault, commit in itertools.product(
        STEPS[tender].items(), FAULTS, (True, False)
    ):
        CASES.append((tender, pay, step, fault, commit))
assert len(CASES) == 102


def _case_id(c: tuple) -> str:
    tender, pay, step, fault, commit = c
    f = f"{step}={fault.value}" if step else "-"
    return f"{tender}-{pay.value}-{f}-{'commit' if commit else 'crash'}"


def _emulator(rig: Rig, tender: str):
    return {"card": rig.zvt.config, "wechat": rig.wechat, "alipay": rig.alipay}[tender]


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_fault_matrix(rig: Rig, case: tuple) -> None:
    tender, pay, step, fault, commit = case
    rig.zvt.config.forever_limit = 0.3
    if step is not None:
        _emulator(rig, tender).faults[step] = fault
    svc = rig.service()
    conn = rig.opened.conn
    code = {"wechat": wechat_code(SUFFIX[pay], 1), "alipay": alipay_code(SUFFIX[pay], 1)}.get(
        tender
    )
    amount = card_amount(21, SUFFIX[pay]) if tender == "card" else 2105
    sales, returns, needs = play_case(
        svc, conn, tender, amount, code, commit, _emulator(rig, tender).faults.clear
    )
    problems = check(conn, rig, tender, sales, returns, needs)
    assert problems == [], problems
