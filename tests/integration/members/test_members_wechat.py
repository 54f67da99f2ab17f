"""WeChat's subscribe push counts a follow in the e-receipt funnel: the server URL handshake
(echostr), signatures checked (a bad or stale one refused), a retried push and a second
follow of one receipt counted once, together with the page's button, on the real loopback
cloud."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from members_cloud_rig import Rig, ereceipt_url_of, open_rig
from members_kit import member_sale, run

from cloud.wechat_push import follow_scene, parse_push, push_signature
from receipts.token import decode_token

TOKEN = "qingshan-wechat-token"
JKT = "6901234567892"
PHONE = "13800138000"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    monkeypatch.setenv("GUITAI_WECHAT_TOKEN", TOKEN)
    yield from open_rig(tmp_path, monkeypatch)


def signed(token: str = TOKEN, ts: int | None = None, **extra: str) -> dict[str, str]:
    timestamp, nonce = str(int(time.time()) if ts is None else ts), "1405284093"
    return {
        "signature": push_signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        **extra,
    }


def subscribe_xml(openid: str, created: int, key: str = "", event: str = "subscribe") -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_qingshan]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
        "<Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRw]]></Ticket></xml>"
    ).encode()


def push(rig: Rig, body: bytes, params: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        f"{rig.url}/wechat/push",
        params=params if params is not None else signed(openid="o-x"),
        content=body,
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )


def follows(rig: Rig) -> dict[Any, int]:
    return {r["associate"]: r["follows"] for r in rig.svc.members.funnel.funnel("S001")}


def test_the_signature_is_sha1_of_the_sorted_parts_and_pushes_parse() -> None:
    import hashlib

    want = hashlib.sha1(b"".join(sorted([b"tok", b"1700000000", b"42"]))).hexdigest()
    assert push_signature("tok", "1700000000", "42") == want
    msg = parse_push(subscribe_xml("o-1", 1700000000, "qrscene_r.0a1b2c3d.7"))
    assert msg["FromUserName"] == "o-1" and msg["Event"] == "subscribe"
    assert follow_scene(msg) == (True, "r.0a1b2c3d.7")
    assert follow_scene(parse_push(subscribe_xml("o-1", 1, ""))) == (True, None)
    # already following and scanning again is not a follow
    assert follow_scene(parse_push(subscribe_xml("o-1", 1, "r.0a1b2c3d.7", "SCAN")))[0] is False


def test_server_url_handshake_answers_echostr_only_when_signed(rig: Rig) -> None:
    url = f"{rig.url}/wechat/push"
    ok = httpx.get(url, params=signed(echostr="8123456789012345678"), timeout=10)
    assert ok.status_code == 200 and ok.text == "8123456789012345678"
    bad = httpx.get(url, params=signed(token="guess", echostr="1"), timeout=10)
    assert bad.status_code == 403 and bad.text != "1"
    stale = httpx.get(url, params=signed(ts=int(time.time()) - 3600, echostr="1"), timeout=10)
    assert stale.status_code == 403
    assert httpx.get(url, params={"echostr": "1"}, timeout=10).status_code == 403


def test_subscribe_from_a_receipt_counts_one_follow_with_the_button(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = run(rig.a, "member", "enroll", "--phone", PHONE, "--name", "王女士")
    sale = member_sale(rig.a, JKT, pay="cash:300", member=PHONE, associate="小李")
    rig.sync(rig.a)
    url = ereceipt_url_of(rig.a, sale["receipt_no"])
    fields = decode_token(url)
    scene = f"r.{fields.key_id.hex()}.{fields.receipt_no}"
    assert len(scene) <= 64  # WeChat's limit on a scene string
    created = int(time.time())
    body = subscribe_xml("oWx-wang", created, f"qrscene_{scene}")

    # a forged push is refused and counts nothing
    assert push(rig, body, signed(token="guess")).status_code == 403
    assert follows(rig).get("小李", 0) == 0
    # the real one counts once; WeChat's retry of it does not
    r = push(rig, body)
    assert r.status_code == 200 and r.text == "success"
    assert follows(rig)["小李"] == 1
    assert push(rig, body).text == "success"
    assert follows(rig)["小李"] == 1
    # the page's button for the same receipt, and another WeChat user from the same receipt
    token = url.rsplit("/", 1)[-1]
    assert httpx.post(f"{rig.url}/r/{token}/follow", timeout=10).json() == {"counted": False}
    push(rig, subscribe_xml("oWx-friend", created + 1, f"qrscene_{scene}"))
    assert follows(rig)["小李"] == 1
    # the follow links the WeChat user to the member of the receipt
    with rig.svc.db.tx() as tx:
        rows = tx.execute(
            "SELECT source, openid, member_id FROM funnel_follows ORDER BY at"
        ).fetchall()
    assert [tuple(x) for x in rows] == [("wechat", "oWx-wang", m["member_id"])]

    # a second receipt: the button first, then WeChat's push: still one follow, openid linked
    second = run(
        rig.a, "sale", "--user", "admin", "--associate", "小李", "--scan", JKT, "--pay", "cash:300"
    )
    rig.sync(rig.a)
    url2 = ereceipt_url_of(rig.a, second["receipt_no"])
    token2 = url2.rsplit("/", 1)[-1]
    assert httpx.post(f"{rig.url}/r/{token2}/follow", timeout=10).json() == {"counted": True}
    assert httpx.post(f"{rig.url}/r/{token2}/follow", timeout=10).json() == {"counted": False}
    f2 = decode_token(url2)
    push(rig, subscribe_xml("oWx-li", created + 2, f"qrscene_r.{f2.key_id.hex()}.{f2.receipt_no}"))
    assert follows(rig)["小李"] == 2
    with rig.svc.db.tx() as tx:
        linked = tx.execute("SELECT openid FROM funnel_follows WHERE source = 'button'").fetchone()[
            0
        ]
    assert linked == "oWx-li"

    # with no token configured the push URL is off
    monkeypatch.delenv("GUITAI_WECHAT_TOKEN")
    assert push(rig, body).status_code == 404


def test_place_codes_count_once_per_wechat_user_and_other_pushes_count_nothing(
    rig: Rig,
) -> None:
    scene = rig.svc.members.funnel.wechat_scene("S001", "小王")
    assert rig.svc.members.funnel.wechat_scene("S001", "小王") == scene  # one code per associate
    now = int(time.time())
    push(rig, subscribe_xml("oWx-zhao", now, f"qrscene_{scene}"))
    assert follows(rig)["小王"] == 1
    # unfollowed and followed again later from the same code: still one
    push(rig, subscribe_xml("oWx-zhao", now + 60, f"qrscene_{scene}"))
    assert follows(rig)["小王"] == 1
    # found by search (no scene), a scan by a follower, an unknown scene: not the funnel's
    push(rig, subscribe_xml("oWx-sun", now, ""))
    push(rig, subscribe_xml("oWx-sun", now + 1, scene, "SCAN"))
    push(rig, subscribe_xml("oWx-sun", now + 2, "qrscene_r.ffffffff.1"))
    assert follows(rig) == {"小王": 1}
    # not XML, or XML with a DTD (entity expansion): refused
    assert push(rig, b"not xml").status_code == 400
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><A>&a;</A></xml>'
    assert push(rig, dtd).status_code == 400
