"""The aggregator acquirer (聚合支付, the Upay terminal API) behind the payment service: the
documented signing rule checked by hand, every scripted behaviour and step fault with the sale
committed or the till dying before the commit, routing of each wallet kind, key rotation."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from aggregator_rig import (
    ACTIVATION_CODE,
    VENDOR_KEY,
    VENDOR_SN,
    AggregatorRig,
    agg,  # noqa: F401 - the fixture
    code,
    start_emulator,
)
from ledger_check import check, play_case
from payments_rig import Rig, wechat_code

from drivers.aggregator.driver import UpayClient, activate
from drivers.common.scenarios import SUFFIXES, Behaviour
from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.domain.payments import PaymentDeclined, PaymentError

SUFFIX = {b: s for s, b in SUFFIXES.items()} | {Behaviour.APPROVE: "00"}
STEPS = {
    "query": Behaviour.USER_PAYING,
    "reverse": Behaviour.USER_PAYING_FOREVER,
    "refund": Behaviour.APPROVE,
}
FAULTS = [Behaviour.BUSY, Behaviour.NO_ANSWER, Behaviour.DROP_AFTER_APPROVAL]
CASES = [(pay, None, None, commit) for pay, commit in itertools.product(Behaviour, (True, False))]
CASES += [
    (pay, step, fault, commit)
    for (step, pay), fault, commit in itertools.product(STEPS.items(), FAULTS, (True, False))
]


def _post(url: str, path: str, body: bytes, sn: str, key: str) -> dict:
    """A request built by hand from the documented rule: sign = MD5(body + key), hex, in
    `Authorization: sn sign` — no code of the till's driver involved."""
    sig = hashlib.md5(body + key.encode()).hexdigest()
    answer = httpx.post(
        url + path,
        content=body,
        headers={"Content-Type": "application/json", "Authorization": f"{sn} {sig}"},
    )
    return json.loads(answer.content)


def test_hand_signed_requests_are_accepted_and_a_wrong_key_is_refused(agg: AggregatorRig) -> None:
    url = agg.emu.url
    body = json.dumps({"app_id": "hand", "code": ACTIVATION_CODE, "device_id": "hand-1"}).encode()
    wrong = _post(url, "/terminal/activate", body, VENDOR_SN, VENDOR_KEY[:-1] + "0")
    assert wrong["result_code"] == "400" and wrong["error_code"] == "ILLEGAL_SIGN"
    good = _post(url, "/terminal/activate", body, VENDOR_SN, VENDOR_KEY)
    assert good["result_code"] == "200"
    sn, key = good["biz_response"]["terminal_sn"], good["biz_response"]["terminal_key"]
    pay = json.dumps(
        {
            "terminal_sn": sn,
            "client_sn": "HAND-1",
            "total_amount": "1234",
            "dynamic_id": code("unionpay"),
            "subject": "hand",
            "operator": "t",
        }
    ).encode()
    assert _post(url, "/upay/v2/pay", pay, sn, VENDOR_KEY)["error_code"] == "ILLEGAL_SIGN"
    paid = _post(url, "/upay/v2/pay", pay, sn, key)
    assert paid["biz_response"]["result_code"] == "PAY_SUCCESS"
    assert paid["biz_response"]["data"]["order_status"] == "PAID"
    assert agg.emu.paid_total() == 1234
    assert agg.emu.rejected_signatures == 2


@pytest.mark.parametrize("wallet", ["wechat", "alipay", "unionpay", "ecny"])
def test_each_wallet_is_charged_and_refunded_through_the_acquirer(
    agg: AggregatorRig, wallet: str
) -> None:
    svc = agg.service()
    paid = svc.charge("SALE-1", wallet, 5000, code(wallet))
    assert paid.tender == wallet and paid.provider_ref
    with SqliteUnitOfWork(agg.opened.conn) as uow:
        svc.attach(paid.attempt_id, "SALE-1")
        uow.commit()
    back = svc.refund(paid.attempt_id, 1200, refund_id="RET-1")
    svc.attach(back.attempt_id, "RET-1")
    (trade,) = agg.emu.trades.values()
    assert agg.emu.wallets[trade.out_trade_no] == wallet
    assert agg.emu.paid_total() == 3800
    row = agg.opened.conn.execute(
        "SELECT provider FROM payment_attempts WHERE id = ?", (paid.attempt_id,)
    ).fetchone()
    assert row[0] == "aggregator"


