"""/console/catalog: prices and member prices, promotions and coupons with their validity,
a price change (head office only) published to the tills through the change feed, and a
preview of what a store's till receives (/console/catalog/preview?store=S)."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import RedirectResponse, Response

from ..common import ApiError
from ..db import Tx
from .layout import csrf_field, esc, money, table
from .web import Ctx, NotFound, Refused

YUAN = re.compile(r"(\d{1,9})(?:\.(\d{1,2}))?")


def fen(text: str) -> int | None:
    """¥ as typed (459, 459.5, 459.50) to integer fen, without floats; None if not money."""
    m = YUAN.fullmatch(text.strip().lstrip("¥"))
    if m is None:
        return None
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))


def _latest(tx: Tx, kind: str, limit: int = 200) -> list[dict[str, Any]]:
    """The newest published state of each `kind` key (what a till holds after pulling)."""
    rows = tx.execute(
        "SELECT c.key, c.op, c.data, c.at FROM changes c JOIN (SELECT key, MAX(cursor) AS m "
        "FROM changes WHERE kind = ? GROUP BY key) n ON n.m = c.cursor ORDER BY c.key LIMIT ?",
        (kind, limit),
    ).fetchall()
    return [
        {"key": r[0], "op": r[1], "data": json.loads(r[2]), "at": r[3]}
        for r in rows
        if r[1] != "delete"
    ]


def catalog(ctx: Ctx) -> Response:
    q = ctx.arg("q")
    with ctx.db.tx() as tx:
        prices = tx.execute(
            "SELECT sku, price_fen, member_price_fen, updated_at FROM prices "
            "WHERE sku LIKE ? ORDER BY sku LIMIT 100",
            (q.replace("%", "").replace("_", "") + "%",),
        ).fetchall()
        promotions = _latest(tx, "promotion")
        coupons = tx.execute(
            "SELECT code, data, updated_at FROM coupons ORDER BY code LIMIT 200"
        ).fetchall()
    price_rows = [
        [esc(r[0]), esc(money(int(r[1]))), esc(money(int(r[2]))) if r[2] is not None else "—",
         esc(r[3])]
        for r in prices
    ]  # fmt: skip
    promo_rows = []
    for p in promotions:
        d = p["data"]
        promo_rows.append(
            [esc(d.get("id")), esc(d.get("name")), esc(d.get("kind")),
             "✓ 有效 active" if d.get("active", True) else "✕ 停用 inactive",
             "会员 members" if d.get("members_only") else "全部 everyone",
             esc(", ".join(d.get("categories") or []) or "全部 all"), esc(p["at"])]
        )  # fmt: skip
    coupon_rows = []
    for code, data, _at in coupons:
        d = json.loads(data)
        amount = d.get("amount_fen")
        coupon_rows.append(
            [esc(code), esc(d.get("name") or ""), esc(d.get("kind") or ""),
             esc(money(int(amount))) if isinstance(amount, int) else esc(d.get("percent_bp") or ""),
             esc(d.get("expires_at") or d.get("expires") or "不限 none"),
             esc(d.get("member_id") or "任何人 anyone")]
        )  # fmt: skip
    edit = ""
    if ctx.viewer.hq:
        edit = (
            '<h2>改价 Change a price</h2><form class="filters card" method="post" '
            f'action="/console/catalog/price">{csrf_field(ctx.session.csrf)}'
            '<label>SKU<br><input name="sku" required></label>'
            '<label>售价 Price ¥<br><input name="price" inputmode="decimal" required></label>'
            '<label>会员价 Member price ¥ (可空 optional)<br><input name="member_price" '
            'inputmode="decimal"></label><button type="submit">发布 Publish</button></form>'
        )
    msg = ""
    if ctx.arg("done") == "price":
        msg = '<p class="msg">新价格已发布，收银台下次同步时生效。Published: tills take it at their next pull.</p>'
    body = (
        f"<h1>商品与促销 Catalog and promotions</h1>{msg}"
        '<form class="filters card" method="get" action="/console/catalog">'
        f'<label>SKU 前缀 prefix<br><input name="q" value="{esc(q)}"></label>'
        '<button type="submit">查找 Find</button> <a href="/console/catalog/preview">'
        "收银台将收到 What a till receives</a></form>"
        '<h2>价格 Prices</h2><div class="card" id="prices">'
        + table(["SKU", "售价 Price", "会员价 Member price", "更新 Updated"], price_rows, (1, 2))
        + "</div>"
        + edit
        + '<h2>促销 Promotions</h2><div class="card" id="promotions">'
        + table(
            [
                "编号 Id",
                "名称 Name",
                "类型 Kind",
                "状态 State",
                "对象 For",
                "品类 Categories",
                "发布 Published",
            ],
            promo_rows,
        )
        + '</div><h2>优惠券 Coupons</h2><div class="card" id="coupons">'
        + table(
            [
                "券码 Code",
                "名称 Name",
                "类型 Kind",
                "面额 Value",
                "有效期至 Valid until",
                "发给 Issued to",
            ],
            coupon_rows,
        )
        + "</div>"
    )
    return ctx.page("商品与促销 Catalog", body)


def set_price(ctx: Ctx) -> Response:
    if not ctx.viewer.hq:  # prices are the chain's: head office sets them
        raise Refused("全部门店 every store")
    sku = ctx.form.get("sku", "").strip()
    price = fen(ctx.form.get("price", ""))
    member_text = ctx.form.get("member_price", "").strip()
    member = fen(member_text) if member_text else None
    if not sku or price is None or (member_text and member is None):
        raise NotFound(
            "请填写 SKU 和以元为单位的价格（如 459.00）。Give a SKU and a price in yuan (e.g. 459.00)."
        )
    try:
        published = ctx.console.service.admin.set_price(sku, price, member)
    except ApiError as err:
        raise NotFound(err.message) from err
    ctx.audit("set_price", "", sku, json.dumps(published, ensure_ascii=False, sort_keys=True))
    return RedirectResponse("/console/catalog?done=price", status_code=303)


def preview(ctx: Ctx) -> Response:
    store = ctx.arg("store")
    if store:
        ctx.require_store(store)
    elif not ctx.viewer.hq:
        store = sorted(ctx.viewer.stores)[0]
    with ctx.db.tx() as tx:
        rows = tx.execute(
            "SELECT cursor, kind, op, key, data, store_id, at FROM changes "
            "WHERE store_id IS NULL OR store_id = ? ORDER BY cursor DESC LIMIT 50",
            (store,),
        ).fetchall()
    out = [
        [str(r[0]), esc(r[1]), esc(r[2]), esc(r[3]), esc(r[5] or "全部 all"),
         f"<code>{esc(json.dumps(json.loads(r[4]), ensure_ascii=False))[:400]}</code>",
         esc(r[6])]
        for r in rows
    ]  # fmt: skip
    body = (
        f"<h1>收银台将收到 What a till of {esc(store or '…')} receives</h1>"
        '<p class="muted">最近 50 条变更，按收银台拉取的顺序倒排（GET /v1/changes）。The newest 50 '
        "changes in the change feed a till of this store pulls, newest first.</p>"
        '<form class="filters card" method="get" action="/console/catalog/preview">'
        f'<label>门店 Store<br><input name="store" value="{esc(store)}" size="8"></label>'
        '<button type="submit">查看 Show</button></form><div class="card" id="preview">'
        + table(
            ["游标 Cursor", "类型 Kind", "操作 Op", "键 Key", "门店 Store", "数据 Data", "时间 At"],
            out,
        )
        + "</div>"
    )
    return ctx.page("收银台将收到 Preview", body)
