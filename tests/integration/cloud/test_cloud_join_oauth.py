"""Inside WeChat the join page learns the visitor's openid through snsapi_base (a fake WeChat
on loopback): the member who joins is the WeChat user, kept in the signed session only."""

from __future__ import annotations

from pathlib import Path

import httpx
from join_kit import start_join_rig
from wechat_oauth_fake import FakeWechatOAuth

from cloud.ereceipt import CloudConfig

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47"
)
PHONE = "13612345678"


def test_inside_wechat_the_member_is_the_wechat_user(tmp_path: Path) -> None:
    with FakeWechatOAuth("wx1234567890abcdef", "mp-secret", "oOPENID_visitor_1") as wx:
        cfg = CloudConfig(
            brand_name="青衫",
            wechat_mp_url=wx.url,
            wechat_appid="wx1234567890abcdef",
            wechat_secret="mp-secret",
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
                page = phone.get(f"{rig.url}/r/{token}/join", follow_redirects=True)
                assert page.status_code == 200 and "入会领积分" in page.text
                assert wx.exchanges == 1
                assert "oOPENID" not in str(page.url)  # nothing personal in a URL
                # signed in with the openid: the page no longer goes to WeChat
                assert phone.get(f"{rig.url}/r/{token}/join").status_code == 200
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
