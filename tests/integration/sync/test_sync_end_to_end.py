"""Till ⇄ cloud over loopback: enrollment, push, pull, online calls, the e-receipt page."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import httpx
import pytest
from sync_testkit import TillWriter, make_till_home, token_for

from pos_app.cli import main
from pos_app.cli.sync_cmds import build_relay
from sync.client import CloudClient
from sync.errors import CloudRejected

PRODUCT = {
    "style": "QP-2026-001",
    "name": "男士羊毛夹克",
    "category": "外套",
    "skus": [
        {
            "sku": "QP-2026-001-BLK-L",
            "name": "男士羊毛夹克 黑 L",
            "colour": "黑",
            "size": "L",
            "price_fen": 29900,
            "member_price_fen": 26900,
            "barcodes": ["6901234567892"],
        }
    ],
}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(list(args))
    return rc, capsys.readouterr().out


def enrolled_till(tmp_path: Path, cloud, capsys, store: str = "S001"):
    cloud.service.admin.add_store(store, "南京西路店")
    code = cloud.service.admin.enrollment_code(store)["code"]
    paths, od, key = make_till_home(tmp_path / "till")
    rc, out = run_cli(
        capsys, "--home", str(paths.home), "enroll", "--cloud", cloud.url, "--code", code, "--json"
    )
    assert rc == 0, out
    return paths, od, key, json.loads(out)


def test_enroll_sync_and_ereceipt(tmp_path: Path, cloud, capsys) -> None:
    svc = cloud.service
    svc.admin.upsert_product(PRODUCT)
    member = svc.admin.add_member("13800138000", "王芳", "gold", 120)
    svc.admin.add_coupon("WELCOME20", {"amount_fen": 2000, "min_spend_fen": 10000})
    svc.admin.set_config("points_per_yuan", 1)
    paths, od, key, answer = enrolled_till(tmp_path, cloud, capsys)
    settings = dict(od.conn.execute("SELECT key, value FROM settings").fetchall())
    assert settings["device_id"] == answer["device_id"].strip()
    assert settings["till_no"] == "1" and settings["store_id"] == "S001"
    assert settings["ereceipt_base_url"] == cloud.url.upper() + "/R/"
    assert settings["cloud_url"] == cloud.url

    writer = TillWriter(od, "S001", 1)
    writer.day(40, refund_every=8)
    rc, out = run_cli(capsys, "--home", str(paths.home), "sync", "run", "--json")
    assert rc == 0, out
    result = json.loads(out)
    assert result["status"]["pending"] == 0
    assert (
        result["push"]["accepted"] == od.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    )
    assert svc.admin.totals()["total_fen"] == writer.total_fen
    assert svc.admin.totals()["sales_and_refunds"] == 45

    # the pull landed in the till's tables, cursor with it
    c = od.conn
    assert c.execute(
        "SELECT price_fen, member_price_fen FROM skus WHERE sku = ?", ("QP-2026-001-BLK-L",)
    ).fetchone() == (29900, 26900)
    assert c.execute("SELECT sku FROM barcodes WHERE code = '6901234567892'").fetchone()
    assert c.execute(
        "SELECT name, tier, points FROM members WHERE phone = '13800138000'"
    ).fetchone() == ("王芳", "gold", 120)
    assert c.execute("SELECT count(*) FROM coupons WHERE code = 'WELCOME20'").fetchone()[0] == 1
    assert json.loads(
        c.execute("SELECT value FROM cloud_config WHERE key = 'points_per_yuan'").fetchone()[0]
    ) == {"value": 1}
    assert (
        c.execute(
            "SELECT key_id FROM device_keys WHERE device_id = ?", (answer["device_id"],)
        ).fetchone()[0]
        == answer["key_id"]
    )

    # a price change is pulled incrementally from the stored cursor
    svc.admin.set_price("QP-2026-001-BLK-L", 25900, 23900)  # below the member price: say which
    rc, out = run_cli(capsys, "--home", str(paths.home), "sync", "run", "--json")
    assert json.loads(out)["pull"]["changes"] == 1
    assert c.execute("SELECT price_fen FROM skus").fetchone()[0] == 25900

    rc, out = run_cli(capsys, "--home", str(paths.home), "sync", "status", "--json")
    status = json.loads(out)
    assert status["pending"] == 0 and status["dead_letters"] == []
    assert status["last_success"] and status["oldest_pending_age_s"] is None
    assert abs(status["clock_offset_s"]) < 5
    assert status["cloud_contiguous_seq"] == writer_count(od)

    devices = svc.admin.devices()
    assert devices[0]["contiguous_seq"] == devices[0]["max_seq"] == writer_count(od)

    # online calls: member lookup, stored value with Idempotency-Key, receipt lookup
    parts = build_relay(paths, od.conn)
    client: CloudClient = parts.client
    try:
        assert client.member_by_phone("13800138000")["id"] == member["id"]
        assert client.member_by_phone("13900000000") is None
        k1 = str(uuid.uuid4())
        credit = client.stored_value("credits", member["id"], 50000, k1, "top-up")
        assert credit["balance_fen"] == 50000
        assert client.stored_value("credits", member["id"], 50000, k1, "top-up") == credit
        with pytest.raises(CloudRejected) as err:
            client.stored_value("credits", member["id"], 1, k1, "other")
        assert err.value.error_code == "idempotency_key_reused"
        k2 = str(uuid.uuid4())
        assert client.stored_value("debits", member["id"], 12000, k2)["balance_fen"] == 38000
        with pytest.raises(CloudRejected) as err:
            client.stored_value("debits", member["id"], 99999, str(uuid.uuid4()))
        assert err.value.status == 409 and err.value.error_code == "insufficient_funds"
        sale = writer.written[0]
        token = token_for(
            key,
            sale["payload"]["receipt_no"],
            1795588200,
            sale["payload"]["total_fen"],
            sale["hash"],
        )
        found = client.receipt(token)
        assert found["verdict"] == "genuine" and found["synced"]
        assert found["payload"]["sale_id"] == sale["payload"]["sale_id"]
    finally:
        parts.close()

    # the e-receipt page: synced, unsynced (token only), altered, unknown till, bad token
    page = httpx.get(f"{cloud.url}/r/{token}")
    assert page.status_code == 200 and "已验证" in page.text
    assert "男士羊毛夹克" in page.text and 'name="viewport"' in page.text
    assert "青衫服饰" in page.text and "http" not in page.text.split("<body>")[1].lower()
    upper = httpx.get(f"{cloud.url.upper()}/R/{token}")
    assert upper.status_code == 200 and "已验证" in upper.text
    unsynced = token_for(key, 999, 1795588200, 12345, "ab" * 32)
    page = httpx.get(f"{cloud.url}/r/{unsynced}")
    assert "明细正在同步中" in page.text and "¥123.45" in page.text and "999" in page.text
    raw = bytearray(token.encode())
    raw[20] = ord("A") if raw[20] != ord("A") else ord("B")
    page = httpx.get(f"{cloud.url}/r/{raw.decode()}")
    assert "已被篡改" in page.text
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = token_for(Ed25519PrivateKey.generate(), 1, 1795588200, 100, "00" * 32)
    assert "未知收银台" in httpx.get(f"{cloud.url}/r/{stranger}").text
    lower = httpx.get(f"{cloud.url}/r/{token.lower()}")  # a link pasted lower-cased
    assert lower.status_code == 200 and "已验证" in lower.text
    junk = httpx.get(f"{cloud.url}/r/{token[:-9]}")
    assert junk.status_code == 404 and "无法识别" in junk.text


def writer_count(od) -> int:
    return int(od.conn.execute("SELECT max(seq) FROM outbox").fetchone()[0])


def test_enrollment_code_reuse_and_expiry(tmp_path: Path, cloud, capsys) -> None:
    from datetime import timedelta

    paths, _od, key, _answer = enrolled_till(tmp_path, cloud, capsys)
    used = cloud.service.admin.enrollment_code("S001")["code"]
    with CloudClient(cloud.url, key=key) as client:
        client.enroll(used, {})
        with pytest.raises(CloudRejected) as err:
            client.enroll(used, {})
        assert (err.value.status, err.value.error_code) == (409, "code_used")
        expired = cloud.service.admin.enrollment_code("S001", timedelta(seconds=0))["code"]
        with pytest.raises(CloudRejected) as err:
            client.enroll(expired, {})
        assert (err.value.status, err.value.error_code) == (410, "code_expired")
        with pytest.raises(CloudRejected) as err:
            client.enroll("AAAA-BBBB-CCCC", {})
        assert err.value.status == 404
    # the CLI shows the refusal, and a till set up for another store refuses a code for S001
    rc, out = run_cli(
        capsys, "--home", str(paths.home), "enroll", "--cloud", cloud.url, "--code", used, "--json"
    )
    assert rc == 2 and "code_used" in out
    cloud.service.admin.add_store("S002", "静安店")
    code2 = cloud.service.admin.enrollment_code("S002")["code"]
    rc, out = run_cli(
        capsys, "--home", str(paths.home), "enroll", "--cloud", cloud.url, "--code", code2, "--json"
    )
    assert rc == 2 and "wrong_store" in out and "S001" in out
    assert (
        sqlite3.connect(paths.database)
        .execute("SELECT value FROM settings WHERE key='store_id'")
        .fetchone()[0]
        == "S001"
    )
    # the same key enrolled again keeps till 1; the earlier device is revoked
    devices = cloud.service.admin.devices()
    assert [(d["store_id"], d["till_no"]) for d in devices] == [("S001", 1), ("S001", 1)]
    assert [d["till_no"] for d in devices if not d["revoked_at"]] == [1]


def test_reenrolling_a_till_keeps_its_number_and_chain(tmp_path: Path, cloud, capsys) -> None:
    paths, od, _key, first = enrolled_till(tmp_path, cloud, capsys)
    writer = TillWriter(od, "S001", 1)
    writer.day(5)
    home = str(paths.home)
    assert run_cli(capsys, "--home", home, "sync", "run", "--json")[0] == 0
    # the same till enrolls again (new code, same key): same till number, the chain goes on
    code = cloud.service.admin.enrollment_code("S001")["code"]
    rc, out = run_cli(
        capsys, "--home", home, "enroll", "--cloud", cloud.url, "--code", code, "--json"
    )
    second = json.loads(out)
    assert rc == 0 and second["till_no"] == 1 and second["device_id"] != first["device_id"]
    writer.day(5)
    od.conn.execute("UPDATE outbox SET state = 'pending' WHERE seq = 2")  # a resend as well
    rc, out = run_cli(capsys, "--home", home, "sync", "run", "--json")
    result = json.loads(out)
    assert rc == 0 and result["push"]["rejected"] == 0 and result["push"]["duplicates"] == 1
    assert cloud.service.admin.totals()["total_fen"] == writer.total_fen
    devices = {d["device_id"]: d for d in cloud.service.admin.devices()}
    assert devices[first["device_id"]]["revoked_at"]
    assert devices[second["device_id"]]["contiguous_seq"] == 10
    # a till set up as till 5 asks for 5; another key asking for 5 is refused
    p2, od2, _key2 = make_till_home(tmp_path / "till5")
    od2.conn.execute("INSERT INTO settings(key, value) VALUES ('till_no', '5')")
    rc, out = run_cli(
        capsys,
        "--home",
        str(p2.home),
        "enroll",
        "--cloud",
        cloud.url,
        "--code",
        cloud.service.admin.enrollment_code("S001")["code"],
        "--json",
    )
    assert rc == 0 and json.loads(out)["till_no"] == 5
    p3, od3, _ = make_till_home(tmp_path / "till5b")
    od3.conn.execute("INSERT INTO settings(key, value) VALUES ('till_no', '5')")
    rc, out = run_cli(
        capsys,
        "--home",
        str(p3.home),
        "enroll",
        "--cloud",
        cloud.url,
        "--code",
        cloud.service.admin.enrollment_code("S001")["code"],
        "--json",
    )
    assert rc == 2 and "till_no_taken" in out
