"""The e-receipt page's states (issue 19, items 1, 6 and 7): one big action chosen by who is
looking (关注 / 入会领积分 / 我的会员), no member data without the member's own session, and
a page for an altered or unknown-till token that shows nothing of the receipt."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from ereceipt_kit import ISSUED_AT, start_rig
from sync_testkit import make_till_home, token_for

PRIVATE = ("积分余额", "8888", "本次积分", "+599", "核心会员", "138****5678", "王芳", "5678")


def action(html: str) -> str:
    found = re.search(r'id="gt-action"[^>]*>([^<]+)<', html)
    assert found, "no big action on the page"
    return found.group(1)


def state(html: str) -> str:
    found = re.search(r'id="gt-hero" data-state="([a-z_]+)"', html)
    assert found
    return found.group(1)


def test_each_visitor_gets_one_action_and_only_the_member_sees_member_data(
    tmp_path: Path, cloud_db_url: str
) -> None:
    rig = start_rig(tmp_path, cloud_db_url)
    try:
        url = f"{rig.cloud.url}/r/{rig.token(1)}"
        stranger = httpx.get(url).text
        assert state(stranger) == "visitor" and action(stranger) == "关注「青衫服饰」"
        assert "¥599.00" in stranger and "真实小票" in stranger
        for text in PRIVATE:
            assert text not in stranger, text
        assert "男士羊毛夹克" in stranger  # the receipt itself is still there

        # a WeChat user who follows (the emulator's scan made them one), no member session
        ticket = re.search(r'data-ticket="([^"]+)"', stranger)
        assert ticket
        httpx.post(
            f"{rig.emulator.url}/test/scan", json={"ticket": ticket.group(1), "openid": "oF1"}
        )
        name, value = rig.session(openid="oF1")
        follower = httpx.get(url, cookies={name: value}).text
        assert state(follower) == "follower" and action(follower) == "入会领积分"
        assert f'href="/r/{rig.token(1)}/join"' in follower
        for text in PRIVATE:
            assert text not in follower, text

        # an openid that does not follow is a visitor still
        name, value = rig.session(openid="oNotFollowing")
        assert state(httpx.get(url, cookies={name: value}).text) == "visitor"

        # the receipt's own member in their session: 我的会员 and the member block
        name, value = rig.session(openid="oF1", member_id=rig.member_id)
        member = httpx.get(url, cookies={name: value}).text
        assert state(member) == "member" and action(member) == "我的会员"
        assert "积分余额" in member and "8888" in member and "核心会员" in member

        # another member's session on this receipt: a member, but not this receipt's
        other = rig.cloud.service.admin.add_member("13900000000", "李雷")
        name, value = rig.session(member_id=other["id"])
        theirs = httpx.get(url, cookies={name: value}).text
        assert state(theirs) == "member"
        for text in PRIVATE:
            assert text not in theirs, text

        # a forged or tampered session is no session
        name, value = rig.session(openid="oF1", member_id=rig.member_id)
        body, mac = value.split(".")
        for forged in (body + "." + mac[::-1], body[:-2] + "xx." + mac, "x.y", ""):
            page = httpx.get(url, cookies={name: forged}).text
            assert state(page) == "visitor"
            for text in PRIVATE:
                assert text not in page, text
    finally:
        rig.stop()


def test_an_altered_or_unknown_token_shows_nothing_of_the_receipt(
    tmp_path: Path, cloud_db_url: str
) -> None:
    rig = start_rig(tmp_path, cloud_db_url)
    try:
        p = rig.writer.sales[0]
        # signed by the till, but not the receipt it synced (another total)
        altered = token_for(rig.key, 1, ISSUED_AT, p["total_fen"] + 100, rig.hashes[1])
        _, _, stranger_key = make_till_home(tmp_path / "stranger")
        unknown = token_for(stranger_key, 1, ISSUED_AT, 12345, "ab" * 32)
        for token, words, english in (
            (altered, "此小票已被篡改", "has been altered"),
            (unknown, "来自未知收银台", "not issued by a till this brand has registered"),
        ):
            page = httpx.get(f"{rig.cloud.url}/r/{token}")
            assert page.status_code == 200
            assert words in page.text and english in page.text
            assert "请勿凭它退换货" in page.text
            for detail in (
                "¥",
                "599",
                "123.45",
                "明细正在同步中",
                "合计",
                "男士羊毛夹克",
                "南京西路店",
                'id="gt-action"',
                "data-ticket",
            ):
                assert detail not in page.text, detail
    finally:
        rig.stop()


def test_every_string_from_a_request_or_a_synced_sale_is_escaped(
    tmp_path: Path, cloud_db_url: str
) -> None:
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    rig = start_rig(tmp_path, cloud_db_url, store_name="店" + evil, brand="牌" + evil)
    try:
        url = f"{rig.cloud.url}/r/{rig.token(1)}"
        name, _ = rig.session()
        pages = [
            httpx.get(url).text,
            httpx.get(url, cookies={name: evil}).text,
            httpx.get(url, headers={"User-Agent": evil}).text,
            httpx.get(f"{rig.cloud.url}/r/{evil}").text,
        ]
        name, value = rig.session(openid=evil, member_id=evil)
        pages.append(httpx.get(url, cookies={name: value}).text)
        for page in pages:
            assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    finally:
        rig.stop()


def test_a_receipt_before_its_sale_synced_shows_the_total_and_the_action(
    tmp_path: Path, cloud_db_url: str
) -> None:
    rig = start_rig(tmp_path, cloud_db_url)
    try:
        unsynced = token_for(rig.key, 3, ISSUED_AT, 45600, "cd" * 32)
        page = httpx.get(f"{rig.cloud.url}/r/{unsynced}").text
        assert state(page) == "visitor" and action(page) == "关注「青衫服饰」"
        assert "¥456.00" in page and "明细正在同步中" in page and "data-ticket" in page
    finally:
        rig.stop()
