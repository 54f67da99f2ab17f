"""The e-receipt page `/r/{token}`: what the cloud knows about a printed receipt.

The token is read and verified by `receipts.token`, and `receipts_page` draws a synced sale
with the `receipts` package's own HTML.  This module draws the rest: the token-only page (the
sale has not synced yet), the verdicts and the problem page.  One self-contained page: no
external assets, so it opens inside WeChat's browser on a slow link.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from receipts import document as rdoc
from receipts import html as rhtml
from receipts.token import TokenFields

CHINA = timezone(timedelta(hours=8))


def receipts_page(
    payload: dict[str, Any],
    *,
    verified: bool | None,
    extra_html: str = "",
    store_name: str = "",
    kind: str = "sale.completed",
    lead_html: str = "",
) -> str:
    """The page of a synced sale or refund (docs/events.md), drawn by the `receipts` package;
    kind is the event type (sale.completed / refund.completed)."""
    store_id = str(payload.get("store_id", ""))
    store = rdoc.StoreInfo(name=store_name or store_id, store_id=store_id)
    build = rdoc.from_refund_payload if kind == "refund.completed" else rdoc.from_sale_payload
    doc = build(payload, store=store)
    return str(
        rhtml.render_receipt_html(
            doc, verified=verified, extra_html=extra_html, lead_html=lead_html
        )
    )


@dataclass(frozen=True)
class CloudConfig:
    brand_name: str = "柜台"
    account_name: str = ""  # the brand's WeChat official account (公众号)
    account_qr_data_uri: str = ""  # data:image/png;base64,…  (no external assets)
    join_url: str = ""  # membership sign-up (会员注册)
    public_url: str = "http://127.0.0.1:8700"
    ereceipt_base_url: str = ""
    # the official account's server token (服务器配置 Token) for WeChat's pushes
    # (wechat_push.py); empty: GUITAI_WECHAT_TOKEN from the environment, else push is off
    wechat_token: str = ""
    # the official account's API (cgi-bin/token, qrcode/create) for each receipt's own follow
    # QR code (cloud/follow_qr.py); the AppSecret as given to `serve` (env:VAR or @FILE), read
    # by each worker, and its value, never passed on to a worker (server.serve_settings)
    wechat_mp_url: str = ""
    wechat_appid: str = ""
    wechat_secret_ref: str = ""
    wechat_secret: str = ""
    # the invoicing provider (cloud/fapiao/provider.py); empty: the page offers no 发票
    fapiao_url: str = ""
    # The SMS provider of the join page (cloud/sms.py; empty: joining by SMS is off).  The
    # secret is a reference (env:VAR or @FILE, secret_ref.py), never the secret itself.
    sms_url: str = ""
    sms_access_key_id: str = ""
    sms_secret_ref: str = ""
    sms_sign_name: str = ""
    sms_template: str = "SMS_GUITAI_JOIN"

    def base_url(self) -> str:
        return self.ereceipt_base_url or self.public_url.rstrip("/").upper() + "/R/"


VERDICTS = {
    "genuine": ("✔ 真实小票：签名有效", "Genuine: the till's signature is valid", "ok"),
    "altered": ("✘ 此小票已被篡改", "This receipt has been altered", "bad"),
    "unknown_till": ("? 来自未知收银台的小票", "Receipt from an unknown till", "warn"),
    "revoked_till": ("? 此收银台已停用", "The till that issued this receipt was revoked", "warn"),
}


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100}.{fen % 100:02d}"


def local_time(unix_s: int) -> str:
    return datetime.fromtimestamp(unix_s, UTC).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


STYLE = """
body{margin:0;font-family:"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;
background:#f4f4f4;color:#222}
main{max-width:480px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:8px;padding:16px;margin-bottom:12px}
h1{font-size:20px;margin:0 0 4px} .muted{color:#777;font-size:13px}
.verdict{padding:10px 12px;border-radius:6px;font-weight:bold;margin-bottom:12px}
.ok{background:#e6f6ea;color:#17692f}.bad{background:#fde8e8;color:#a01818}
.warn{background:#fff4de;color:#8a5a00}
table{width:100%;border-collapse:collapse;font-size:14px} td{padding:4px 0}
td.r{text-align:right} .total{font-size:22px;font-weight:bold}
.qr{width:160px;height:160px;display:block;margin:8px auto}
.btn{display:block;text-align:center;background:#07c160;color:#fff;padding:12px;
border-radius:6px;text-decoration:none;font-weight:bold}
"""


def verdict_html(verdict: str) -> str:
    zh, en, cls = VERDICTS[verdict]
    return (
        f'<div class="verdict {cls}">{html.escape(zh)}<br>'
        f'<span class="muted">{html.escape(en)}</span></div>'
    )


def invite_html(cfg: CloudConfig) -> str:
    parts = ['<div class="card"><h1>关注我们 · 加入会员</h1>']
    if cfg.account_name:
        parts.append(
            f"<p>长按识别二维码，关注公众号「{html.escape(cfg.account_name)}」，"
            "查看电子小票、积分与新品。</p>"
        )
    if cfg.account_qr_data_uri.startswith("data:image/"):
        parts.append(
            f'<img class="qr" alt="公众号二维码" src="{html.escape(cfg.account_qr_data_uri)}">'
        )
    if cfg.join_url:
        parts.append(f'<a class="btn" href="{html.escape(cfg.join_url)}">立即加入会员</a>')
    else:
        parts.append("<p>在门店收银台报手机号即可加入会员，积分抵现、生日礼遇。</p>")
    parts.append("</div>")
    return "".join(parts)


def page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def token_only_page(
    *,
    store_name: str,
    store_id: str,
    till_no: int | None,
    fields: TokenFields,
    verdict: str,
    cfg: CloudConfig,
    lead_html: str = "",
    invite: bool = True,
    extra_html: str = "",
) -> str:
    """The page of a receipt whose sale has not synced yet (or whose till is unknown, or
    whose token was altered): what the token says.  `lead_html` (the summary above the
    fold, which carries the verdict) opens it; `extra_html` holds the page's sections
    (cloud/pages/); `invite` is off for a known member."""
    e = html.escape
    head = (
        f'<div class="card"><h1>{e(cfg.brand_name)} · {e(store_name or store_id)}</h1>'
        f'<div class="muted">收银台 {e(str(till_no or "?"))} · 小票号 {fields.receipt_no} · '
        f"{e(local_time(fields.issued_at))}</div></div>"
    )
    body = [
        lead_html or verdict_html(verdict),
        head,
        f'<div class="card"><h1>小票摘要</h1><table>'
        f'<tr><td>合计</td><td class="r total">{yuan(fields.total_fen)}</td></tr>'
        '</table><p class="muted">明细正在同步中，请稍后刷新查看。'
        "(Details are on their way from the store.)</p></div>",
        extra_html,  # sections of the page (cloud/pages/), already escaped
    ]
    if invite:
        body.append(invite_html(cfg))
    return page(f"{cfg.brand_name} 电子小票", "".join(body))


def problem_page(cfg: CloudConfig, zh: str, en: str) -> str:
    return page(
        f"{cfg.brand_name} 电子小票",
        f'<div class="verdict bad">{html.escape(zh)}<br><span class="muted">'
        f"{html.escape(en)}</span></div>" + invite_html(cfg),
    )
