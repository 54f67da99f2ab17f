"""`guitai cloud …` admin commands on both backends, `cloud serve` as a real process, the
OpenAPI document, and a pull that resumes after an interruption."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import paths
import pytest
from sync_testkit import enroll_request, enroll_settings, make_till_home

from pos_app.adapters.db.relay_ports import RelayChangeSink
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.sync_link import build_relay
from pos_app.cli import main

ROOT = paths.ROOT


def cli(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def db_args(url: str) -> list[str]:
    return ["--database-url", url] if url.startswith("postgresql") else ["--db", url]


def test_admin_commands_publish_changes(tmp_path: Path, cloud_db_url: str, capsys) -> None:
    db = db_args(cloud_db_url)
    assert cli(capsys, "cloud", "store", "add", "S001", "--name", "南京西路店", *db)[0] == 0
    rc, out, _ = cli(
        capsys, "cloud", "enrollment-code", "--store", "S001", "--ttl", "2h", *db, "--json"
    )
    code = json.loads(out)
    assert rc == 0 and len(code["code"]) == 14 and code["store_id"] == "S001"
    rc, out, _ = cli(capsys, "cloud", "enrollment-code", "--store", "S404", *db)
    assert rc == 2
    csv_file = tmp_path / "catalog.csv"
    csv_file.write_text(
        "style,sku,name,price_fen,member_price_fen,colour,size,barcode\n"
        "QP-1,QP-1-BLK-M,羊毛衫 黑 M,19900,17900,黑,M,6901234567892\n"
        "QP-1,QP-1-BLK-L,羊毛衫 黑 L,19900,,黑,L,\n",
        encoding="utf-8",
    )
    assert cli(capsys, "cloud", "catalog", "import", str(csv_file), *db)[0] == 0
    json_file = tmp_path / "p.json"
    json_file.write_text(
        json.dumps(
            {
                "style": "QP-2",
                "name": "夹克",
                "skus": [{"sku": "QP-2-RED-S", "name": "夹克 红 S", "price_fen": 39900}],
            }
        ),
        encoding="utf-8",
    )
    assert cli(capsys, "cloud", "catalog", "upsert", str(json_file), *db)[0] == 0
    assert cli(capsys, "cloud", "catalog", "price", "QP-2-RED-S", "35900", *db)[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("style,sku,name,price_fen\nQP-3,QP-3-X,衫,12.5\n", encoding="utf-8")
    rc, _, err = cli(capsys, "cloud", "catalog", "import", str(bad), *db)
    assert rc == 2 and "line 2" in err
    rc, out, _ = cli(
        capsys, "cloud", "member", "add", "--phone", "13800138000", "--name", "王芳", *db, "--json"
    )
    assert rc == 0 and json.loads(out)["phone"] == "13800138000"
    assert cli(capsys, "cloud", "member", "add", "--phone", "13800138000", *db)[0] == 2
    assert cli(capsys, "cloud", "coupon", "add", "WELCOME20", "--amount-fen", "2000", *db)[0] == 0
    assert cli(capsys, "cloud", "config", "set", "points_per_yuan", "2", *db)[0] == 0

    # a till enrolls and pulls it all, in small pages
    from cloud.db import CloudDB
    from cloud.service import CloudService

    svc = CloudService(CloudDB(cloud_db_url), ereceipt_base_url="HTTP://X/R/")
    paths, od, key = make_till_home(tmp_path / "till")
    answer = svc.enroll(enroll_request(key, code["code"]))
    rc, out, _ = cli(capsys, "cloud", "devices", "list", *db, "--json")
    assert [d["device_id"] for d in json.loads(out)] == [answer["device_id"]]

    from sync_fixtures import Cloud  # loaded as a plugin above

    c = Cloud(cloud_db_url).start()
    try:
        enroll_settings(od.conn, answer, c.url)
        parts = build_relay(paths, od.conn, pull_limit=2)
        try:
            report = parts.relay.pull()
        finally:
            parts.close()
    finally:
        c.stop()
        svc.db.close()
    assert report.error is None and report.pages >= 4
    conn = od.conn
    assert conn.execute(
        "SELECT price_fen, member_price_fen FROM skus WHERE sku='QP-1-BLK-M'"
    ).fetchone() == (19900, 17900)
    assert conn.execute("SELECT price_fen FROM skus WHERE sku='QP-2-RED-S'").fetchone() == (35900,)
    assert conn.execute("SELECT sku FROM barcodes").fetchall() == [("QP-1-BLK-M",)]
    assert conn.execute("SELECT count(*) FROM members").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM coupons").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM device_keys").fetchone() == (1,)
    rc, out, _ = cli(capsys, "cloud", "totals", *db, "--json")
    assert json.loads(out)["events"] == 0


def test_an_interrupted_page_leaves_nothing_half_applied(tmp_path: Path) -> None:
    from pos_app.domain.ports import Change

    _, od, _ = make_till_home(tmp_path / "till")
    sink = RelayChangeSink(SqliteUnitOfWork(od.conn))
    good = Change("price", "upsert", "X", {"price_fen": 1})
    sink.apply_page(
        [
            Change(
                "product",
                "upsert",
                "S1",
                {"name": "衫", "skus": [{"sku": "S1-M", "price_fen": 100}]},
            )
        ],
        "5",
    )
    broken = Change("member", "upsert", "M1", {"name": "no phone"})  # phone is required
    with pytest.raises(KeyError):
        sink.apply_page([Change("price", "upsert", "S1-M", {"price_fen": 90}), broken, good], "9")
    assert sink.cursor() == "5"
    assert od.conn.execute("SELECT price_fen FROM skus").fetchone() == (100,)
    assert not od.conn.in_transaction


def test_cloud_serve_runs_as_a_process(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pos_app.cli",
            "cloud",
            "serve",
            "--db",
            str(tmp_path / "c.db"),
            "--port",
            str(port),
        ],
        env=env | {"GUITAI_WECHAT_TOKEN": "brand-token"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = httpx.get(url + "/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert resp.status_code == 200 and resp.headers["date"]
        assert len(resp.headers.get_list("date")) == 1
        doc = resp.json()
        assert doc["openapi"] == "3.1.0"
        for path in (
            "/v1/devices/enroll",
            "/v1/events",
            "/v1/changes",
            "/v1/members",
            "/v1/stored-value/debits",
            "/v1/stored-value/credits",
            "/v1/receipts/{token}",
            "/r/{token}",
            "/openapi.json",
        ):
            assert path in doc["paths"], path
        enroll = httpx.post(url + "/v1/devices/enroll", content=b"not json")
        assert enroll.status_code == 400 and enroll.json()["error"]["code"] == "bad_json"
        assert enroll.headers["date"]
        # the official account's server URL answers WeChat's handshake with the token given
        from cloud.wechat_push import push_signature

        ts, nonce = str(int(time.time())), "n0nce"
        q = {
            "signature": push_signature("brand-token", ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "echostr": "e123",
        }
        hand = httpx.get(url + "/wechat/push", params=q)
        assert hand.status_code == 200 and hand.text == "e123"
        bad = httpx.get(url + "/wechat/push", params=q | {"signature": "0" * 40})
        assert bad.status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        assert proc.stderr is not None
        proc.stderr.close()


def test_wechat_scene_is_made_once_per_store_and_associate(tmp_path: Path, capsys) -> None:
    db = ["--db", str(tmp_path / "cloud.db")]
    assert cli(capsys, "cloud", "store", "add", "S001", "--name", "南京西路店", *db)[0] == 0
    rc, out, _ = cli(capsys, "cloud", "wechat-scene", "--store", "S001", *db, "--json")
    store_scene = json.loads(out)
    assert rc == 0 and store_scene["scene"].startswith("s.")
    body = store_scene["qrcode_create"]
    assert body["action_name"] == "QR_LIMIT_STR_SCENE"
    assert body["action_info"]["scene"]["scene_str"] == store_scene["scene"]
    args = ["cloud", "wechat-scene", "--store", "S001", "--associate", "小李", *db, "--json"]
    first = json.loads(cli(capsys, *args)[1])
    again = json.loads(cli(capsys, *args)[1])
    assert first["scene"] == again["scene"] != store_scene["scene"]
    rc, _, err = cli(capsys, "cloud", "wechat-scene", "--store", "S404", *db)
    assert rc == 2 and "S404" in err