def test_system_error_is_queried_first_then_declined(agg: AggregatorRig) -> None:
    svc = agg.service()
    with pytest.raises(PaymentDeclined):
        svc.charge("SALE-1", "wechat", 2000, code("wechat", "94"))
    assert agg.emu.calls[:2] == ["pay", "query"]
    assert agg.emu.paid_total() == 0


def test_in_progress_until_the_time_limit_is_cancelled(agg: AggregatorRig) -> None:
    svc = agg.service()
    with pytest.raises(PaymentDeclined) as err:
        svc.charge("SALE-1", "alipay", 2000, code("alipay", "97"))
    assert "已撤销" in err.value.message_zh
    assert agg.emu.calls[0] == "pay" and "query" in agg.emu.calls
    assert agg.emu.calls[-1] == "reverse"
    (trade,) = agg.emu.trades.values()
    assert trade.state == "closed" and agg.emu.paid_total() == 0


def test_check_in_rotates_the_terminal_key(agg: AggregatorRig) -> None:
    from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders

    url, settings = SqlitePaymentProviders(agg.opened.conn).get("aggregator") or ("", {})
    client = UpayClient(url, terminal_sn=settings["terminal_sn"], terminal_key=settings["key"])
    new = client.checkin("till-1")
    assert new.terminal_key != settings["key"] and new.terminal_key not in repr(new)
    assert client.query("NONE").code == "UPAY_ORDER_NOT_EXISTS"  # the new key is in use
    old = UpayClient(url, terminal_sn=settings["terminal_sn"], terminal_key=settings["key"])
    assert old.query("NONE").code == "ILLEGAL_SIGN"  # …and the old one is retired


def _case_id(c: tuple) -> str:
    pay, step, fault, commit = c
    f = f"{step}={fault.value}" if step else "-"
    return f"{pay.value}-{f}-{'commit' if commit else 'crash'}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_aggregator_fault_matrix(agg: AggregatorRig, case: tuple) -> None:
    pay, step, fault, commit = case
    if step is not None:
        agg.emu.faults[step] = fault
    svc = agg.service()
    conn = agg.opened.conn
    sales, returns, needs = play_case(
        svc, conn, "wechat", 2105, code("wechat", SUFFIX[pay], 1), commit, agg.emu.faults.clear
    )
    problems = check(conn, SimpleNamespace(wechat=agg.emu), "wechat", sales, returns, needs)
    assert problems == [], problems


def test_payments_taken_before_the_acquirer_stay_with_their_direct_provider(
    tmp_path: Path,
) -> None:
    """A WeChat payment taken directly, then the acquirer is set up: its refund and the
    recovery of a direct payment left unknown go to WeChat Pay, never to the acquirer."""
    rig = Rig(tmp_path)
    emu = start_emulator()
    try:
        svc = rig.service()
        conn = rig.opened.conn
        paid = svc.charge("SALE-1", "wechat", 3000, wechat_code("00", 3))
        with SqliteUnitOfWork(conn) as uow:
            svc.attach(paid.attempt_id, "SALE-1")
            uow.commit()
        rig.wechat.faults.update(query=Behaviour.NO_ANSWER, reverse=Behaviour.NO_ANSWER)
        with pytest.raises(PaymentError):  # charged, but left unknown at the direct provider
            svc.charge("SALE-2", "wechat", 4000, wechat_code("96", 4))
        assert rig.wechat.paid_total() == 7000
        rig.wechat.faults.clear()
        terminal = activate(
            emu.url,
            vendor_sn=VENDOR_SN,
            vendor_key=VENDOR_KEY,
            app_id="t",
            code=ACTIVATION_CODE,
            device_id="till-1",
        )
        SqlitePaymentProviders(conn).put(
            "aggregator",
            emu.url,
            {"terminal_sn": terminal.terminal_sn, "key": terminal.terminal_key},
            datetime.now(UTC),
        )
        svc = rig.service()
        assert svc.ports["wechat"].provider == "aggregator"
        back = svc.refund(paid.attempt_id, 1000, refund_id="RET-1")
        svc.attach(back.attempt_id, "RET-1")
        outcomes = svc.recover(void_unattached=True)
        assert rig.wechat.paid_total() == 2000  # refund and reversal at WeChat Pay
        assert emu.calls == [] and emu.trades == {}  # the acquirer was never asked
        assert {o.action for o in outcomes} == {"resolved", "reversed"}
    finally:
        rig.close()
        emu.stop()
