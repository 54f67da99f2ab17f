"""What the e-receipt page shows above the fold on a phone (390×844), and the page for a
token the cloud cannot vouch for.

Above the fold: the brand, the verified badge, the total, and ONE big action chosen by who
is looking (visitor.py):
- a stranger, or a WeChat user who does not follow the account: 关注 (follow), which opens
  this receipt's own follow QR code (follow_qr.py), so the follow is credited to the receipt,
  its store and its associate;
- a follower who is not a member: 入会领积分 (join, and get this receipt's points);
- a member in their own session: 我的会员.
Without the member's own session the page shows no tier, points, phone, name or balance
(`private_payload`): whoever holds the paper is not necessarily the member.

An altered token, or one from a till this brand never enrolled, gets a page that says so and
shows nothing of the receipt (no total, no "details on their way"): its contents are not the
store's word.  Every string from a request or a synced sale is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from ..ereceipt import VERDICTS, CloudConfig, page, yuan
from .visitor import Visitor

VISITOR, FOLLOWER, MEMBER = "visitor", "follower", "member"
MEMBER_HOME = "/me"  # the member's own pages (the join flow's; issue 19 item 5)
UNVERIFIED = ("altered", "unknown_till")

# What a page must not show to anyone but the member: the receipt's member block and the
# points lines a till may put beside it (receipts/document.py, _member).
PRIVATE_KEYS = ("member", "points_earned", "points_balance")

HERO_STYLE = """
.gt-hero{background:#fff;border-radius:10px;padding:16px;margin:0 0 12px;text-align:center;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
.gt-brand{font-size:22px;font-weight:700;margin:0}
.gt-store{color:#777;font-size:13px;margin:2px 0 10px}
.gt-badge{display:inline-block;border-radius:14px;padding:4px 12px;font-size:14px;
font-weight:600}
.gt-badge.ok{background:#e6f6ea;color:#17692f}.gt-badge.warn{background:#fff4de;color:#8a5a00}
.gt-badge.bad{background:#fde8e8;color:#a01818}
.gt-total-label{color:#777;font-size:13px;margin-top:12px}
.gt-total{font-size:34px;font-weight:800;margin:0 0 14px}
.gt-action{display:block;box-sizing:border-box;width:100%;min-height:52px;line-height:52px;
background:#07c160;color:#fff;border-radius:26px;font-size:18px;font-weight:700;
text-decoration:none;list-style:none;cursor:pointer}
.gt-action::-webkit-details-marker{display:none}
.gt-qr{width:200px;height:200px;display:block;margin:12px auto 4px}
.gt-note{color:#555;font-size:13px;margin:6px 0 0}
.gt-plain{text-align:left;font-size:15px;line-height:1.6}
"""


@dataclass(frozen=True)
class HeroView:
    """What the hero needs besides the receipt: the page state and the follow code."""

    state: str
    follow_qr: dict[str, Any] | None = None  # {ticket, url, …} of this receipt's code


def page_state(visitor: Visitor, following: bool) -> str:
    if visitor.member_id:
        return MEMBER
    return FOLLOWER if visitor.openid and following else VISITOR


def private_payload(payload: dict[str, Any], owner: bool) -> dict[str, Any]:
    """The synced sale as this visitor may see it: without the member's data unless the
    visitor is that member."""
    if owner:
        return payload
    return {k: v for k, v in payload.items() if k not in PRIVATE_KEYS}


@lru_cache(maxsize=2048)
def qr_png_data_uri(text: str) -> str:
    """A QR code of `text` as an inline PNG (an <img>, so WeChat's long press recognises it;
    inline, so the page loads nothing from elsewhere).  Kept per process: drawing one costs
    milliseconds, and a receipt's code is the same on every visit."""
    import qrcode

    buf = io.BytesIO()
    qrcode.make(text, box_size=6, border=2).save(buf)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _follow_action(cfg: CloudConfig, follow_qr: dict[str, Any] | None) -> str:
    e = html.escape
    account = f"「{e(cfg.account_name)}」" if cfg.account_name else ""
    if follow_qr is not None:
        img = (
            f'<img class="gt-qr" id="gt-follow-qr" alt="关注公众号二维码" '
            f'data-ticket="{e(str(follow_qr["ticket"]))}" '
            f'src="{qr_png_data_uri(str(follow_qr["url"]))}">'
        )
    elif cfg.account_qr_data_uri.startswith("data:image/"):
        img = f'<img class="gt-qr" alt="关注公众号二维码" src="{e(cfg.account_qr_data_uri)}">'
    else:
        img = ""
    how = (
        f"长按识别二维码，关注公众号{account}：查看电子小票、积分与会员权益。"
        if img
        else f"在微信中搜索公众号{account or '（门店可告诉您名称）'}并关注：查看电子小票、积分与会员权益。"
    )
    # <details>: the QR code opens under the button without a script (WeChat's browser
    # included), and stays on the page for the long press
    return (
        '<details class="gt-follow" id="gt-follow"><summary class="gt-action" '
        f'id="gt-action">关注{account}</summary>{img}<p class="gt-note">{how}</p></details>'
    )


def action_html(cfg: CloudConfig, token: str, view: HeroView) -> str:
    if view.state == MEMBER:
        return f'<a class="gt-action" id="gt-action" href="{MEMBER_HOME}">我的会员</a>'
    if view.state == FOLLOWER:
        join = f"/r/{quote(token, safe='')}/join"
        return (
            f'<a class="gt-action" id="gt-action" href="{html.escape(join)}">入会领积分</a>'
            '<p class="gt-note">加入会员，本张小票的积分立即到账</p>'
        )
    return _follow_action(cfg, view.follow_qr)


def hero_html(
    cfg: CloudConfig,
    *,
    token: str,
    store_name: str,
    verdict: str,
    total_fen: int,
    refund: bool,
    view: HeroView,
) -> str:
    e = html.escape
    zh, en, cls = VERDICTS[verdict]
    label = "退款合计" if refund else "实付金额"
    return (
        f"<style>{HERO_STYLE}</style>"
        f'<section class="gt-hero" id="gt-hero" data-state="{e(view.state)}">'
        f'<p class="gt-brand" id="gt-brand">{e(cfg.brand_name)}</p>'
        f'<p class="gt-store">{e(store_name)}</p>'
        f'<span class="gt-badge {cls}" id="gt-badge" title="{e(en)}">{e(zh)}</span>'
        f'<div class="gt-total-label">{label}</div>'
        f'<p class="gt-total" id="gt-total">{e(yuan(total_fen))}</p>'
        f"{action_html(cfg, token, view)}</section>"
    )


UNVERIFIED_TEXT = {
    "altered": (
        "这张小票二维码里的内容，与门店收银台签发的不一致：它被改动过。",
        "请勿凭它退换货或开发票。如有疑问，请带纸质小票到门店核实。",
        "The contents of this receipt's QR code differ from what the store's till signed: "
        "it has been altered. Do not use it for a return or an invoice; if in doubt, take "
        "the paper receipt to the store.",
    ),
    "unknown_till": (
        "这张小票不是由本品牌登记的收银台签发的，无法核实它的内容。",
        "请勿凭它退换货或开发票。如有疑问，请带纸质小票到门店核实。",
        "This receipt was not issued by a till this brand has registered, so its contents "
        "cannot be checked. Do not use it for a return or an invoice; if in doubt, take the "
        "paper receipt to the store.",
    ),
}


def unverified_page(cfg: CloudConfig, verdict: str) -> str:
    """The page for an altered token or one from an unknown till: what happened and what to
    do, and nothing of the receipt."""
    e = html.escape
    zh, en, cls = VERDICTS[verdict]
    what, todo, english = UNVERIFIED_TEXT[verdict]
    body = (
        f"<style>{HERO_STYLE}</style>"
        f'<section class="gt-hero" id="gt-hero" data-state="{e(verdict)}">'
        f'<p class="gt-brand" id="gt-brand">{e(cfg.brand_name)}</p>'
        f'<div class="verdict {cls}" id="gt-badge">{e(zh)}<br>'
        f'<span class="muted">{e(en)}</span></div>'
        f'<div class="gt-plain"><p>{e(what)}</p><p>{e(todo)}</p>'
        f'<p class="muted" lang="en">{e(english)}</p></div></section>'
    )
    return page(f"{cfg.brand_name} 电子小票", body)
