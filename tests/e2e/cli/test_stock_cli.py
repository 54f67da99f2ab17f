"""The `guitai stock` and `guitai cloud-stock` commands as a person types them."""

from __future__ import annotations

from pathlib import Path

from stock_testkit import cli, new_till

SKU = "QP-2026-0001-BLU-L"


def test_count_send_and_reports_from_the_command_line(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GUITAI_PIN", "7391")
    h = new_till(capsys, tmp_path / "till", skus=40)
    assert (
        cli(capsys, *h, "stock", "count", "start", "--user", "admin", "--note", "季末", "--json")[
            "count_id"
        ]
        == 1
    )
    scans = cli(
        capsys, *h, "stock", "count", "scan", SKU, f"{SKU}=2", "QP-2026-0001-BLU-M", "--json"
    )
    assert [s["counted"] for s in scans] == [1, 3, 1]
    text = cli(capsys, *h, "stock", "count", "status")
    assert "QP-2026-0001-BLU-L" in text and "+3" in text
    done = cli(capsys, *h, "stock", "count", "finish", "--user", "admin", "--json")
    assert done["posted"] is True and done["difference_units"] == 4
    # a bad quantity is refused with a bilingual error and writes nothing
    err = cli(capsys, *h, "stock", "count", "scan", SKU, "--json", rc=2)
    assert err["error"]["code"] and "stock count start" in err["error"]["message"]
    err = cli(
        capsys,
        *h,
        "stock",
        "send",
        "--to",
        "S002",
        "--scan",
        SKU,
        "--qty",
        "OTHER=2",
        "--user",
        "admin",
        "--json",
        rc=2,
    )
    assert "OTHER" in err["error"]["message"]
    sent = cli(
        capsys,
        *h,
        "stock",
        "send",
        "--to",
        "S002",
        "--scan",
        f"{SKU}=2",
        "--user",
        "admin",
        "--json",
    )
    assert sent["units"] == 2 and sent["doc"].startswith("TS001-S002-")
    grid = cli(capsys, *h, "stock", "show", "QP-2026-0001", "--local", "--json")
    assert grid["total"] == 2
    value = cli(capsys, *h, "stock", "report", "value", "--json")
    assert value["units"] == 2
    cli(
        capsys,
        *h,
        "sale",
        "--user",
        "admin",
        "--scan",
        SKU,
        "--qty",
        f"{SKU}=2",
        "--pay",
        "cash:1000",
        "--json",
    )
    neg = cli(capsys, *h, "stock", "report", "negative", "--json")
    assert [s["sku"] for s in neg["skus"]] == [SKU] and neg["skus"][0]["on_hand"] == -1
    slow = cli(capsys, *h, "stock", "report", "slow", "--days", "30", "--json")
    assert [s["sku"] for s in slow["skus"]] == ["QP-2026-0001-BLU-M"]
    moves = cli(capsys, *h, "stock", "moves", SKU, "--json")
    assert [m["reason"] for m in moves] == ["sale", "transfer_out", "count"]
    z = cli(capsys, *h, "shift", "close", "--user", "admin", "--counted", "500.00", "--json")
    assert z["stock_adjustments"]["by_reason"]["transfer_out"]["units"] == -2
    below = z["stock_adjustments"]["sold_below_zero"]
    assert [(b["sku"], b["on_hand_after"]) for b in below] == [(SKU, -1)]
    err = cli(capsys, *h, "stock", "receive", "start", "D-1", "--user", "admin", "--json", rc=2)
    assert "sync run" in err["error"]["message"]


def test_cloud_stock_admin_commands(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = ["--db", str(tmp_path / "cloud.db")]
    cli(capsys, "cloud", "store", "add", "S001", "--name", "静安店", *db)
    csv_file = tmp_path / "start.csv"
    csv_file.write_text("sku,qty,style\nA-BLK-M,5,A\nA-BLK-L,2,A\n", encoding="utf-8")
    r = cli(
        capsys, "cloud-stock", "set", "S001", "--file", str(csv_file), "A-BLK-S=1", *db, "--json"
    )
    assert r == {"A-BLK-M": 5, "A-BLK-L": 2, "A-BLK-S": 1}
    cli(capsys, "cloud-stock", "locate", "S001", "--lat", "31.2", "--lon", "121.4", *db)
    d = cli(capsys, "cloud-stock", "deliver", "S001", "--doc", "D-9", "A-BLK-M=6", *db, "--json")
    assert d["lines"] == [{"sku": "A-BLK-M", "qty": 6}]
    cli(capsys, "cloud-stock", "deliver", "S001", "--doc", "D-9", "A-BLK-M=6", *db, rc=2)
    docs = cli(capsys, "cloud-stock", "docs", *db, "--json")
    assert docs[0]["state"] == "announced"
    g = cli(capsys, "cloud-stock", "show", "A", "--from-store", "S001", *db, "--json")
    # A-BLK-S came without a style (not in the cloud's catalog): not part of any grid yet
    assert g["stores"][0]["skus"] == {"A-BLK-L": 2, "A-BLK-M": 5}
    cli(capsys, "cloud-stock", "set", "S001", "A-BLK-S=1", "--style", "A", *db)
    g = cli(capsys, "cloud-stock", "show", "A", *db, "--json")
    assert g["stores"][0]["skus"]["A-BLK-S"] == 1
    cli(capsys, "cloud-stock", "set", "S404", "A-BLK-M=1", *db, rc=2)
    cli(capsys, "cloud-stock", "set", "S001", "A-BLK-M=x", *db, rc=2)
