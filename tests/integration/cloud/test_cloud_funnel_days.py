"""`guitai cloud funnel` per store, associate and day (issue 19, "The brand gets"): a generated
day with known counts, pushed to the served cloud and looked at through its real pages:
printed → opened (unique visitors; reloads, a crawler and an altered token not counted) →
followed → joined → came back within 90 days (a return after 125 days is not), money in yuan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cloud_shop import Shop
from sync_fixtures import Cloud

from pos_app.cli import main

TOTAL = 117800  # every sale of the kit: 1,178.00 yuan


@pytest.fixture
def shop(cloud: Cloud) -> Iterator[Shop]:
    yield Shop(cloud)


def look(shop: Shop, token: str, agent: str) -> None:
    # a new client each time (no cookie jar): the visitor is known by address and browser
    assert (
        httpx.get(f"{shop.cloud.url}/r/{token}", headers={"user-agent": agent}).status_code == 200
    )


def funnel(capsys: Any, shop: Shop, *args: str) -> Any:
    capsys.readouterr()
    db = shop.cloud.db.url
    flag = "--database-url" if db.startswith("postgres") else "--db"
    rc = main(["cloud", "funnel", flag, db, *args])
    out = capsys.readouterr().out
    assert rc in (0, None), out
    return json.loads(out) if "--json" in args else out


def test_the_funnel_of_a_generated_day(shop: Shop, capsys: Any) -> None:
    day = "2026-11-25T03:00:00Z"  # 11:00 in the store
    li = [shop.sale(at=day, associate="小李", member=m)[1] for m in ("M1", "M2", None, None)]
    wang = [shop.sale(at=day, associate="小王", member=m)[1] for m in ("M3", None)]
    shop.member_enrolled("M3", "13800000003", "小王", day)
    # M1 comes back 25 days later (counted); M2 after 125 days (not within 90)
    shop.sale(at="2026-12-20T05:00:00Z", associate="小李", member="M1")
    shop.sale(at="2027-03-30T05:00:00Z", associate="小李", member="M2")

    phone = "Mozilla/5.0 (iPhone) MicroMessenger/8.0.50 NetType/WIFI"
    for _ in range(3):  # one customer reloads
        look(shop, li[0], phone + " A")
    look(shop, li[0], phone + " B")  # forwarded to a friend: a second visitor
    look(shop, li[1], "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    look(shop, li[2], phone + " C")
    look(shop, wang[0], phone + " D")
    forged = bytearray(li[3].encode())
    forged[30] = ord("A") if forged[30] != ord("A") else ord("B")
    httpx.get(f"{shop.cloud.url}/r/{forged.decode()}", headers={"user-agent": phone + " E"})
    assert httpx.post(f"{shop.cloud.url}/r/{li[0]}/follow").json() == {"counted": True}
    assert httpx.post(f"{shop.cloud.url}/r/{li[0]}/follow").json() == {"counted": False}
    assert httpx.post(f"{shop.cloud.url}/r/{wang[0]}/follow").json() == {"counted": True}

    rows = funnel(capsys, shop, "--json", "--from", "2026-11-25", "--to", "2026-11-25")
    by = {(r["day"], r["associate"]): r for r in rows}
    assert set(by) == {("2026-11-25", "小李"), ("2026-11-25", "小王")}
    expect = {
        "小李": dict(receipts_printed=4, ereceipts_opened=3, receipts_opened=2, follows=1,
                    joins=0, returned_90d=1, printed_fen=4 * TOTAL, returned_fen=TOTAL),
        "小王": dict(receipts_printed=2, ereceipts_opened=1, receipts_opened=1, follows=1,
                    joins=1, returned_90d=0, printed_fen=2 * TOTAL, returned_fen=0),
    }  # fmt: skip
    for who, counts in expect.items():
        row = by[("2026-11-25", who)]
        assert {k: row[k] for k in counts} == counts, who
        assert row["store_id"] == "S001"
    assert by[("2026-11-25", "小李")]["printed_yuan"] == "4712.00"
    assert by[("2026-11-25", "小李")]["returned_yuan"] == "1178.00"

    # the whole history: the two later days are rows of their own
    days = {(r["day"], r["associate"]) for r in funnel(capsys, shop, "--json")}
    assert ("2026-12-20", "小李") in days and ("2027-03-30", "小李") in days
    # one associate, one store
    only = funnel(capsys, shop, "--json", "--associate", "小王")
    assert [(r["day"], r["receipts_printed"]) for r in only] == [("2026-11-25", 2)]
    assert funnel(capsys, shop, "--json", "--store", "S999") == []

    # for people: labelled columns, money in yuan
    text = funnel(capsys, shop, "--from", "2026-11-25", "--to", "2026-11-25").splitlines()
    assert text[0].split() == [
        "day", "store", "associate", "printed", "opened", "follows", "joins", "returned",
        "printed_yuan", "returned_yuan",
    ]  # fmt: skip
    assert text[1].split() == [
        "2026-11-25", "S001", "小李", "4", "3", "1", "0", "1", "4712.00", "1178.00",
    ]  # fmt: skip
