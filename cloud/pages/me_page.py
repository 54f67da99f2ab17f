"""The member's pages: my receipts (newest first) and a receipt's return voucher.  Every
value is escaped; nothing personal is in a URL (the session cookie says who)."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from ..ereceipt import CHINA, page, yuan


def _day(iso: str) -> str:
    try:
        at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return at.astimezone(CHINA).strftime("%Y-%m-%d")


TIERS = {"core": "核心会员", "potential": "潜力会员", "ordinary": "普通会员"}


def home_page(brand: str, m: dict[str, Any]) -> str:
    e = html.escape
    body = (
        f'<div class="card"><h1>{e(brand)} · 我的会员</h1>'
        f'<div class="muted">{e(str(m["name"] or "会员"))} · '
        f"{e(TIERS.get(str(m['tier']), str(m['tier'])))}</div>"
        f'<p>积分 <span class="total">{int(m["points"])}</span></p></div>'
        '<a class="btn" href="/me/receipts">我的小票 · 退换凭证</a>'
    )
    return page(f"{brand} 我的会员", body)


def receipts_page(brand: str, items: list[dict[str, Any]]) -> str:
    e = html.escape
    rows = []
    for it in items:
        total = yuan(it["total_fen"]) if it["total_fen"] is not None else "同步中"
        links = []
        if it["page"]:
            links.append(f'<a href="{e(it["page"])}">电子小票</a>')
        if it["voucher"]:
            links.append(f'<a href="{e(it["voucher"])}">退换凭证</a>')
        rows.append(
            f'<li class="card"><b>{e(str(it["store_name"]))}</b> · 小票号 {e(str(it["receipt_no"]))}'
            f'<div class="muted">{e(_day(str(it["at"])))} · {total}</div>'
            f"<div>{' · '.join(links)}</div></li>"
        )
    body = (
        f'<div class="card"><h1>{e(brand)} · 我的小票</h1>'
        '<div class="muted">各门店的购物小票，最新的在前</div></div>'
        + (
            f'<ul style="list-style:none;padding:0">{"".join(rows)}</ul>'
            if rows
            else '<div class="card">暂无小票。</div>'
        )
    )
    return page(f"{brand} 我的小票", body)


def voucher_page(brand: str, v: dict[str, Any]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(str(ln['name'] or ln['sku']))}"
        f'<br><span class="muted">{e(str(ln["sku"]))} · 购买 {ln["qty"]} 件'
        + (f" · 已退 {ln['returned']} 件" if ln["returned"] else "")
        + f'</span></td><td class="r">可退 {ln["returnable"]}</td></tr>'
        for ln in v["lines"]
    )
    until = _day(str(v["return_until"]))
    state = (
        f'<div class="verdict ok">可退换至 {e(until)}（{v["return_window_days"]} 天内）</div>'
        if v["open"]
        else f'<div class="verdict warn">退换期已于 {e(until)} 结束</div>'
    )
    body = (
        f'<div class="card"><h1>{e(brand)} · 退换凭证</h1>'
        f'<div class="muted">{e(str(v["store_name"]))} · 小票号 {e(str(v["receipt_no"]))} · '
        f"{e(_day(str(v['sold_at'])))} · {yuan(int(v['total_fen'] or 0))}</div></div>"
        f'{state}<div class="card"><table>{rows}</table>'
        '<p class="muted">凭此页面到任一门店办理退换，请携带商品。</p></div>'
        '<p class="muted"><a href="/me/receipts">返回我的小票</a></p>'
    )
    return page(f"{brand} 退换凭证", body)


def signin_needed_page(brand: str) -> str:
    return page(
        f"{brand} 我的小票",
        '<div class="verdict warn">请先登录会员<br><span class="muted">Sign in first</span></div>'
        '<div class="card">扫描任一电子小票上的二维码，点击“入会领积分”并验证手机号，'
        "即可查看您在各门店的小票。</div>",
    )
