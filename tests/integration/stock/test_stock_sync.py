"""Two tills of one store selling the same SKU offline converge in the cloud and on both
tills after sync; a transfer sent by one store is received by another through the cloud; the
grid shows other stores nearest first.  The reference cloud runs on loopback."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paths
import pytest
from stock_testkit import cli, new_till

from cloud.app import create_app
from cloud.db import CloudDB
from cloud.server import ThreadedServer
from cloud.service import CloudService
from cloud.stock import CloudStock

STYLE, SKU = "QP-2026-0001", "QP-2026-0001-BLU-L"


def _sync_fixtures() -> Any:
    """The sync tests' throwaway PostgreSQL cluster helper (one per test process)."""
    mod = sys.modules.get("sync_fixtures")
    if mod is None:
        path = paths.SUPPORT / "sync_fixtures.py"
        spec = importlib.util.spec_from_file_location("sync_fixtures", path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules["sync_fixtures"] = mod
        spec.loader.exec_module(mod)
    return mod


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cloud(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[CloudService, str, ThreadedServer]]:
    if request.param == "sqlite":
        url = str(tmp_path / "cloud.db")
    else:
        kit = _sync_fixtures()
        url = kit.fresh_pg_database(kit._Cluster.get())
    db = CloudDB(url)
    svc = CloudService(db, ereceipt_base_url="")
    server = ThreadedServer(create_app(svc)).start()
    try:
        yield svc, server.url, server
    finally:
        server.stop()
        db.close()


def enrolled(
    capsys: Any, home: Path, svc: CloudService, url: str, store: str, no: int
) -> list[str]:
    h = new_till(capsys, home, store, no, skus=40)
    code = svc.admin.enrollment_code(store)["code"]
    cli(capsys, *h, "enroll", "--cloud", url, "--code", code, "--json")
    return h


def sync(capsys: Any, h: list[str]) -> dict[str, Any]:
    r = cli(capsys, *h, "sync", "run", "--json")
    assert r["status"]["dead_letters"] == [], r
    return r


def on_hand(capsys: Any, h: list[str], sku: str = SKU) -> int:
    g = cli(capsys, *h, "stock", "show", sku, "--local", "--json")
    return next(c["on_hand"] for r in g["rows"] for c in r["cells"] if c and c["sku"] == sku)


def test_two_tills_converge_and_transfers_flow(tmp_path: Path, cloud, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GUITAI_PIN", "7391")
    svc, url, server = cloud
    stock = CloudStock(svc)
    for sid, name, lat, lon in [("S001", "静安嘉里店", 31.224, 121.446),
                                ("S002", "南京西路店", 31.229, 121.455),
                                ("S003", "杭州湖滨店", 30.258, 120.163)]:  # fmt: skip
        svc.admin.add_store(sid, name)
        stock.locate(sid, lat, lon)
    t1 = enrolled(capsys, tmp_path / "t1", svc, url, "S001", 1)
    t2 = enrolled(capsys, tmp_path / "t2", svc, url, "S001", 2)
    t3 = enrolled(capsys, tmp_path / "t3", svc, url, "S002", 1)
    stock.set_quantities("S001", {SKU: 10}, {SKU: STYLE})
    stock.set_quantities("S003", {SKU: 4}, {SKU: STYLE})
    for h in (t1, t2):
        sync(capsys, h)
        assert on_hand(capsys, h) == 10

    # offline: both tills sell the same SKU
    cli(
        capsys,
        *t1,
        "sale",
        "--user",
        "admin",
        "--scan",
        SKU,
        "--qty",
        f"{SKU}=2",
        "--pay",
        "cash:600",
        "--json",
    )
    cli(
        capsys,
        *t2,
        "sale",
        "--user",
        "admin",
        "--scan",
        SKU,
        "--qty",
        f"{SKU}=3",
        "--pay",
        "cash:800",
        "--json",
    )
    assert (on_hand(capsys, t1), on_hand(capsys, t2)) == (8, 7)

    sync(capsys, t1)
    assert on_hand(capsys, t1) == 8
    sync(capsys, t2)
    assert stock.figure("S001", SKU) == 5
    assert on_hand(capsys, t2) == 5
    sync(capsys, t1)
    assert on_hand(capsys, t1) == 5

    # a sale after the figure stays on top of it until the cloud counts it
    cli(capsys, *t1, "sale", "--user", "admin", "--scan", SKU, "--pay", "cash:1000", "--json")
    assert on_hand(capsys, t1) == 4

    # S001 till 1 sends 3 to S002; S002 receives 2 (one short)
    sent = cli(
        capsys,
        *t1,
        "stock",
        "send",
        "--to",
        "S002",
        "--scan",
        SKU,
        "--qty",
        f"{SKU}=3",
        "--user",
        "admin",
        "--json",
    )
    assert on_hand(capsys, t1) == 1
    sync(capsys, t1)
    sync(capsys, t3)
    docs = cli(capsys, *t3, "stock", "receive", "list", "--json")
    assert [d["doc"] for d in docs] == [sent["doc"]] and docs[0]["from_store"] == "S001"
    cli(capsys, *t3, "stock", "receive", "start", sent["doc"], "--user", "admin", "--json")
    cli(capsys, *t3, "stock", "receive", "scan", sent["doc"], f"{SKU}=2", "--json")
    r = cli(capsys, *t3, "stock", "receive", "finish", sent["doc"], "--user", "admin", "--json")
    assert (r["short_units"], r["over_units"]) == (1, 0)
    sync(capsys, t3)
    assert stock.docs("S002")[0]["state"] == "received"
    assert stock.docs("S002")[0]["report"]["short_units"] == 1
    sync(capsys, t2)
    assert stock.figure("S001", SKU) == 1 and stock.figure("S002", SKU) == 2
    assert on_hand(capsys, t2) == 1 and on_hand(capsys, t3) == 2

    # the grid with other stores, nearest first (S002 is 1 km away, S003 in Hangzhou)
    g = cli(capsys, *t1, "stock", "show", SKU, "--json")
    assert g["other_stores_error"] is None
    assert [s["store_id"] for s in g["other_stores"]] == ["S002", "S003"]
    near = g["other_stores"][0]
    assert near["distance_km"] < 2 and near["total"] == 2
    assert g["other_stores"][1]["total"] == 4 and g["other_stores"][1]["distance_km"] > 150
    text = cli(capsys, *t1, "stock", "show", STYLE)
    assert "S002 南京西路店" in text

    # the cloud down: the till still shows its own grid and says why the rest is missing
    server.stop()
    g = cli(capsys, *t1, "stock", "show", STYLE, "--json")
    assert g["other_stores"] == [] and g["other_stores_error"]
