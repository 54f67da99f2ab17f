"""End to end at the service level: charges and refunds with each tender against the emulators
(real TCP and HTTP servers on 127.0.0.1), with the attempt rows checked in the SQLite file."""

from __future__ import annotations

import pytest
from payments_rig import Rig, alipay_code, card_amount, wechat_code

from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.domain.errors import InvalidInput, StateError
from pos_app.domain.payments import PaymentDeclined, PaymentUnavailable, PaymentUnknown


def _state(rig: Rig, attempt_id: str) -> str:
    row = rig.opened.conn.execute(
        "SELECT state FROM payment_attempts WHERE id = ?", (attempt_id,)
    ).fetchone()
    return row[0]


def _code(tender: str, suffix: str = "00", n: int = 0) -> str | None:
    return {"wechat": wechat_code(suffix, n), "alipay": alipay_code(suffix, n)}.get(tender)


def _amount(tender: str, yuan: int, suffix: str = "00") -> int:
    return card_amount(yuan, suffix) if tender == "card" else yuan * 100 + 5


@pytest.mark.parametrize("tender", ["card", "wechat", "alipay"])
def test_charge_attach_and_refund_each_tender(rig: Rig, tender: str) -> None:
    svc = rig.service()
    texts: list[str] = []
    amount = _amount(tender, 88)
    paid = svc.charge("S1", tender, amount, _code(tender), on_text=lambda en, zh: texts.append(zh))
    assert paid.amount_fen == amount and paid.provider_ref
    assert _state(rig, paid.attempt_id) == "approved"
    if tender == "card":
        assert texts[:2] == ["请插卡", "请输入密码"]
        assert paid.masked_pan and "*" in paid.masked_pan and len(paid.masked_pan) == 16
        assert paid.auth_code and paid.terminal_ref and any("APPROVED" in s for s in paid.slip)
    else:
        assert paid.auth_code and paid.auth_code.startswith("*")
    # the sale's commit attaches it atomically (here: a transaction like the sale service's)
    conn = rig.opened.conn
    with SqliteUnitOfWork(conn) as uow:  # the sale's unit of work
        svc.attach(paid.attempt_id, "S1")
        uow.commit()
    assert _state(rig, paid.attempt_id) == "attached"
    with pytest.raises(StateError):
        svc.attach(paid.attempt_id, "S2")  # never attached twice
    back = svc.refund(paid.attempt_id, 500, refund_id="R1")
    assert back.amount_fen == 500
    svc.attach(back.attempt_id, "R1")
    with pytest.raises(InvalidInput):
        svc.refund(paid.attempt_id, amount)  # more than is left
    if tender == "wechat":
        assert rig.wechat.paid_total() == amount - 500
    if tender == "alipay":
        assert rig.alipay.paid_total() == amount - 500
    if tender == "card":
        kinds = [(t.kind, t.amount_fen) for t in rig.zvt.ledger]
        assert kinds == [("sale", amount), ("refund", 500)]


@pytest.mark.parametrize("tender", ["card", "wechat", "alipay"])
@pytest.mark.parametrize("suffix", ["91", "92"])
def test_decline_and_insufficient_funds(rig: Rig, tender: str, suffix: str) -> None:
    svc = rig.service()
    with pytest.raises(PaymentDeclined) as err:
        svc.charge(
            "S1",
            tender,
            _amount(tender, 10, suffix) if tender == "card" else 1000,
            _code(tender, suffix),
        )
    assert _state(rig, err.value.attempt_id) == "declined"
    assert err.value.message_zh != err.value.message


@pytest.mark.parametrize("tender", ["card", "wechat", "alipay"])
def test_user_paying_then_approved(rig: Rig, tender: str) -> None:
    svc = rig.service(give_up_after_s=3)
    paid = svc.charge(
        "S1", tender, _amount(tender, 12, "93") if tender == "card" else 1200, _code(tender, "93")
    )
    assert _state(rig, paid.attempt_id) == "approved"
    if tender != "card":
        emu = rig.wechat if tender == "wechat" else rig.alipay
        assert "query" in emu.calls and "reverse" not in emu.calls


