"""Fixtures of the member flows at the till's screen: a shop with two members, a coupon and
a promotion (as the cloud's pull leaves them), and the reference cloud on loopback with the
till enrolled.  Test modules load it with `pytest_plugins = ["members_ui_fixtures"]`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from members_ui_kit import PHONE_A, PHONE_B, cli


@pytest.fixture
def shop(till_home: Path) -> Iterator[dict[str, str]]:
    """Two members (王女士 with points, stored value and a coupon; 李先生), a member price
    on the jacket and a spend-save promotion, as the cloud's pull would leave them."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    month = datetime.now(ZoneInfo("Asia/Shanghai")).month
    cli(
        till_home,
        "member",
        "enroll",
        *("--phone", PHONE_A, "--name", "王女士", "--tags", "修身"),
        *("--birthday", f"1990-{month:02d}-01"),
    )
    cli(till_home, "member", "enroll", "--phone", PHONE_B, "--name", "李先生")
    conn = sqlite3.connect(till_home / "till.db")
    ids = dict(conn.execute("SELECT phone, id FROM members").fetchall())
    with conn:
        conn.execute(
            "UPDATE members SET points = 2000, stored_value_fen = 50000, tier = 'core' "
            "WHERE phone = ?",
            (PHONE_A,),
        )
        conn.execute("UPDATE skus SET member_price_fen = 119900 WHERE sku = 'JK1001-BK-L'")
        conn.execute(
            "INSERT INTO settings(key, value) VALUES ('loyalty_rules', ?)",
            (json.dumps({"offline_sv_per_card_fen": 30000}),),
        )
        coupon = {
            "kind": "cash",
            "name": "满200减30券",
            "amount_fen": 3000,
            "threshold_fen": 20000,
            "member_id": ids[PHONE_A],
        }
        promo = {
            "id": "P-MJ",
            "name": "满1000减100",
            "kind": "spend_save",
            "threshold_fen": 100000,
            "off_fen": 10000,
            "repeat": False,
        }
        for table, key, data in (("coupons", "C30", coupon), ("promotions", "P-MJ", promo)):
            col = "code" if table == "coupons" else "id"
            conn.execute(
                f"INSERT INTO {table}({col}, data, updated_at) VALUES (?, ?, ?)",
                (key, json.dumps(data, ensure_ascii=False), "2026-11-25T00:00:00Z"),
            )
    conn.close()
    yield {"a": ids[PHONE_A], "b": ids[PHONE_B]}


@pytest.fixture
def cloud(till_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The reference cloud on loopback, the till enrolled with it, a member with ¥300 stored
    value and a ¥50 coupon published by the cloud."""
    from cloud.app import create_app
    from cloud.db import CloudDB
    from cloud.ereceipt import CloudConfig
    from cloud.server import ThreadedServer
    from cloud.service import CloudService

    monkeypatch.setenv("GUITAI_PIN", "9472")  # the till's admin
    db = CloudDB(str(till_home.parent / "cloud.db"))
    svc = CloudService(db, ereceipt_base_url="")
    server = ThreadedServer(create_app(svc, config=CloudConfig(brand_name="青衫"))).start()
    try:
        svc.admin.add_store("S001", "静安嘉里中心店")
        cli(
            till_home,
            "enroll",
            "--cloud",
            server.url,
            "--code",
            svc.admin.enrollment_code("S001")["code"],
        )
        svc.admin.add_member(PHONE_A, "王女士")
        svc.admin.add_coupon(
            "VIP50", {"kind": "cash", "name": "50元券", "amount_fen": 5000, "threshold_fen": 10000}
        )
        cli(till_home, "sync", "run")
        cli(till_home, "member", "topup", PHONE_A, "300.00", "--user", "admin")
        yield svc, db
    finally:
        server.stop()
        db.close()
