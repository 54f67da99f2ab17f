"""/console/members: search a member by phone, the member's single view (tier, spend,
purchases across stores, coupons redeemed, points and stored-value ledgers, tags,
follow-ups), and the tier distribution (631) at each month end and now (tier_trend.py).

The phone number is shown in full to head office only; a store manager sees it masked
(138****0001), on the search answer and on the member's page alike."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from .layout import bar_chart, esc, money, table
from .tier_trend import tier_chart, tier_name, tier_trend
from .web import Ctx, NotFound


def mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def _phone(ctx: Ctx, phone: str) -> str:
    return phone if ctx.viewer.hq else mask(phone)


def members(ctx: Ctx) -> Response:
    phone = "".join(c for c in ctx.arg("phone") if c.isdigit())
    if phone:
        with ctx.db.tx() as tx:
            row = tx.execute("SELECT id FROM members WHERE phone = ?", (phone,)).fetchone()
        if row is None:
            raise NotFound(f"没有手机号为 {mask(phone)} 的会员 / No member with that phone")
        return RedirectResponse(f"/console/members/{row[0]}", status_code=303)
    with ctx.db.tx() as tx:
        trend = tier_trend(tx, ctx.console.now(), None if ctx.viewer.hq else ctx.viewer.stores)
    now = [(tier_name(t), n) for t, n in trend.counts[-1].items() if n]
    head = ["月末 Month end", *(esc(tier_name(t)) for t in trend.tiers), "合计 Total"]
    rows = [
        [esc("现在 now" if label == "now" else label)]
        + [f"{counts[t]:,}" for t in trend.tiers]
        + [f"{sum(counts.values()):,}"]
        for label, counts in zip(trend.labels, trend.counts, strict=True)
    ]
    body = (
        "<h1>会员 Members</h1>"
        '<form class="filters card" method="get" action="/console/members">'
        '<label>手机号 Phone<br><input name="phone" inputmode="numeric" autocomplete="off">'
        '</label><button type="submit">查找 Find</button></form>'
        '<h2>会员等级分布 Tiers</h2><div class="card" id="tiers">'
        + bar_chart("会员等级 Tiers", now, fmt="count")
        + "</div><h2>等级分布变化 Tiers over time (at each month end)</h2>"
        '<div class="card" id="tier-trend">'
        + tier_chart(trend)
        + table(head, rows, numeric=tuple(range(1, len(head))))
        + "</div>"
    )
    return ctx.page("会员 Members", body)


def member(ctx: Ctx) -> Response:
    member_id = str(ctx.request.path_params["member_id"])
    views = ctx.console.service.members.views
    try:
        m: dict[str, Any] = views.member_view(member_id)
    except Exception as err:  # ApiError unknown_member
        raise NotFound(f"没有会员 {member_id} / No member {member_id}") from err
    with ctx.db.tx() as tx:
        points = tx.execute(
            "SELECT at, delta, reason FROM points_ledger WHERE member_id = ? ORDER BY id DESC "
            "LIMIT 50",
            (m["id"],),
        ).fetchall()
        stored = tx.execute(
            "SELECT at, delta_fen, reference FROM stored_value_ledger WHERE member_id = ? "
            "ORDER BY id DESC LIMIT 50",
            (m["id"],),
        ).fetchall()
        coupons = tx.execute(
            "SELECT at, code, sale_id FROM coupon_redemptions WHERE member_id = ? ORDER BY at",
            (m["id"],),
        ).fetchall()
    spend = sum(int(p["total_fen"]) for p in m["purchases"])
    stores = sorted({str(p["store_id"]) for p in m["purchases"] if p["store_id"]})
    facts = [
        ["手机号 Phone", esc(_phone(ctx, str(m["phone"])))],
        ["姓名 Name", esc(m.get("name") or "—")],
        ["等级 Tier", esc(m.get("tier"))],
        ["消费 Spend", esc(money(spend))],
        ["积分 Points", f"{int(m.get('points') or 0):,}"],
        ["储值余额 Stored value", esc(money(int(m.get("stored_value_fen") or 0)))],
        ["标签 Tags", esc(m.get("tags") or "—")],
        ["门店 Stores", esc(", ".join(stores) or "—")],
        ["入会 Joined", esc(m.get("created_at"))],
    ]
    purchases = [
        [esc(p["at"]), esc(p["store_id"]), esc(p["kind"]), esc(p["receipt_no"]),
         esc(p["associate"] or "—"),
         esc(" · ".join(f"{i.get('name', '')} ×{i.get('qty', '')}" for i in p["items"]
                        if isinstance(i, dict))),
         esc(money(int(p["total_fen"])))]
        for p in reversed(m["purchases"])
    ]  # fmt: skip
    followups = [
        [esc(f.get("due_at") or ""), esc(f.get("step") or ""), esc(f.get("associate") or ""),
         esc(f"✓ {f.get('done_at')} {f.get('done_by') or ''}" if f.get("done_at") else "—")]
        for f in m.get("followups") or [] if isinstance(f, dict)
    ]  # fmt: skip
    body = (
        f"<h1>会员 Member {esc(m['id'])}</h1>"
        '<div class="card" id="member">'
        + table(["", ""], facts)
        + '</div><h2>购买记录 Purchases (all stores)</h2><div class="card">'
        + table(
            [
                "时间 At",
                "门店 Store",
                "类型 Kind",
                "小票 Receipt",
                "导购 Associate",
                "商品 Items",
                "金额 Amount",
            ],
            purchases,
            numeric=(6,),
        )
        + '</div><h2>积分 Points ledger</h2><div class="card">'
        + table(
            ["时间 At", "变动 Change", "原因 Reason"],
            [[esc(r[0]), f"{int(r[1]):+,}", esc(r[2])] for r in points],
            numeric=(1,),
        )
        + '</div><h2>储值 Stored value ledger</h2><div class="card">'
        + table(
            ["时间 At", "变动 Change", "单据 Reference"],
            [[esc(r[0]), esc(money(int(r[1]))), esc(r[2])] for r in stored],
            numeric=(1,),
        )
        + '</div><h2>已用优惠券 Coupons redeemed</h2><div class="card">'
        + table(
            ["时间 At", "券码 Code", "销售 Sale"],
            [[esc(r[0]), esc(r[1]), esc(r[2])] for r in coupons],
        )
        + '</div><h2>跟进 Follow-ups</h2><div class="card">'
        + table(["到期 Due", "步骤 Step", "导购 Associate", "完成 Done"], followups)
        + "</div>"
    )
    return ctx.page(f"会员 {m['id']}", body)
