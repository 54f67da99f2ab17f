"""Joining the membership from an e-receipt page (issue 19, items 3 and 4): an SMS code from
the provider's emulator, one phone one member, the receipt's points credited exactly once
(also when the sale syncs after the join), never for a refunded receipt, and the abuse cases
(brute force, floods, injection), against the served cloud on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from join_kit import JoinRig, start_join_rig

from pos_app.domain.loyalty import LoyaltyRules, points_earned

PHONE = "13912345678"


@pytest.fixture
def rig(tmp_path: Path, cloud_db_url: str) -> Iterator[JoinRig]:
    r = start_join_rig(tmp_path, cloud_db_url)
    try:
        yield r
    finally:
        r.stop()


def send_code(rig: JoinRig, token: str, phone: str = PHONE, **kw: str) -> httpx.Response:
    return httpx.post(f"{rig.url}/r/{token}/join/code", json={"phone": phone}, **kw)  # type: ignore[arg-type]


def join(
    rig: JoinRig, token: str, code: str, phone: str = PHONE, **extra: object
) -> httpx.Response:
    body = {"phone": phone, "code": code, "consent": True, **extra}
    return httpx.post(f"{rig.url}/r/{token}/join", json=body)


def points_of(rig: JoinRig, member_id: str) -> int:
    return int(rig.cloud.service.admin.member_by_phone(PHONE)["points"])


def expected_points(sale_row: dict) -> int:  # type: ignore[type-arg]
    return points_earned(sale_row["payload"]["lines"], "ordinary", LoyaltyRules())


def test_join_credits_the_receipt_once_and_the_till_pulls_the_member(rig: JoinRig) -> None:
    sale, token = rig.sale()
    page = httpx.get(f"{rig.url}/r/{token}/join")
    assert page.status_code == 200 and "入会领积分" in page.text
    assert f"加入会员即可领取本单积分 <b>{expected_points(sale)}</b> 分" in page.text
    r = send_code(rig, token)
    assert r.status_code == 200, r.text
    assert r.json() == {"sent": True, "expires_in_s": 300, "resend_after_s": 60}
    msgs = httpx.get(f"{rig.sms.url}/messages", params={"phone": PHONE}).json()
    assert len(msgs) == 1 and msgs[0]["phone"] == PHONE
    code = msgs[0]["params"]["code"]
    assert msgs[0]["text"] == f"【青衫】您的验证码为{code}，5分钟内有效，请勿泄露给他人。"
    assert set(msgs[0]) >= {"phone", "text", "sent_at"}
    r = join(rig, token, code, name="王芳", birthday="1990-05-20")
    assert r.status_code == 200, r.text
    answer = r.json()
    want = expected_points(sale)
    assert want > 0
    assert answer["points_credited"] == want and answer["new_member"] is True
    assert answer["claim"] == "credited"
    cookie = r.headers["set-cookie"]
    assert "gt_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert PHONE not in cookie and answer["member_id"] not in cookie  # signed, not readable
    member = rig.cloud.service.admin.member_by_phone(PHONE)
    assert member["points"] == want and member["name"] == "王芳"
    # the same receipt again (a new code): recognised, 0 points, still one member
    r = send_code(rig, token)
    assert r.status_code == 429  # one code a minute per phone
    with rig.cloud.service.db.tx() as tx:
        tx.execute("DELETE FROM join_sends")
    assert send_code(rig, token).status_code == 200
    again = join(rig, token, rig.last_code(PHONE)).json()
    assert again == {
        "member_id": answer["member_id"],
        "points_credited": 0,
        "new_member": False,
        "claim": "claimed_before",
    }
    assert points_of(rig, answer["member_id"]) == want
    assert "本单积分已被领取" in httpx.get(f"{rig.url}/r/{token}/join").text
    # the till gets the new member through the normal pull
    rig.pull()
    row = rig.od.conn.execute(
        "SELECT id, name, points FROM members WHERE phone = ?", (PHONE,)
    ).fetchone()
    assert row is not None and row[0] == answer["member_id"] and row[2] == want


def test_a_receipt_not_yet_synced_is_credited_when_it_arrives_once(rig: JoinRig) -> None:
    sale, token = rig.sale(push=False)
    assert send_code(rig, token).status_code == 200
    r = join(rig, token, rig.last_code(PHONE))
    assert r.status_code == 200, r.text
    assert (r.json()["points_credited"], r.json()["claim"]) == (0, "pending")
    assert points_of(rig, r.json()["member_id"]) == 0
    assert rig.push().accepted == 1
    want = expected_points(sale)
    assert points_of(rig, r.json()["member_id"]) == want
    rig.push()  # nothing new: still once
    assert points_of(rig, r.json()["member_id"]) == want


def test_a_refunded_receipt_gives_no_points(rig: JoinRig) -> None:
    _, token = rig.sale(push=False)
    rig.writer.refund()
    rig.push()
    assert "本单已退货，不计积分" in httpx.get(f"{rig.url}/r/{token}/join").text
    assert send_code(rig, token).status_code == 200
    r = join(rig, token, rig.last_code(PHONE))
    assert r.status_code == 200, r.text
    assert (r.json()["points_credited"], r.json()["claim"]) == (0, "refunded")
    assert points_of(rig, r.json()["member_id"]) == 0


def test_a_refund_after_the_credit_takes_back_its_share(rig: JoinRig) -> None:
    _, token = rig.sale()
    assert send_code(rig, token).status_code == 200
    credited = join(rig, token, rig.last_code(PHONE)).json()["points_credited"]
    assert credited > 0
    rig.writer.refund()  # one unit of the first line
    rig.push()
    after = points_of(rig, "")
    assert 0 <= after < credited


def test_five_wrong_codes_lock_it(rig: JoinRig) -> None:
    _, token = rig.sale()
    assert send_code(rig, token).status_code == 200
    code = rig.last_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [join(rig, token, wrong) for _ in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429]
    assert answers[0].json()["error"]["code"] == "wrong_code"
    assert "4" in answers[0].json()["error"]["message_zh"]
    assert answers[4].json()["error"]["code"] == "code_locked"
    # the right code no longer works either
    late = join(rig, token, code)
    assert late.status_code == 429 and late.json()["error"]["code"] == "code_locked"
    with rig.cloud.service.db.tx() as tx:
        assert tx.execute("SELECT count(*) FROM members").fetchone()[0] == 0


def test_sending_floods_are_answered_429(rig: JoinRig) -> None:
    _, token = rig.sale()
    codes = [send_code(rig, token, f"1390000{n:04d}").status_code for n in range(22)]
    assert codes[:20] == [200] * 20
    assert codes[20:] == [429, 429]
    r = send_code(rig, token, "13900009999")
    body = r.json()["error"]
    assert body["code"] == "too_many_codes" and "秒后再试" in body["message_zh"]
    assert len(httpx.get(f"{rig.sms.url}/messages").json()) == 20


def test_consent_and_script_injection_are_refused_and_nothing_is_stored(rig: JoinRig) -> None:
    _, token = rig.sale()
    r = send_code(rig, token, "<script>alert(1)</script>")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_phone"
    assert send_code(rig, token).status_code == 200
    code = rig.last_code(PHONE)
    r = httpx.post(
        f"{rig.url}/r/{token}/join", json={"phone": PHONE, "code": code, "consent": False}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "consent_required"
    # a cross-site form (not JSON) is refused before anything is read
    form = httpx.post(f"{rig.url}/r/{token}/join", data={"phone": PHONE, "code": code})
    assert form.status_code == 415 and form.json()["error"]["code"] == "json_required"
    r = join(rig, token, code, name='<img src=x onerror="alert(1)">')
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_name"
    r = join(rig, token, code, birthday="2999-01-01")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_birthday"
    with rig.cloud.service.db.tx() as tx:
        assert tx.execute("SELECT count(*) FROM members").fetchone()[0] == 0
    assert join(rig, token, code).status_code == 200  # the code still works after refusals


def test_an_existing_member_is_recognised_not_duplicated(rig: JoinRig) -> None:
    existing = rig.cloud.service.admin.add_member(PHONE, "李雷")["id"]
    _, token = rig.sale()
    assert send_code(rig, token).status_code == 200
    r = join(rig, token, rig.last_code(PHONE), name="冒名")
    assert r.status_code == 200, r.text
    assert r.json()["member_id"] == existing and r.json()["new_member"] is False
    assert rig.cloud.service.admin.member_by_phone(PHONE)["name"] == "李雷"


def test_no_sms_provider_is_a_clear_503(tmp_path: Path) -> None:
    from sync_fixtures import Cloud

    cloud = Cloud(str(tmp_path / "c.db")).start()
    try:
        r = httpx.post(f"{cloud.url}/r/AAAA/join/code", json={"phone": PHONE})
        assert r.status_code == 404  # not a token: refused before anything else
    finally:
        cloud.stop()


def test_my_receipts_from_every_store_newest_first_with_return_vouchers(
    rig: JoinRig, tmp_path: Path
) -> None:
    from datetime import datetime, timedelta

    from sync_testkit import TillWriter, enroll_device, enroll_settings, make_till_home, token_for

    from pos_app.cli.sync_cmds import build_relay

    svc = rig.cloud.service
    first, token1 = rig.sale()
    # a second store's till
    svc.admin.add_store("S002", "静安嘉里店")
    paths2, od2, key2 = make_till_home(tmp_path / "till2")
    try:
        enroll_settings(od2.conn, enroll_device(svc, key2, "S002"), rig.url)
        writer2 = TillWriter(od2, "S002", 1)
        writer2.clock = rig.writer.clock + timedelta(hours=1)  # later than the first
        row2 = writer2.sale()
        p2 = row2["payload"]
        token2 = token_for(key2, p2["receipt_no"], 1795598200, p2["total_fen"], row2["hash"])
        parts = build_relay(paths2, od2.conn)
        try:
            parts.relay.push()
        finally:
            parts.close()
    finally:
        od2.close()
    with httpx.Client(base_url=rig.url) as browser:
        assert browser.get("/me/receipts").status_code == 401  # no session: nothing shown
        page = browser.get("/me/receipts", headers={"Accept": "text/html"})
        assert page.status_code == 401 and "请先登录会员" in page.text
        for token in (token1, token2):
            with svc.db.tx() as tx:
                tx.execute("DELETE FROM join_sends")
            assert browser.post(f"/r/{token}/join/code", json={"phone": PHONE}).status_code == 200
            r = browser.post(
                f"/r/{token}/join",
                json={"phone": PHONE, "code": rig.last_code(PHONE), "consent": True},
            )
            assert r.status_code == 200, r.text
        home = browser.get("/me").json()
        assert home["points"] == rig.cloud.service.admin.member_by_phone(PHONE)["points"] > 0
        assert "我的会员" in browser.get("/me", headers={"Accept": "text/html"}).text
        listed = browser.get("/me/receipts")
        assert listed.headers["cache-control"] == "private, no-store"
        mine = listed.json()["receipts"]
        assert [(m["store_id"], m["receipt_no"]) for m in mine] == [("S002", 1), ("S001", 1)]
        assert [m["page"] for m in mine] == [f"/r/{token2}", f"/r/{token1}"]
        html_list = browser.get("/me/receipts", headers={"Accept": "text/html"}).text
        assert "静安嘉里店" in html_list and f'href="/r/{token1}"' in html_list
        # a refund of one unit at the till: the voucher says what is left to return
        rig.writer.sales = [first["payload"]]
        rig.writer.refund()
        rig.push()
        v = browser.get(mine[1]["voucher"]).json()
        line = v["lines"][0]
        assert (line["returned"], line["returnable"]) == (1, line["qty"] - 1)
        sold = datetime.fromisoformat(first["payload"]["completed_at"].replace("Z", "+00:00"))
        until = datetime.fromisoformat(v["return_until"].replace("Z", "+00:00"))
        assert until - sold == timedelta(days=30) and v["return_window_days"] == 30
        svc.admin.set_config("return_window_days", 0)
        closed = browser.get(mine[1]["voucher"]).json()
        assert closed["open"] is False and all(x["returnable"] == 0 for x in closed["lines"])
        vpage = browser.get(mine[1]["voucher"], headers={"Accept": "text/html"}).text
        assert "退换期已于" in vpage
    # another visitor cannot open it (and has no session)
    assert httpx.get(f"{rig.url}{mine[1]['voucher']}").status_code == 401
    forged = httpx.get(f"{rig.url}{mine[1]['voucher']}", cookies={"gt_session": "e30.AAAA"})
    assert forged.status_code == 401


def test_a_refund_receipt_claimed_before_it_syncs_gives_no_points(rig: JoinRig) -> None:
    from sync_testkit import token_for

    rig.sale(push=False)
    refund = rig.writer.refund()
    p = refund["payload"]
    token = token_for(rig.key, p["receipt_no"], 1795588300, p["total_fen"], refund["hash"])
    assert send_code(rig, token).status_code == 200
    r = join(rig, token, rig.last_code(PHONE))
    assert (r.json()["points_credited"], r.json()["claim"]) == (0, "pending")
    rig.push()
    assert points_of(rig, r.json()["member_id"]) == 0
    with rig.cloud.service.db.tx() as tx:
        row = tx.execute("SELECT state, reason FROM receipt_claims").fetchone()
    assert tuple(row) == ("refused", "not_a_sale")


def test_an_altered_receipt_can_join_but_credits_nothing(rig: JoinRig) -> None:
    _, token = rig.sale()
    i = len(token) - 10  # inside the signature
    altered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    assert "此小票未通过验证" in httpx.get(f"{rig.url}/r/{altered}/join").text
    assert send_code(rig, altered).status_code == 200
    r = join(rig, altered, rig.last_code(PHONE))
    assert r.status_code == 200, r.text
    assert (r.json()["points_credited"], r.json()["claim"]) == (0, "not_genuine")
    with rig.cloud.service.db.tx() as tx:
        assert tx.execute("SELECT count(*) FROM receipt_claims").fetchone()[0] == 0
    # the genuine receipt is still there to claim
    assert send_code(rig, token).status_code == 429  # one code a minute per phone


def test_a_sale_that_syncs_while_the_customer_joins_is_credited(rig: JoinRig) -> None:
    """The page looked the receipt up before its sale synced; the sale arrived before the
    join's transaction: the claim reads it again under the till's lock, not stays pending."""
    from cloud.receipt_verdict import lookup_token

    svc = rig.cloud.service
    sale, token = rig.sale(push=False)
    found = lookup_token(svc.receipts, token) | {"token": token}
    assert found["sale"] is None and found["verdict"] == "genuine"
    rig.push()  # the sale syncs now, after the lookup
    phone, code = svc.joining.new_code(PHONE, "127.0.0.1")
    joined = svc.joining.join({"phone": phone, "code": code, "consent": True}, found, None)
    assert (joined.claim, joined.points_credited) == ("credited", expected_points(sale))
    assert points_of(rig, joined.member_id) == expected_points(sale)