@pytest.mark.parametrize("tender", ["wechat", "alipay"])
def test_user_never_pays_is_queried_then_reversed(rig: Rig, tender: str) -> None:
    svc = rig.service(give_up_after_s=0.3)
    with pytest.raises(PaymentDeclined) as err:
        svc.charge("S1", tender, 1200, _code(tender, "97"))
    assert _state(rig, err.value.attempt_id) == "reversed"
    emu = rig.wechat if tender == "wechat" else rig.alipay
    assert emu.calls[0] == "pay" and emu.calls[-1] == "reverse" and "query" in emu.calls
    assert emu.paid_total() == 0


def test_card_user_paying_forever_is_aborted_by_the_terminal(rig: Rig) -> None:
    rig.zvt.config.forever_limit = 0.2
    svc = rig.service()
    with pytest.raises(PaymentDeclined):
        svc.charge("S1", "card", card_amount(5, "97"))


@pytest.mark.parametrize("tender", ["card", "wechat", "alipay"])
def test_link_down_is_refused_at_once_and_nothing_written(rig: Rig, tender: str) -> None:
    svc = rig.service()
    {"card": rig.zvt, "wechat": rig.wechat, "alipay": rig.alipay}[tender].stop()
    with pytest.raises(PaymentUnavailable) as err:
        svc.charge("S1", tender, 1000, _code(tender))
    assert "cash" in err.value.message
    assert rig.opened.conn.execute("SELECT COUNT(*) FROM payment_attempts").fetchone()[0] == 0


@pytest.mark.parametrize("tender", ["wechat", "alipay"])
def test_bad_payment_code_is_refused_before_any_call(rig: Rig, tender: str) -> None:
    svc = rig.service()
    with pytest.raises(InvalidInput):
        svc.charge("S1", tender, 1000, "12345")
    assert rig.opened.conn.execute("SELECT COUNT(*) FROM payment_attempts").fetchone()[0] == 0


def test_drop_after_approval_is_recovered_during_the_charge(rig: Rig) -> None:
    svc = rig.service()
    for tender in ("card", "wechat", "alipay"):
        paid = svc.charge(
            "S1", tender, card_amount(7, "96") if tender == "card" else 700, _code(tender, "96")
        )
        assert _state(rig, paid.attempt_id) == "approved"


def test_card_no_answer_is_resolved_by_repeat_receipt(rig: Rig) -> None:
    svc = rig.service()
    with pytest.raises(PaymentDeclined) as err:
        svc.charge("S1", "card", card_amount(9, "95"))
    assert _state(rig, err.value.attempt_id) == "declined"
    assert rig.zvt.commands[-1] == "repeat_receipt"  # asked the terminal, did not guess
    assert rig.zvt.ledger == []


def test_card_unknown_stays_unknown_until_recover(rig: Rig) -> None:
    from drivers.common.scenarios import Behaviour

    rig.zvt.config.faults["repeat_receipt"] = Behaviour.NO_ANSWER
    svc = rig.service(give_up_after_s=0.1)
    with pytest.raises(PaymentUnknown) as err:
        svc.charge("S1", "card", card_amount(9, "96"))  # charged, then the link drops
    assert "recover" in err.value.message and "NOT" in err.value.message
    attempt_id = err.value.attempt_id
    assert _state(rig, attempt_id) == "unknown"
    rig.zvt.config.faults.clear()
    outcomes = svc.recover()
    assert next(o.action for o in outcomes if o.attempt_id == attempt_id) in (
        "resolved",
        "needs_decision",
    )
    assert _state(rig, attempt_id) == "approved"  # the terminal's last receipt is ours
    svc.recover(void_unattached=True)
    assert _state(rig, attempt_id) == "reversed" and rig.zvt.ledger[-1].reversed


