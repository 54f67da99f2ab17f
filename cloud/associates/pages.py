"""The workbench's HTML: server-rendered, every value escaped, one column at a phone's width."""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
*{box-sizing:border-box}body{margin:0;font:16px/1.45 -apple-system,"PingFang SC",
"Noto Sans CJK SC",sans-serif;background:#f4f1ec;color:#222}
main{max-width:480px;margin:0 auto;padding:12px}
header{background:#7a1f2b;color:#fff;padding:14px 12px}header h1{margin:0;font-size:20px}
header p{margin:2px 0 0;font-size:13px;opacity:.85}
.card{background:#fff;border-radius:10px;padding:12px;margin:10px 0;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card h2{margin:0 0 6px;font-size:17px}.muted{color:#777;font-size:13px}
.tier{display:inline-block;background:#c9a45c;color:#fff;border-radius:4px;padding:0 6px;
font-size:12px}.no{background:#999}
blockquote{margin:8px 0;padding:8px;background:#faf6ee;border-left:3px solid #c9a45c}
textarea,input,select{width:100%;font-size:16px;padding:8px;border:1px solid #ccc;
border-radius:6px;margin:4px 0}
button{width:100%;font-size:16px;padding:10px;border:0;border-radius:6px;background:#7a1f2b;
color:#fff;margin-top:4px}button.alt{background:#c9a45c}
.flash{background:#e4f3e4;border-radius:6px;padding:8px;margin:8px 0}
.err{background:#fbe3e3}ul{padding-left:18px;margin:4px 0}
.nums{display:grid;grid-template-columns:1fr 1fr;gap:6px}.nums div{background:#faf6ee;
padding:6px;border-radius:6px}.nums b{display:block;font-size:18px}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def sign_in_page(csrf: str, error: str = "") -> str:
    err = f'<p class="flash err" id="error">{escape(error)}</p>' if error else ""
    return _page(
        "导购工作台 · Sign in",
        "<header><h1>导购工作台</h1><p>Associate workbench</p></header><main>"
        f'<div class="card"><h2>登录 Sign in</h2>{err}'
        '<form method="post" action="/a/login">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        '<label>姓名 Name<input name="name" id="name" autocomplete="username" required></label>'
        '<label>密码 Password<input name="password" id="password" type="password" '
        'autocomplete="current-password" required></label>'
        '<button type="submit" id="sign-in">登录 Sign in</button></form></div></main>',
    )


def _card(card: dict[str, Any]) -> str:
    tier = f'<span class="tier">{escape(card["tier"] or "-")}</span>'
    consent = (
        '<span class="tier">同意营销 consent</span>'
        if card["consent"]
        else '<span class="tier no">未同意 no consent</span>'
    )
    sizes = "，".join(f"{escape(c)} {escape(s)}" for c, s in card["sizes"].items()) or "—"
    last = (
        "".join(
            f"<li>{escape(b['at'][:10])} {_yuan(b['total_fen'])} "
            f"{escape('、'.join(b['items'][:3]))}</li>"
            for b in card["last"]
        )
        or "<li>—</li>"
    )
    tips = "".join(f"<li>{escape(s)}</li>" for s in card["suggestions"]) or "<li>—</li>"
    return (
        f"<p><b>{escape(card['name'] or '会员')}</b> {escape(card['phone'])} {tier} {consent}</p>"
        f'<p class="muted">尺码 Sizes: {sizes}</p>'
        f'<p class="muted">最近购买 Last purchases:</p><ul>{last}</ul>'
        f'<p class="muted">推荐 Suggestions:</p><ul>{tips}</ul>'
    )


def workbench_page(
    name: str,
    store: str,
    tasks: list[dict[str, Any]],
    coupons: list[dict[str, Any]],
    numbers: dict[str, Any],
    csrf: str,
    flash: str = "",
) -> str:
    hidden = f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
    items = []
    for i, t in enumerate(tasks):
        card = t["card"]
        coupon_form = ""
        if coupons and card["consent"] and t["member_id"]:
            options = "".join(
                f'<option value="{escape(c["code"])}">{escape(c["name"])}</option>' for c in coupons
            )
            coupon_form = (
                f'<form method="post" action="/a/coupon">{hidden}'
                f'<input type="hidden" name="member_id" value="{escape(t["member_id"])}">'
                f'<select name="code" id="coupon-{i}">{options}</select>'
                f'<button class="alt" type="submit" id="send-{i}">发券 Send coupon</button></form>'
            )
        items.append(
            f'<div class="card task" id="task-{i}" data-key="{escape(t["key"])}">'
            f"<h2>{escape(t['title'])}</h2>"
            f'<p class="muted">到期 Due {escape(str(t["due_at"])[:16])}</p>'
            f"{_card(card)}"
            f'<p class="muted">建议话术 Suggested message:</p><blockquote>{escape(t["script"])}'
            "</blockquote>"
            f'<form method="post" action="/a/done">{hidden}'
            f'<input type="hidden" name="key" value="{escape(t["key"])}">'
            f'<textarea name="note" id="note-{i}" rows="2" placeholder="备注 Note"></textarea>'
            f'<button type="submit" id="done-{i}">完成 Done</button></form>{coupon_form}</div>'
        )
    f = numbers["funnel"]
    flash_html = f'<p class="flash" id="flash">{escape(flash)}</p>' if flash else ""
    return _page(
        "导购工作台",
        f"<header><h1>导购工作台 · {escape(name)}</h1><p>{escape(store)} · "
        f'<form method="post" action="/a/logout" style="display:inline">{hidden}'
        '<button style="width:auto;padding:2px 8px;margin:0" class="alt">退出 Sign out'
        "</button></form></p></header><main>"
        f"{flash_html}"
        f'<h2 id="today">今日任务 Today\'s tasks ({len(tasks)})</h2>'
        + ("".join(items) or '<div class="card" id="no-tasks">今天没有任务 Nothing due today</div>')
        + '<div class="card" id="numbers"><h2>我的业绩 My sales</h2><div class="nums">'
        f"<div>今日 Today<b>{numbers['sales_today']} 单 {_yuan(numbers['sales_today_fen'])}</b>"
        f"</div><div>本月 This month<b>{numbers['sales_month']} 单 "
        f"{_yuan(numbers['sales_month_fen'])}</b></div>"
        f"<div>小票 Receipts<b>{f['receipts_printed']}</b></div>"
        f"<div>打开 Opened<b>{f['ereceipts_opened']}</b></div>"
        f"<div>关注 Follows<b>{f['follows']}</b></div><div>入会 Joins<b>{f['joins']}</b></div>"
        "</div></div></main>",
    )
