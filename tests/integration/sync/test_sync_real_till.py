"""The real till (guitai init / shift / sale / return, the lead's foundation) against the
cloud: the catalog arrives by pull, the sales and refund go up by push, the totals match.
Skipped until the foundation's commands are on the branch."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from pos_app.cli import main

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pos_app.cli.setup_cmds") is None
    or importlib.util.find_spec("pos_app.cli.sale_cmds") is None,
    reason="needs the foundation's `guitai init` and `guitai sale` (pos_app.cli.setup_cmds)",
)


def run(capsys, *args: str) -> dict:
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr().out
    assert rc == 0, out
    return json.loads(out) if "--json" in args else {}


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_real_till_sells_and_syncs(tmp_path: Path, cloud, capsys, monkeypatch) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    svc.admin.upsert_product(
        {
            "style": "QP-1",
            "name": "羊毛衫",
            "skus": [
                {
                    "sku": "QP-1-BLK-M",
                    "name": "羊毛衫 黑 M",
                    "price_fen": 19900,
                    "barcodes": ["6901234567892"],
                },
                {"sku": "QP-1-BLK-L", "name": "羊毛衫 黑 L", "price_fen": 29900},
            ],
        }
    )
    home = ["--home", str(tmp_path / "till")]
    run(
        capsys,
        *home,
        "init",
        "--store-id",
        "S001",
        "--store-name",
        "南京西路店",
        "--till-no",
        "1",
        "--admin-pin",
        "7391",
        "--json",
    )
    run(
        capsys,
        *home,
        "enroll",
        "--cloud",
        cloud.url,
        "--code",
        svc.admin.enrollment_code("S001")["code"],
        "--json",
    )
    assert run(capsys, *home, "sync", "run", "--json")["pull"]["changes"] >= 2
    run(capsys, *home, "shift", "open", "--user", "admin", "--float", "500.00", "--json")
    run(
        capsys,
        *home,
        "sale",
        "--user",
        "admin",
        "--scan",
        "6901234567892",
        "--scan",
        "QP-1-BLK-L",
        "--pay",
        "cash:500.00",
        "--json",
    )
    run(
        capsys,
        *home,
        "sale",
        "--user",
        "admin",
        "--scan",
        "QP-1-BLK-L",
        "--pay",
        "cash:300.00",
        "--json",
    )
    run(
        capsys,
        *home,
        "return",
        "--user",
        "admin",
        "--receipt",
        "1",
        "--line",
        "1=1",
        "--reason",
        "尺码不合适",
        "--json",
    )
    result = run(capsys, *home, "sync", "run", "--json")
    assert result["push"]["rejected"] == 0 and result["status"]["pending"] == 0
    assert result["status"]["dead_letters"] == []
    totals = svc.admin.totals()
    assert totals["sales_and_refunds"] == 3
    assert totals["total_fen"] == 19900 + 29900 + 29900 - 19900