def test_wrong_wechat_key_is_a_clear_decline(rig: Rig) -> None:
    from drivers.wechatpay.driver import WechatPayV2
    from pos_app.adapters.payments.wechatpay import WechatPort

    svc = rig.service()
    good = svc.ports["wechat"]
    bad = WechatPayV2(
        rig.wechat.url, appid=rig.wechat.appid, mch_id="1900000109", key="wrong", timeout=0.5
    )
    svc.ports["wechat"] = WechatPort(
        bad, svc.attempts.get, poll_interval_s=0.02, give_up_after_s=0.3
    )
    with pytest.raises(PaymentDeclined):
        svc.charge("S1", "wechat", 100, wechat_code())
    assert rig.wechat.rejected_signatures == 1
    assert "wrong" not in repr(bad) and "wrong" not in repr(svc.ports["wechat"])
    assert WECHAT_KEY_NOT_IN(repr(good))


def WECHAT_KEY_NOT_IN(text: str) -> bool:
    from payments_rig import WECHAT_KEY

    return WECHAT_KEY not in text


def test_void_unattached_reverses_an_orphan_approval(rig: Rig) -> None:
    svc = rig.service()
    ids = []
    for tender in ("card", "wechat", "alipay"):
        ids.append(
            svc.charge(
                "S9", tender, 1234 if tender != "card" else card_amount(3), _code(tender, "00", 7)
            ).attempt_id
        )
    listed = svc.recover()
    assert {o.attempt_id for o in listed if o.action == "needs_decision"} == set(ids)
    outcomes = svc.recover(void_unattached=True)
    assert {o.attempt_id for o in outcomes if o.action == "reversed"} == set(ids)
    assert all(_state(rig, i) == "reversed" for i in ids)
    assert rig.wechat.paid_total() == 0 and rig.alipay.paid_total() == 0
    assert all(t.reversed for t in rig.zvt.ledger)


@pytest.mark.parametrize("tender", ["card", "wechat", "alipay"])
def test_cashier_abort_while_the_customer_is_paying(rig: Rig, tender: str) -> None:
    import threading

    rig.zvt.config.forever_limit = 20
    svc = rig.service(give_up_after_s=20)
    started = threading.Event()
    timer = threading.Timer(0.3, lambda: svc.abort(tender))
    timer.start()
    try:
        with pytest.raises(PaymentDeclined) as err:
            svc.charge(
                "S1",
                tender,
                card_amount(4, "97") if tender == "card" else 400,
                _code(tender, "97"),
                on_text=lambda en, zh: started.set(),
            )
    finally:
        timer.cancel()
    assert started.is_set()
    assert _state(rig, err.value.attempt_id) in ("declined", "reversed")
    if tender == "card":
        assert rig.zvt.ledger == []  # the terminal aborted (06 1E 6C), nothing charged
    else:
        emu = rig.wechat if tender == "wechat" else rig.alipay
        assert emu.calls[-1] == "reverse" and emu.paid_total() == 0


def test_credentials_never_in_logs_or_repr(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from payments_rig import WECHAT_KEY

    caplog.set_level(logging.DEBUG)
    svc = rig.service()
    svc.charge("S1", "wechat", 100, wechat_code())
    svc.charge("S2", "alipay", 100, alipay_code())
    with pytest.raises(PaymentDeclined):
        svc.charge("S3", "wechat", 100, wechat_code("91"))
    pem_body = rig.app_key_file.read_text().splitlines()[1]
    texts = [
        caplog.text,
        *(repr(p) for p in svc.ports.values()),
        repr(svc.ports["wechat"].client),
        repr(svc.ports["alipay"].client),
        repr(rig.wechat),
        repr(rig.alipay),
    ]
    for text in texts:
        assert WECHAT_KEY not in text and pem_body not in text
