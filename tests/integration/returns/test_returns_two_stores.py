"""Returns that travel (issue 20, item 2): another store's receipt, online.  Two stores scan
the same e-receipt and refund its one line at once, as two real `guitai return` processes:
the cloud's reservation lets one through and refuses the other before any money moves, on
SQLite and on PostgreSQL.  Offline, another store's genuine receipt is refused with the
reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from members_cloud_rig import ereceipt_url_of
from members_kit import dead_url, run, set_setting, setting
from returns_stores import JKT, cli, open_stores, outcomes, refunds_of
from sync_fixtures import Cloud

from cloud.returns.ledger import left_to_return
from sync.errors import CloudRejected


@pytest.fixture
def stores(cloud: Cloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The seller (S001) and two other stores' tills (S002, S003), enrolled and synced."""
    monkeypatch.setenv("GUITAI_PIN", "7391")
    yield open_stores(cloud, tmp_path)


def test_two_stores_race_to_refund_one_line_and_one_is_refused(
    stores: dict[str, Path], cloud: Cloud
) -> None:
    seller = stores["S001"]
    sale = run(seller, "sale", "--user", "admin", "--scan", JKT, "--pay", "cash:300")
    run(seller, "sync", "run")
    for store in ("S002", "S003"):
        run(stores[store], "sync", "run")  # the seller's key: the receipt verifies offline
    url = ereceipt_url_of(seller, sale["receipt_no"])
    before = {s: run(stores[s], "report", "x")["cash"]["expected_fen"] for s in ("S002", "S003")}

    procs = {
        s: cli(stores[s], "return", "--user", "admin", "--ereceipt", url, "--line", "1=1")
        for s in ("S002", "S003")
    }
    results, won, lost = outcomes(procs)
    assert len(won) == 1 and len(lost) == 1, results
    rc, answer = results[lost[0]]
    assert rc == 2
    # refused by the reservation, or (when the winner's was already held at the loser's
    # lookup) by what the cloud said was left
    message = answer["error"]["message"]
    assert "nothing was refunded" in message or "only 0 of 1" in message, message
    assert answer["error"]["message_zh"]
    assert results[won[0]][1]["total_fen"] == -29900
    # the loser's drawer and journal: untouched
    assert refunds_of(stores[lost[0]]) == []
    assert run(stores[lost[0]], "report", "x")["cash"]["expected_fen"] == before[lost[0]]
    assert len(refunds_of(stores[won[0]])) == 1

    with cloud.db.tx() as tx:
        assert left_to_return(tx, sale["sale_id"])[1] == {"sold": 1, "refunded": 0, "reserved": 1}
    run(stores[won[0]], "sync", "run")  # the refund event commits the reservation
    with cloud.db.tx() as tx:
        assert left_to_return(tx, sale["sale_id"])[1] == {"sold": 1, "refunded": 1, "reserved": 0}
    # the seller's store hears of it: its till refuses the line now
    run(seller, "sync", "run")
    err = run(seller, "return", "--user", "admin", "--receipt", "1", "--line", "1=1", ok=False)
    assert "only 0 of 1" in err["error"]["message"]


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_another_stores_receipt_offline_is_refused_with_the_reason(
    stores: dict[str, Path],
) -> None:
    seller, other = stores["S001"], stores["S002"]
    sale = run(seller, "sale", "--user", "admin", "--scan", JKT, "--pay", "cash:300")
    run(seller, "sync", "run")
    run(other, "sync", "run")
    url = ereceipt_url_of(seller, sale["receipt_no"])
    set_setting(other, "cloud_url", dead_url())
    err = run(other, "return", "--user", "admin", "--ereceipt", url, ok=False)
    assert "needs the cloud" in err["error"]["message"]
    assert "联网" in err["error"]["message_zh"]
    assert refunds_of(other) == []


def client_of(home: Path, cloud: Cloud) -> Any:
    from pos_app.config import Paths
    from sync.client import CloudClient
    from sync.signing import load_private_key

    key = load_private_key(Paths(home).private_key)
    return CloudClient(cloud.url, key=key, device_id=setting(home, "device_id"))


def test_reservations_race_idempotent_and_released(stores: dict[str, Path], cloud: Cloud) -> None:
    """Eight reservations of the last unit at once, from two stores: exactly one is held.
    The same request again answers the same; released, the unit is free for another."""
    seller = stores["S001"]
    sale = run(seller, "sale", "--user", "admin", "--scan", JKT, "--pay", "cash:300")
    run(seller, "sync", "run")
    clients = [client_of(stores["S002"], cloud), client_of(stores["S003"], cloud)]
    ids = [str(uuid.uuid4()) for _ in range(8)]

    def reserve(i: int) -> str:
        try:
            clients[i % 2].reserve_return(ids[i], sale["sale_id"], [(1, 1)])
        except CloudRejected as err:
            return err.error_code
        return "held"

    try:
        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(reserve, range(8)))
        assert sorted(outcomes) == ["held"] + ["not_returnable"] * 7, outcomes
        winner = outcomes.index("held")
        again = clients[winner % 2].reserve_return(ids[winner], sale["sale_id"], [(1, 1)])
        assert again["state"] == "held" and again["lines"] == [{"line_no": 1, "qty": 1}]
        with pytest.raises(CloudRejected) as refused:  # only the reserving till releases
            clients[(winner + 1) % 2].release_return(ids[winner])
        assert refused.value.error_code == "not_yours"
        assert clients[winner % 2].release_return(ids[winner])["released"] is True
        other = str(uuid.uuid4())
        held = clients[(winner + 1) % 2].reserve_return(other, sale["sale_id"], [(1, 1)])
        assert held["state"] == "held"
    finally:
        for c in clients:
            c.close()
