"""/console/sales: a period's sales with charts (store ranking, the days, one day's hours)
and tables by tender, category, associate and till; /console/sales.csv exports any of them.

The period defaults to the month so far (China time).  A store manager's figures are their
stores' only; naming another store is refused (403), not quietly emptied."""

from __future__ import annotations

import csv
import io
import re

from starlette.responses import Response

from . import chain
from .facts import CHINA
from .layout import bar_chart, esc, money, table
from .sales_data import DIMS, Period, grouped, totals
from .tills import visible_stores
from .web import HEADERS, Ctx

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
LABELS = {
    "store": "门店 Store", "day": "日期 Day", "hour": "时段 Hour", "tender": "支付方式 Tender",
    "category": "品类 Category", "associate": "导购 Associate", "till": "收银台 Till",
}  # fmt: skip


def _period(ctx: Ctx) -> tuple[Period, str, str]:
    """The period asked for (checked), the store filter's value, and the day for hours."""
    today = (ctx.console.now() + CHINA).date()
    start = ctx.arg("from") if DAY.fullmatch(ctx.arg("from")) else today.replace(day=1).isoformat()
    end = ctx.arg("to") if DAY.fullmatch(ctx.arg("to")) else today.isoformat()
    if end < start:
        start, end = end, start
    day = ctx.arg("day") if DAY.fullmatch(ctx.arg("day")) else end
    store = ctx.arg("store")
    if store:
        ctx.require_store(store)
        stores: tuple[str, ...] | None = (store,)
    else:
        stores = None if ctx.viewer.hq else tuple(sorted(ctx.viewer.stores))
    return Period(start, end, stores), store, day


def _rows(rows: list[dict[str, object]]) -> list[list[str]]:
    return [
        [esc(r["key"]), f'{r["sales"]:,}', f'{r["refunds"]:,}', f'{r["qty"]:,}',
         esc(money(int(r["sales_fen"]))), esc(money(int(r["refunds_fen"]))),  # type: ignore[call-overload]
         f'<b>{esc(money(int(r["net_fen"])))}</b>']  # type: ignore[call-overload]
        for r in rows
    ]  # fmt: skip


HEAD = ["", "笔数 Sales", "退货 Refunds", "件数 Items", "销售额 Sales", "退款 Refunds", "净额 Net"]


def _section(title: str, by: str, rows: list[dict[str, object]], query: str) -> str:
    return (
        f'<h2 id="by-{by}">{title}</h2><div class="card">'
        + table([LABELS[by], *HEAD[1:]], _rows(rows), numeric=(1, 2, 3, 4, 5, 6))
        + f'<p><a href="/console/sales.csv?by={by}&amp;{esc(query)}">导出 CSV Export CSV</a></p></div>'
    )


def sales(ctx: Ctx) -> Response:
    period, store, day = _period(ctx)
    one_day = Period(day, day, period.stores)
    if period.stores is None:  # the whole chain's rows read below: the days changed since
        chain.refresh(ctx.db)
    with ctx.db.tx() as tx:
        by = {k: grouped(tx, period, k) for k in ("store", "day", "tender", "category",
                                                   "associate", "till")}  # fmt: skip
        hours = grouped(tx, one_day, "hour")
        names = dict(visible_stores(tx, None if ctx.viewer.hq else ctx.viewer.stores))
    total = totals(by["store"])
    ranking = sorted(by["store"], key=lambda r: -int(r["net_fen"]))[:20]
    query = f"from={period.start}&to={period.end}" + (f"&store={store}" if store else "")
    options = "".join(
        f'<option value="{esc(s)}"{" selected" if s == store else ""}>{esc(s)} {esc(n)}</option>'
        for s, n in names.items()
    )
    all_label = "全部门店 All stores" if ctx.viewer.hq else "我的门店 My stores"
    filters = (
        '<form class="filters card" method="get" action="/console/sales">'
        f'<label>门店 Store<br><select name="store"><option value="">{all_label}</option>'
        f"{options}</select></label>"
        f'<label>从 From<br><input type="date" name="from" value="{esc(period.start)}"></label>'
        f'<label>到 To<br><input type="date" name="to" value="{esc(period.end)}"></label>'
        f'<label>时段之日 Hours of<br><input type="date" name="day" value="{esc(day)}"></label>'
        '<button type="submit">查看 Show</button></form>'
    )
    summary = (
        '<div class="card" id="totals">'
        + table(
            ["", *HEAD[1:]],
            [
                [
                    "合计 Total",
                    f"{total['sales']:,}",
                    f"{total['refunds']:,}",
                    f"{total['qty']:,}",
                    esc(money(total["sales_fen"])),
                    esc(money(total["refunds_fen"])),
                    f"<b>{esc(money(total['net_fen']))}</b>",
                ]
            ],
            numeric=(1, 2, 3, 4, 5, 6),
        )
        + "</div>"
    )
    charts = (
        '<h2>门店排名 Store ranking (净额 net)</h2><div class="card">'
        + bar_chart(
            "门店排名 Store ranking",
            [(f"{r['key']} {names.get(str(r['key']), '')}", int(r["net_fen"])) for r in ranking],
        )
        + '</div><h2>每日 Days (净额 net)</h2><div class="card">'
        + bar_chart("每日净额 Net by day", [(str(r["key"])[5:], int(r["net_fen"])) for r in by["day"]])
        + f"</div><h2>{esc(day)} 各时段 Hours (净额 net)</h2><div class=\"card\">"
        + bar_chart(f"{day} 各时段 Net by hour", [(f"{r['key']}:00", int(r["net_fen"])) for r in hours])
        + "</div>"
    )  # fmt: skip
    body = (
        f'<h1>销售 Sales</h1><p class="muted">{esc(period.start)} — {esc(period.end)}</p>'
        + filters
        + summary
        + charts
        + "".join(
            _section(LABELS[k], k, by[k], query)
            for k in ("store", "day", "tender", "category", "associate", "till")
        )
    )
    return ctx.page("销售 Sales", body)


def sales_csv(ctx: Ctx) -> Response:
    period, store, _day = _period(ctx)
    dim = ctx.arg("by", "store")
    if dim not in DIMS:
        dim = "store"
    if period.stores is None:
        chain.refresh(ctx.db)
    with ctx.db.tx() as tx:
        rows = grouped(tx, period, dim)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([dim, "sales", "refunds", "qty", "sales_fen", "refunds_fen", "net_fen", "net_yuan"])
    for r in rows:
        net = int(r["net_fen"])
        key = str(r["key"])
        # a cell a spreadsheet would run as a formula is sent as text (CSV injection)
        if key[:1] in ("=", "+", "-", "@", "\t", "\r"):
            key = "'" + key
        w.writerow([key, r["sales"], r["refunds"], r["qty"], r["sales_fen"], r["refunds_fen"],
                    net, f"{'-' if net < 0 else ''}{abs(net) // 100}.{abs(net) % 100:02d}"])  # fmt: skip
    safe = re.sub(r"[^A-Za-z0-9_-]", "", store)
    name = f"sales-by-{dim}-{period.start}-{period.end}{'-' + safe if safe else ''}.csv"
    headers = dict(HEADERS) | {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(
        "\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers
    )
