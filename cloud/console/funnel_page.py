"""/console/funnel: the e-receipt funnel over a period, printed → opened → followed → joined
→ bought again within 90 days, as a chart and a table per store and associate.

Figures come from the funnel's summary rows (funnel_facts.py), equal to the cloud's own
funnel (`guitai cloud funnel`, cloud/members/funnel_days.py) without walking the event log; a
store manager's are their stores' only."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from .facts import CHINA
from .funnel_facts import grouped
from .layout import bar_chart, esc, money, table
from .web import Ctx

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
STAGES = (
    ("receipts_printed", "打印小票 printed"),
    ("receipts_opened", "打开电子小票 opened"),
    ("follows", "关注公众号 followed"),
    ("joins", "入会 joined"),
    ("returned_90d", "90 天内回购 bought again"),
)


def _sum(rows: list[dict[str, Any]]) -> dict[str, int]:
    keys = [k for k, _ in STAGES] + ["printed_fen", "returned_fen"]
    return {k: sum(int(r.get(k) or 0) for r in rows) for k in keys}


def _pct(n: int, of: int) -> str:
    return f"{n * 100 // of}%" if of else "—"


def funnel(ctx: Ctx) -> Response:
    today = (ctx.console.now() + CHINA).date()
    start = ctx.arg("from") if DAY.fullmatch(ctx.arg("from")) else today.replace(day=1).isoformat()
    end = ctx.arg("to") if DAY.fullmatch(ctx.arg("to")) else today.isoformat()
    if end < start:
        start, end = end, start
    store = ctx.arg("store")
    if store:
        ctx.require_store(store)
        stores: tuple[str, ...] | None = (store,)
    else:
        stores = None if ctx.viewer.hq else tuple(sorted(ctx.viewer.stores))
    with ctx.db.tx() as tx:
        rows = grouped(tx, start, end, stores)
    total = _sum(rows)
    chart = bar_chart("漏斗 Funnel", [(label, total[k]) for k, label in STAGES], fmt="count")
    table_rows = []
    for t in sorted(rows, key=lambda r: (str(r["store_id"]), str(r["associate"] or "-"))):
        s, a = str(t["store_id"]), str(t["associate"] or "-")
        table_rows.append(
            [esc(s), esc(a)]
            + [f"{t[k]:,}" for k, _ in STAGES]
            + [_pct(t["receipts_opened"], t["receipts_printed"]), esc(money(t["returned_fen"]))]
        )
    body = (
        f'<h1>电子小票漏斗 The funnel</h1><p class="muted">{esc(start)} — {esc(end)}</p>'
        '<form class="filters card" method="get" action="/console/funnel">'
        f'<label>门店 Store<br><input name="store" value="{esc(store)}" size="8"></label>'
        f'<label>从 From<br><input type="date" name="from" value="{esc(start)}"></label>'
        f'<label>到 To<br><input type="date" name="to" value="{esc(end)}"></label>'
        '<button type="submit">查看 Show</button></form>'
        f'<div class="card" id="funnel-chart">{chart}'
        f'<p class="muted">打开率 opened {_pct(total["receipts_opened"], total["receipts_printed"])}'
        f" · 回购金额 bought again {esc(money(total['returned_fen']))}</p></div>"
        '<h2>门店与导购 By store and associate</h2><div class="card" id="funnel">'
        + table(
            [
                "门店 Store",
                "导购 Associate",
                *(label for _, label in STAGES),
                "打开率 Opened %",
                "回购金额 Bought again",
            ],
            table_rows,
            numeric=(2, 3, 4, 5, 6, 7, 8),
        )
        + "</div>"
    )
    return ctx.page("漏斗 Funnel", body)
