"""The attempt state machine, payment-code rules, and the repository's atomic attach."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.repositories.payments import SqlitePaymentAttempts, SqlitePaymentProviders
from pos_app.domain.errors import InvalidInput, StateError
from pos_app.domain.payments import (
    TRANSITIONS,
    AttemptState,
    PaymentAttempt,
    check_payment_code,
    mask_code,
    tender_for_code,
)

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
S = AttemptState


def _attempt(state: S = S.STARTED, **kw: object) -> PaymentAttempt:
    base = dict(
        id="a1",
        kind="sale",
        tender="wechat",
        amount_fen=100,
        state=state,
        provider="wechat",
        out_trade_no="GT1",
        started_at=T0,
        updated_at=T0,
    )
    base.update(kw)
    return PaymentAttempt(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("src", list(S))
@pytest.mark.parametrize("dst", list(S))
def test_transitions(src: S, dst: S) -> None:
    a = _attempt(src)
    if dst in TRANSITIONS[src]:
        assert a.moved(dst, T0).state is dst
    else:
        with pytest.raises(StateError):
            a.moved(dst, T0)


def test_final_states_are_final_and_approval_never_goes_back() -> None:
    for final in (S.DECLINED, S.REVERSED, S.ATTACHED):
        assert TRANSITIONS[final] == frozenset()
    assert S.DECLINED not in TRANSITIONS[S.APPROVED]
    assert S.STARTED not in TRANSITIONS[S.UNKNOWN]


def test_payment_codes() -> None:
    assert tender_for_code("134567890123456789") == "wechat"
    assert tender_for_code("281234567890123456") == "alipay"
    assert tender_for_code("991234567890123456") is None
    with pytest.raises(InvalidInput) as err:
        check_payment_code("wechat", "1345678")
    assert "微信" in err.value.message_zh
    assert mask_code("134567890123456789") == "**************6789"


def test_repository_attach_is_atomic_with_the_callers_transaction(tmp_path: Path) -> None:
    db = open_database(tmp_path / "till.db")
    try:
        repo = SqlitePaymentAttempts(db.conn)
        repo.insert(_attempt(slip=("SALE", "APPROVED")))
        repo.update(repo.get("a1").moved(S.APPROVED, T0, provider_ref="42"))  # type: ignore[union-attr]
        db.conn.execute("BEGIN IMMEDIATE")
        repo.attach("a1", "S1", T0)
        db.conn.execute("ROLLBACK")  # the sale failed to commit
        assert repo.get("a1").state is S.APPROVED  # type: ignore[union-attr]
        repo.attach("a1", "S1", T0)
        got = repo.get("a1")
        assert got is not None and got.state is S.ATTACHED and got.sale_id == "S1"
        assert got.slip == ("SALE", "APPROVED")
        with pytest.raises(StateError):
            repo.attach("a1", "S2", T0)
        assert repo.claimed_refs("wechat", "other") == {"42"}
        assert repo.claimed_refs("wechat", "a1") == set()
        with pytest.raises(Exception):  # noqa: B017 - the CHECK constraint refuses 0 fen
            repo.insert(_attempt(id="a2", out_trade_no="GT2", amount_fen=0))
        providers = SqlitePaymentProviders(db.conn)
        providers.put("wechat", "http://127.0.0.1:1", {"key": "k"}, T0)
        providers.put("wechat", "http://127.0.0.1:2", {"key": "k2"}, T0)
        assert providers.get("wechat") == ("http://127.0.0.1:2", {"key": "k2"})
    finally:
        db.close()


def test_migration_from_an_0001_database(tmp_path: Path) -> None:
    """A till database from before payments (0001 only) gets the tables when opened."""
    path = tmp_path / "old.db"
    db = open_database(path)
    db.conn.execute("DROP TABLE payment_attempts")
    db.conn.execute("DROP TABLE payment_providers")
    db.conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0003_payments'")
    db.close()
    db = open_database(path)
    try:
        tables = {
            r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert {"payment_attempts", "payment_providers"} <= tables
    finally:
        db.close()
