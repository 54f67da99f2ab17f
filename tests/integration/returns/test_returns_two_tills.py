"""Returns that travel (issue 20, item 1): two tills of one store against one served cloud.
Till 2 returns a till 1 sale with the cloud stopped, from the store's records the cloud
published to it; both tills return the same line while offline; after sync the cloud lists
the over-refund for the manager, counts the line back once, and its totals match the tills'
Z reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from members_cloud_rig import Rig, open_rig, run_cloud
from members_kit import run

from cloud.app import create_app
from cloud.ereceipt import CloudConfig
from cloud.returns.ledger import left_to_return
from cloud.server import ThreadedServer

JKT, TEE = "6901234567892", "6901234567908"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


def stop_cloud(rig: Rig) -> int:
    assert rig.server is not None
    port = int(rig.url.rsplit(":", 1)[1])
    rig.server.stop()
    return port


def start_cloud(rig: Rig, port: int) -> None:
    cfg = CloudConfig(brand_name="青衫", account_name="青衫服饰", join_url="")
    rig.server = ThreadedServer(create_app(rig.svc, config=cfg), port=port).start()
    assert rig.server.url == rig.url


def z_total(home: Path) -> int:
    x = run(home, "report", "x")
    counted = str(x["cash"]["expected_fen"] / 100)
    z = run(home, "shift", "close", "--user", "admin", "--counted", counted)
    assert z["net_fen"] == z["sales"]["total_fen"] + z["refunds"]["total_fen"]
    return int(z["net_fen"])


def test_a_sibling_tills_sale_is_returned_offline_and_an_over_refund_is_flagged(
    rig: Rig,
) -> None:
    sale = run(rig.a, "sale", "--user", "admin", "--scan", JKT, "--scan", TEE, "--pay", "cash:500")
    assert sale["receipt_no"] == 1
    rig.sync(rig.a)  # the sale goes up; the cloud publishes it to the store's tills
    rig.sync(rig.b)

    port = stop_cloud(rig)
    back = run(rig.b, "return", "--user", "admin", "--receipt", "1", "--till", "1", "--line", "1=1")
    assert back["total_fen"] == -29900
    assert back["original_receipt_no"] == 1
    # till 2 counts its own refund: the line is gone for it
    err = run(
        rig.b,
        "return",
        "--user",
        "admin",
        "--receipt",
        "1",
        "--till",
        "1",
        "--line",
        "1=1",
        ok=False,
    )
    assert "only 0 of 1" in err["error"]["message"]
    assert err["error"]["message_zh"]
    # till 1, offline too, knows nothing of it and refunds the same line
    again = run(rig.a, "return", "--user", "admin", "--receipt", "1", "--line", "1=1")
    assert again["total_fen"] == -29900

    start_cloud(rig, port)
    rig.sync(rig.b)
    rig.sync(rig.a)
    conflicts = run_cloud(rig, "returns", "conflicts")
    assert [
        (c["till_no"], c["receipt_no"], c["line_no"], c["sold_qty"], c["refunded_qty"])
        for c in conflicts
    ] == [(1, 1, 1, 1, 2)]
    assert conflicts[0]["excess_qty"] == 1
    with rig.db.tx() as tx:  # counted back once, whatever the tills did
        assert left_to_return(tx, sale["sale_id"])[1] == {"sold": 1, "refunded": 1, "reserved": 0}

    # till 2 now has till 1's refund too: the second line is still returnable, the first not
    rig.sync(rig.b)
    err = run(
        rig.b,
        "return",
        "--user",
        "admin",
        "--receipt",
        "1",
        "--till",
        "1",
        "--line",
        "1=1",
        ok=False,
    )
    assert "only 0 of 1" in err["error"]["message"]

    # the money moved at both tills: the cloud's totals are the Z reports'
    for home in (rig.a, rig.b):
        assert rig.svc.admin.totals(rig.device(home))["total_fen"] == z_total(home)
