"""Inside WeChat the join page learns the visitor's openid through snsapi_base, against the
official-account emulator (`guitai emulate wechat-mp`'s): the member who joins is the WeChat
user the emulator says is browsing, kept in the signed session only; the emulator's codes are
WeChat's (one exchange each, 5 minutes, errcodes 40029 / 40163 / 40013 / 40125)."""

from __future__ import annotations

from pathlib import Path

import httpx
from join_kit import start_join_rig

from cloud.ereceipt import CloudConfig
from drivers.wechat_mp.emulator import WechatMpEmulator
from drivers.wechat_mp.oauth import CODE_TTL_S

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47"
)
PHONE = "13612345678"
APPID, SECRET = "wx1234567890abcdef", "mp-secret-0123456789abcdef01234567"


def test_inside_wechat_the_member_is_the_wechat_user(tmp_path: Path) -> None:
    with WechatMpEmulator(appid=APPID, secret=SECRET, token="t") as wx:
        httpx.post(f"{wx.url}/test/browse", json={"openid": "oOPENID_visitor_1"})
        cfg = CloudConfig(
            brand_name="青衫", wechat_mp_url=wx.url, wechat_appid=APPID, wechat_secret=SECRET
        )
        rig = start_join_rig(tmp_path, str(tmp_path / "cloud.db"), config=cfg)
        try:
            # the cloud's public URL is where WeChat sends the browser back
            object.__setattr__(cfg, "public_url", rig.url)
            _, token = rig.sale()
            with httpx.Client(headers={"User-Agent": WECHAT_UA}) as phone:
                first = phone.get(f"{rig.url}/r/{token}/join")
                assert first.status_code == 302
                where = first.headers["location"]
                assert where.startswith(f"{wx.url}/connect/oauth2/authorize?")
                assert "scope=snsapi_base" in where and where.endswith("#wechat_redirect")
                # WeChat takes state as a-zA-Z0-9, ≤128 bytes; the page travels in redirect_uri
                state = httpx.URL(where.removesuffix("#wechat_redirect")).params["state"]
                assert state.isascii() and state.isalnum() and len(state) <= 128
                back = phone.get(where)  # the emulator's authorize page sends the browser back
                assert back.status_code == 302
                assert back.headers["location"].startswith(f"{rig.url}/wx/oauth?r={token}&code=")
                # another receipt's page cannot borrow this signature
                _, other = rig.sale()
                stolen = phone.get(
                    f"{rig.url}/wx/oauth", params={"r": other, "code": "x", "state": state}
                )
                assert stolen.status_code == 400
                assert stolen.json()["error"]["code"] == "bad_state"
                page = phone.get(back.headers["location"], follow_redirects=True)
                assert page.status_code == 200 and "入会领积分" in page.text
                assert (wx.web_auth.authorizations, wx.web_auth.exchanges) == (1, 1)
                assert "oOPENID" not in str(page.url)  # nothing personal in a URL
                # signed in with the openid: the page no longer goes to WeChat
                assert phone.get(f"{rig.url}/r/{token}/join").status_code == 200
                # the code was spent: a replayed callback is refused by WeChat, the page
                # is shown without WeChat rather than looping
                replay = phone.get(back.headers["location"])
                assert replay.status_code == 302 and replay.headers["location"].endswith("?wx=0")
                assert wx.web_auth.exchanges == 2
                phone.post(f"{rig.url}/r/{token}/join/code", json={"phone": PHONE})
                r = phone.post(
                    f"{rig.url}/r/{token}/join",
                    json={"phone": PHONE, "code": rig.last_code(PHONE), "consent": True},
                )
                assert r.status_code == 200, r.text
                member_id = r.json()["member_id"]
            assert rig.cloud.service.joining.member_of_openid("oOPENID_visitor_1") == member_id
            # a forged state cannot send the browser elsewhere
            bad = httpx.get(f"{rig.url}/wx/oauth", params={"code": "x", "state": "/r/X/join~AAAA"})
            assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_state"
            # outside WeChat nothing is redirected
            assert httpx.get(f"{rig.url}/r/{token}/join").status_code == 200
        finally:
            rig.stop()


def test_the_emulators_codes_are_single_use_short_lived_and_bound_to_the_account() -> None:
    now = [1_800_000_000.0]
    with WechatMpEmulator(appid=APPID, secret=SECRET, token="t", clock=lambda: now[0]) as wx:
        httpx.post(f"{wx.url}/test/browse", json={"openid": "oVisitor2"})

        def authorize(**over: str) -> httpx.Response:
            params = {
                "appid": APPID,
                "redirect_uri": "https://crm.example.com/wx/oauth?from=qr",
                "response_type": "code",
                "scope": "snsapi_base",
                "state": "s1",
            } | over
            return httpx.get(f"{wx.url}/connect/oauth2/authorize", params=params)

        def exchange(code: str, **over: str) -> dict:
            params = {
                "appid": APPID,
                "secret": SECRET,
                "code": code,
                "grant_type": "authorization_code",
            } | over
            return httpx.get(f"{wx.url}/sns/oauth2/access_token", params=params).json()

        def code_of(r: httpx.Response) -> str:
            assert r.status_code == 302, r.text
            where = httpx.URL(r.headers["location"])
            assert str(where).startswith("https://crm.example.com/wx/oauth?from=qr&code=")
            assert where.params["state"] == "s1"
            return where.params["code"]

        code = code_of(authorize())
        got = exchange(code)
        assert set(got) == {"access_token", "expires_in", "refresh_token", "openid", "scope"}
        assert (got["openid"], got["scope"], got["expires_in"]) == (
            "oVisitor2",
            "snsapi_base",
            7200,
        )
        assert exchange(code)["errcode"] == 40163  # used once
        assert exchange("never-issued")["errcode"] == 40029
        late = code_of(authorize())
        now[0] += CODE_TTL_S
        assert exchange(late)["errcode"] == 40029  # unused for 5 minutes: expired
        fresh = code_of(authorize())
        assert exchange(fresh, secret="wrong")["errcode"] == 40125
        assert exchange(fresh, appid="wx0")["errcode"] == 40013
        assert exchange(fresh, grant_type="client_credential")["errcode"] == 40002
        assert exchange(fresh)["openid"] == "oVisitor2"  # refusals did not spend it
        # another person browses now
        httpx.post(f"{wx.url}/test/browse", json={"openid": "oSomeoneElse"})
        assert exchange(code_of(authorize()))["openid"] == "oSomeoneElse"
        # WeChat's error page, no redirect, for a wrong appid or scope
        for over, errcode in (({"appid": "wx0"}, "10016"), ({"scope": "snsapi_login"}, "10005")):
            page = authorize(**over)
            assert page.status_code == 200 and "location" not in page.headers
            assert errcode in page.text
        # a state WeChat does not take (not a-zA-Z0-9, or over 128 bytes): no redirect
        for state in ("/r/abc/join~mac", "a" * 129, "s-1"):
            page = authorize(state=state)
            assert page.status_code == 200 and "location" not in page.headers
            assert "state" in page.text
        longest = authorize(state="a" * 128)
        assert longest.status_code == 302
        assert httpx.URL(longest.headers["location"]).params["state"] == "a" * 128
        assert httpx.post(f"{wx.url}/test/browse", json={}).status_code == 400
