"""Head office's figures are the sum of the stores' summary rows (issue 22 follow-up): the
ingest keeps no row shared by the whole chain, so two tills of different stores never queue
on one row (it marks the store's day, and the page brings the chain's rows up to date); a cloud whose summaries still hold the chain's rows (migration 0009) loses them
in migration 0013, and its pages show the same figures."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from console_kit import Browser, Till, add_user
from sync_fixtures import Cloud

from cloud.db import CloudDB
from cloud.storage import migrate


def csv_rows(b: Browser, path: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b.get(path).text.lstrip("\ufeff"))))


def test_head_office_sums_every_stores_rows_and_no_row_is_the_chains(cloud: Cloud) -> None:
    a, b2 = Till(cloud, "S001", "南京西路店"), Till(cloud, "S002", "淮海路店")
    s1 = a.sale("2026-11-24T02:10:00Z", tender="wechat")
    a.sale("2026-11-24T03:20:00Z", tender="cash", unit_fen=26000)
    a.refund(s1, "2026-11-24T04:00:00Z")
    b2.sale("2026-11-24T02:05:00Z", tender="wechat", qty=2, unit_fen=12300)
    b2.sale("2026-10-03T02:05:00Z", tender="cash", unit_fen=10000)  # a whole month's row
    with cloud.db.tx() as tx:
        for table in ("console_sales_day", "console_sales_month"):
            stores = {r[0] for r in tx.execute(f"SELECT DISTINCT store_id FROM {table}")}
            assert stores == {"S001", "S002"}, table
    add_user(cloud, "hq", "hq")
    with Browser(cloud.url) as b:
        b.login("hq")
        q = "from=2026-10-01&to=2026-11-30"
        assert csv_rows(b, f"/console/sales.csv?by=tender&{q}")[1:] == [
            ["cash", "2", "0", "0", "36000", "0", "36000", "360.00"],
            ["wechat", "2", "1", "0", "70500", "-45900", "24600", "246.00"],
        ]
        assert csv_rows(b, f"/console/sales.csv?by=day&{q}")[1:] == [
            ["2026-10-03", "1", "0", "1", "10000", "0", "10000", "100.00"],
            ["2026-11-24", "3", "1", "3", "96500", "-45900", "50600", "506.00"],
        ]
        page = b.get(f"/console/sales?{q}&day=2026-11-24").text
        assert "¥606.00" in page  # the period's net: 506 + 100
        with cloud.db.tx() as tx:  # the chain's rows are up to date: no day left marked
            assert tx.execute("SELECT COUNT(*) FROM console_sales_dirty").fetchone()[0] == 0
        b2.sale("2026-11-24T05:00:00Z", tender="cash", unit_fen=1000)  # marks S002's day
        assert csv_rows(b, f"/console/sales.csv?by=day&{q}")[2] == [
            "2026-11-24", "4", "1", "4", "97500", "-45900", "51600", "516.00",
        ]  # fmt: skip


def test_migration_0013_drops_the_chains_rows(tmp_path: Path) -> None:
    url = tmp_path / "cloud.db"
    engine = sa.create_engine(f"sqlite:///{url}", poolclass=sa.pool.NullPool)
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009_console")
        for store in ("", "S001"):
            conn.exec_driver_sql(
                "INSERT INTO console_sales_day(store_id, business_day, dim, key, sales, "
                f"sales_fen) VALUES ('{store}', '2026-11-24', '', '', 1, 100)"
            )
            conn.exec_driver_sql(
                "INSERT INTO console_sales_month(store_id, month, dim, key, sales, sales_fen) "
                f"VALUES ('{store}', '2026-11', '', '', 1, 100)"
            )
    engine.dispose()
    db = CloudDB(str(url))  # migrates to head as the cloud does on start
    try:
        with db.tx() as tx:
            for table in ("console_sales_day", "console_sales_month"):
                assert tx.execute(f"SELECT store_id FROM {table}").fetchall() == [("S001",)]
            indexes = {
                r[0] for r in tx.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            }
        assert {"console_sales_day_dim", "console_sales_month_dim"} <= indexes
        assert "console_sales_day_day" not in indexes
    finally:
        db.close()
