"""The cloud's CRM side against the real served cloud (uvicorn on loopback, SQLite and
PostgreSQL) and the real `guitai` CLI: the e-receipt funnel counts genuine receipts once per
visitor, the chain stock lookup for any style name, rejected events retried after the cause
is fixed, price changes that keep the member price, money in yuan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sync_testkit import TillWriter, make_till_home, token_for

from pos_app.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def db_args(url: str) -> list[str]:
    return ["--database-url", url] if url.startswith("postgresql") else ["--db", url]


def enrolled_till(tmp_path: Path, cloud: Any, capsys: Any) -> tuple[Any, Any, Any, list[str]]:
    cloud.service.admin.add_store("S001", "南京西路店")
    code = cloud.service.admin.enrollment_code("S001")["code"]
    paths, od, key = make_till_home(tmp_path / "till")
    home = ["--home", str(paths.home)]
    rc, out, _ = run_cli(capsys, *home, "enroll", "--cloud", cloud.url, "--code", code, "--json")
    assert rc == 0, out
    return paths, od, key, home


def funnel_of(capsys: Any, cloud_db_url: str) -> dict[Any, Any]:
    rc, out, err = run_cli(capsys, "cloud", "funnel", *db_args(cloud_db_url), "--json")
    assert rc == 0, err
    return {(r["store_id"], r["associate"]): r for r in json.loads(out)}


def test_funnel_counts_genuine_receipts_once_per_visitor(
    tmp_path: Path, cloud: Any, cloud_db_url: str, capsys: Any
) -> None:
    _paths, od, key, home = enrolled_till(tmp_path, cloud, capsys)
    writer = TillWriter(od, "S001", 1)
    sale = writer.sale()
    assert run_cli(capsys, *home, "sync", "run", "--json")[0] == 0
    p = sale["payload"]
    token = token_for(key, p["receipt_no"], 1795588200, p["total_fen"], sale["hash"])
    url = f"{cloud.url}/r/{token}"

    # one customer reloads the page five times and opens it again by the upper-case QR URL
    with httpx.Client(headers={"user-agent": "MicroMessenger/8.0 phone-A"}) as a:
        first = a.get(url)
        assert first.status_code == 200 and "已验证" in first.text
        cookie = first.headers["set-cookie"]
        assert "gt_visitor=" in cookie and "httponly" in cookie.lower()
        for _ in range(4):
            again = a.get(url)
            assert "set-cookie" not in again.headers  # known by its cookie now
        a.get(f"{cloud.url.upper()}/R/{token}")
    # the same phone with cookies refused: recognised by address and browser, not counted again
    for _ in range(3):
        httpx.get(url, headers={"user-agent": "MicroMessenger/8.0 phone-A"})
    # a second customer (the receipt forwarded to a friend) is a second open
    httpx.get(url, headers={"user-agent": "MicroMessenger/8.0 phone-B"})

    # forged tokens naming the real till (the signature does not verify): neither opens
    # nor follows count, however often they are sent
    raw = bytearray(token.encode())
    for i in range(20, 40):
        forged = bytearray(raw)
        forged[i] = ord("A") if forged[i] != ord("A") else ord("B")
        page = httpx.get(f"{cloud.url}/r/{forged.decode()}", headers={"user-agent": f"bot {i}"})
        if page.status_code == 200:
            assert "已被篡改" in page.text
        follow = httpx.post(f"{cloud.url}/r/{forged.decode()}/follow")
        assert follow.json()["counted"] is False
        if follow.status_code == 404:  # not a token at all: the error body too (issue 18)
            assert follow.json()["error"]["code"] == "bad_token"
        else:
            assert follow.json() == {"counted": False}
    assert httpx.post(f"{url}/follow").json() == {"counted": True}
    assert httpx.post(f"{url}/follow").json() == {"counted": False}

    row = funnel_of(capsys, cloud_db_url)[("S001", None)]
    assert (row["receipts_printed"], row["ereceipts_opened"], row["follows"]) == (1, 2, 1)


@pytest.mark.parametrize("style", ["QP 2026 01", "青衫-秋冬/夹克", "A/B%20C?x#y"])
def test_chain_stock_lookup_of_any_style_name(
    tmp_path: Path, cloud: Any, capsys: Any, style: str
) -> None:
    """The till's own signed client asks the served cloud for a style whose name has a space,
    CJK, a `/` or characters that mean something in a URL."""
    from pos_app.cli.sync_cmds import build_relay

    paths, od, _key, _home = enrolled_till(tmp_path, cloud, capsys)
    with cloud.db.tx() as tx:  # the style's SKUs as the cloud learns them from stock moves
        tx.execute("INSERT INTO stock_skus(sku, style) VALUES (?, ?)", ("QP-1-BLK-L", style))
    parts = build_relay(paths, od.conn)
    try:
        grid = parts.client.stock(style)
        other = parts.client.stock("QP-2026-0001")
    finally:
        parts.close()
    assert grid["style"] == style and grid["skus"] == ["QP-1-BLK-L"]
    assert [s["store_id"] for s in grid["stores"]] == ["S001"]
    assert other["style"] == "QP-2026-0001" and other["skus"] == []


def test_price_change_keeps_the_member_price_unless_told(
    tmp_path: Path, cloud: Any, cloud_db_url: str, capsys: Any
) -> None:
    db = db_args(cloud_db_url)
    product = tmp_path / "p.json"
    product.write_text(
        json.dumps(
            {
                "style": "QP-1",
                "name": "夹克",
                "skus": [
                    {
                        "sku": "QP-1-L",
                        "name": "夹克 L",
                        "price_fen": 29900,
                        "member_price_fen": 26900,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert run_cli(capsys, "cloud", "catalog", "import", str(product), *db)[0] == 0
    _paths, od, _key, home = enrolled_till(tmp_path, cloud, capsys)
    # a SKU the cloud never imported: the till's own member price
    od.conn.execute(
        "INSERT INTO skus(sku, style, name, price_fen, member_price_fen) "
        "VALUES ('LOCAL-1', 'LOCAL', '本店商品', 5900, 4900)"
    )

    def till_prices(sku: str) -> tuple[int, int | None]:
        assert run_cli(capsys, *home, "sync", "run", "--json")[0] == 0
        row = od.conn.execute(
            "SELECT price_fen, member_price_fen FROM skus WHERE sku = ?", (sku,)
        ).fetchone()
        return row[0], row[1]

    assert till_prices("QP-1-L") == (29900, 26900)
    rc, out, _ = run_cli(capsys, "cloud", "catalog", "price", "QP-1-L", "27900", *db)
    assert rc == 0 and out.strip() == "QP-1-L now ¥279.00, member ¥269.00 (会员价)"
    assert till_prices("QP-1-L") == (27900, 26900)  # omitted: unchanged
    rc, out, _ = run_cli(
        capsys, "cloud", "catalog", "price", "QP-1-L", "27900", "--member-price-fen", "24900",
        *db, "--json",
    )  # fmt: skip
    assert json.loads(out) == {"sku": "QP-1-L", "price_fen": 27900, "member_price_fen": 24900}
    assert till_prices("QP-1-L") == (27900, 24900)
    # a cut below the member price must say what becomes of it
    rc, _, err = run_cli(capsys, "cloud", "catalog", "price", "QP-1-L", "19900", *db)
    assert rc == 2 and "--clear-member-price" in err and "会员价" in err
    rc, _, err = run_cli(
        capsys, "cloud", "catalog", "price", "QP-1-L", "19900", "--member-price-fen", "1",
        "--clear-member-price", *db,
    )  # fmt: skip
    assert rc == 2 and "只能选一个" in err
    assert till_prices("QP-1-L") == (27900, 24900)  # nothing was published
    rc, out, _ = run_cli(
        capsys, "cloud", "catalog", "price", "QP-1-L", "19900", "--clear-member-price", *db
    )
    assert rc == 0 and "no member price" in out
    assert till_prices("QP-1-L") == (19900, None)
    assert run_cli(capsys, "cloud", "catalog", "price", "LOCAL-1", "5500", *db)[0] == 0
    assert till_prices("LOCAL-1") == (5500, 4900)


def test_a_cleared_rejection_is_accepted_when_the_till_requeues_it(
    tmp_path: Path, cloud: Any, cloud_db_url: str, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_app.domain import events as ev

    db = db_args(cloud_db_url)
    _paths, od, _key, home = enrolled_till(tmp_path, cloud, capsys)
    writer = TillWriter(od, "S001", 1)
    writer.sale()
    writer.sale()
    refund = writer.refund()
    writer.sale()

    def sync() -> dict[str, Any]:
        rc, out, err = run_cli(capsys, *home, "sync", "run", "--json")
        assert rc == 0, err
        return dict(json.loads(out)["status"])

    # a cloud that does not know refunds yet: the refund is rejected, the chain goes on past it
    monkeypatch.setattr(ev, "ALL_TYPES", ev.ALL_TYPES - {ev.REFUND_COMPLETED})
    dead = sync()["dead_letters"]
    assert [(d["id"], d["code"]) for d in dead] == [(refund["id"], "unknown_type")]
    monkeypatch.undo()  # the cloud is upgraded: the cause is fixed in the cloud
    # requeued as it is, it is answered from the stored rejection
    assert run_cli(capsys, *home, "sync", "requeue", "--all")[0] == 0
    assert [d["id"] for d in sync()["dead_letters"]] == [refund["id"]]

    rc, out, _ = run_cli(capsys, "cloud", "rejections", "list", *db, "--json")
    listed = json.loads(out)
    assert [(r["id"], r["state"], r["code"], r["seq"]) for r in listed] == [
        (refund["id"], "rejected", "unknown_type", 3)
    ]
    rc, out, _ = run_cli(capsys, "cloud", "rejections", "list", *db)
    assert out.splitlines()[0].split() == ["store", "till", "seq", "state", "type", "code", "id"]
    # all or nothing: an id that is not a rejection clears nothing
    rc, _, err = run_cli(capsys, "cloud", "rejections", "clear", refund["id"], "nope", *db)
    assert rc == 2 and "nope" in err and "未清除" in err
    assert run_cli(capsys, "cloud", "rejections", "clear", *db)[0] == 2  # ids or --all
    rc, out, _ = run_cli(capsys, "cloud", "rejections", "clear", refund["id"], *db, "--json")
    assert rc == 0 and json.loads(out) == {"cleared": [refund["id"]]}
    rc, out, _ = run_cli(capsys, "cloud", "rejections", "list", *db, "--json")
    assert [r["state"] for r in json.loads(out)] == ["cleared"]

    assert run_cli(capsys, *home, "sync", "requeue", refund["id"])[0] == 0
    assert sync()["dead_letters"] == []
    rc, out, _ = run_cli(capsys, "cloud", "totals", *db, "--json")
    totals = json.loads(out)
    assert totals["sales_and_refunds"] == 4 and totals["total_fen"] == writer.total_fen
    rc, out, _ = run_cli(capsys, "cloud", "rejections", "list", *db, "--json")
    assert json.loads(out) == []
    # a resend of the now accepted refund is a duplicate like any other
    assert cloud.service.ingest(
        cloud.service.admin.devices()[0]["device_id"],
        [
            {
                "id": refund["id"],
                "type": "refund.completed",
                "schema": 1,
                "seq": 3,
                "occurred_at": refund["payload"]["completed_at"],
                "payload": refund["payload"],
                "prev_entry_hash": refund["prev"],
                "entry_hash": refund["hash"],
            }
        ],
    )["duplicates"] == [refund["id"]]


def test_totals_in_yuan_and_a_labelled_funnel(
    tmp_path: Path, cloud: Any, cloud_db_url: str, capsys: Any
) -> None:
    db = db_args(cloud_db_url)
    _paths, od, _key, home = enrolled_till(tmp_path, cloud, capsys)
    writer = TillWriter(od, "S001", 1)
    writer.sale()
    writer.sale()
    writer.refund()
    assert run_cli(capsys, *home, "sync", "run", "--json")[0] == 0
    total = writer.total_fen
    yuan = f"{total // 100}.{total % 100:02d}"
    rc, out, _ = run_cli(capsys, "cloud", "totals", *db)
    assert rc == 0 and out.startswith(f"3 sales/refunds ¥{yuan}, 3 events") and "fen" not in out
    rc, out, _ = run_cli(capsys, "cloud", "totals", *db, "--json")
    assert json.loads(out) == {
        "sales_and_refunds": 3,
        "total_fen": total,
        "total": yuan,
        "events": 3,
    }
    cloud.service.admin.add_member("13800138000", "王芳")
    cloud.service.ingest(
        cloud.service.admin.devices()[0]["device_id"],
        [
            {
                "id": "5f0c3b0e-8d57-4a59-9b1e-7c0c6f2a1e01",
                "type": "member.enrolled",
                "schema": 1,
                "seq": 4,
                "occurred_at": "2026-11-25T02:00:00Z",
                "payload": {"member_id": "M1", "phone": "13900139000", "associate": "小李"},
            }
        ],
    )
    rc, out, _ = run_cli(capsys, "cloud", "funnel", *db)
    lines = out.splitlines()
    assert lines[0].split() == ["store", "associate", "printed", "opened", "follows", "joins"]
    assert [ln.split() for ln in lines[1:]] == [
        ["S001", "-", "2", "0", "0", "0"],
        ["S001", "小李", "0", "0", "0", "1"],
    ]
    # the columns line up under their headings, double-width names included
    from receipts.layout import text_width

    assert len({text_width(ln) for ln in lines}) == 1


def test_a_cleared_rejection_is_checked_again_not_waved_through(
    tmp_path: Path, cloud: Any, capsys: Any
) -> None:
    """An entry missing in the cloud breaks the chain: clearing the break alone gets the
    same answer; once the missing entry is there too, both are accepted in chain order."""
    from cloud.rejections import CloudRejections

    _paths, od, _key, _home = enrolled_till(tmp_path, cloud, capsys)
    writer = TillWriter(od, "S001", 1)
    for _ in range(3):
        writer.sale()
    events = [
        {
            "id": r[0], "type": r[1], "schema": 1, "seq": r[2], "occurred_at": r[3],
            "payload": json.loads(r[4]), "prev_entry_hash": r[5], "entry_hash": r[6],
        }
        for r in od.conn.execute(
            "SELECT id, type, seq, occurred_at, payload, prev_entry_hash, entry_hash "
            "FROM outbox ORDER BY seq"
        )
    ]  # fmt: skip
    svc = cloud.service
    device = svc.admin.devices()[0]["device_id"]
    rejections = CloudRejections(svc.db, svc.now)
    first, second, third = events
    assert svc.ingest(device, [first, third])["accepted"] == [first["id"]]
    assert rejections.clear([third["id"]]) == [third["id"]]
    again = svc.ingest(device, [third])
    assert [r["code"] for r in again["rejected"]] == ["chain_break"]
    assert [r["state"] for r in rejections.list()] == ["rejected"]
    # the missing entry arrives late: the chain has moved past it, so it is rejected too
    late = svc.ingest(device, [second])
    assert [r["code"] for r in late["rejected"]] == ["chain_break"]
    assert sorted(rejections.clear(device_id=device)) == sorted([second["id"], third["id"]])
    done = svc.ingest(device, [second, third])
    assert done["accepted"] == [second["id"], third["id"]] and done["rejected"] == []
    assert svc.admin.totals()["total_fen"] == writer.total_fen
    assert rejections.list() == []
    assert svc.admin.devices()[0]["contiguous_seq"] == 3
