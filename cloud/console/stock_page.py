"""/console/stock: a style's colour × size grid across stores (the chain's total, then each
store), transfers in flight between stores, and the variances of stock counts posted by the
tills (differences and their value at today's prices).  A store manager's stores only."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from ..db import Tx
from .layout import esc, money, table
from .tills import visible_stores
from .web import Ctx


def _labels(tx: Tx, style: str) -> dict[str, tuple[str, str]]:
    """sku → (colour, size), from the product the brand published (the SKU itself if none)."""
    row = tx.execute("SELECT data FROM products WHERE style = ?", (style,)).fetchone()
    out: dict[str, tuple[str, str]] = {}
    if row is not None:
        for s in json.loads(row[0]).get("skus") or []:
            if isinstance(s, dict) and s.get("sku"):
                out[str(s["sku"])] = (str(s.get("colour") or "-"), str(s.get("size") or "-"))
    return out


def _grid(skus: list[str], labels: dict[str, tuple[str, str]], qty: dict[str, int]) -> str:
    colours = list(dict.fromkeys(labels.get(s, (s, "-"))[0] for s in skus))
    sizes = list(dict.fromkeys(labels.get(s, (s, "-"))[1] for s in skus))
    cell: dict[tuple[str, str], int] = {}
    for s in skus:
        c, z = labels.get(s, (s, "-"))
        cell[(c, z)] = cell.get((c, z), 0) + qty.get(s, 0)
    rows = [[esc(c)] + [f"{cell[(c, z)]:,}" if (c, z) in cell else "" for z in sizes]
            for c in colours]  # fmt: skip
    return table(["颜色 \\ 尺码 Colour \\ size", *(esc(z) for z in sizes)], rows,
                 numeric=tuple(range(1, len(sizes) + 1)))  # fmt: skip


def stock(ctx: Ctx) -> Response:
    style = ctx.arg("style")
    mine = None if ctx.viewer.hq else ctx.viewer.stores
    with ctx.db.tx() as tx:
        stores = visible_stores(tx, mine)
        ids = [s for s, _ in stores]
        grid = ""
        if style:
            skus = [r[0] for r in tx.execute(
                "SELECT sku FROM stock_skus WHERE style = ? ORDER BY sku", (style,)).fetchall()]  # fmt: skip
            labels = _labels(tx, style)
            # the product's own order (S, M, L, XL), not the SKUs' alphabetical one
            order = {sku: i for i, sku in enumerate(labels)}
            skus.sort(key=lambda sku: (order.get(sku, len(order)), sku))
            per: dict[str, dict[str, int]] = {}
            if skus:
                marks = ",".join("?" * len(skus))
                for s, sku, q in tx.execute(
                    f"SELECT store_id, sku, qty FROM stock_levels WHERE sku IN ({marks})", skus
                ).fetchall():
                    if s in ids:
                        per.setdefault(str(s), {})[str(sku)] = int(q)
            total: dict[str, int] = {}
            for q in per.values():
                for sku, n in q.items():
                    total[sku] = total.get(sku, 0) + n
            grid = (
                f'<h2>{esc(style)} 合计 all your stores</h2><div class="card" id="grid">'
                + (_grid(skus, labels, total) if skus else '<p class="muted">没有此款 No such style</p>')
                + "</div>"
                + "".join(
                    f'<h2>{esc(s)} {esc(n)}</h2><div class="card">'
                    + _grid(skus, labels, per.get(s, {})) + "</div>"
                    for s, n in stores[:50] if per.get(s)
                )
            )  # fmt: skip
        docs = tx.execute(
            "SELECT doc, from_store, store_id, lines, announced_at FROM stock_docs "
            "WHERE kind = 'transfer' AND state = 'announced' ORDER BY announced_at, doc LIMIT 500"
        ).fetchall()
        counts = tx.execute(
            "SELECT m.store_id, m.ref, MIN(m.at), COUNT(*), SUM(m.qty), "
            "SUM(m.qty * COALESCE(p.price_fen, 0)) FROM stock_moves m LEFT JOIN prices p "
            "ON p.sku = m.sku WHERE m.reason = 'count' GROUP BY m.store_id, m.ref "
            "ORDER BY MIN(m.at) DESC LIMIT 500"
        ).fetchall()
    visible = set(ids)
    transfers = []
    for doc, src, dst, lines, at in docs:
        if src not in visible and dst not in visible:
            continue
        items: list[Any] = json.loads(lines)
        qty = sum(int(x.get("qty") or 0) for x in items if isinstance(x, dict))
        transfers.append([esc(doc), esc(src), esc(dst), f"{qty:,}", esc(at)])
    variances = [
        [esc(s), esc(ref), esc(at), f"{int(n):,}", f"{int(q):+,}", esc(money(int(v or 0)))]
        for s, ref, at, n, q, v in counts
        if s in visible
    ]
    body = (
        "<h1>库存 Stock</h1>"
        '<form class="filters card" method="get" action="/console/stock">'
        f'<label>款号 Style<br><input name="style" value="{esc(style)}"></label>'
        '<button type="submit">查看 Show</button></form>'
        + grid
        + '<h2>在途调拨 Transfers in flight</h2><div class="card" id="transfers">'
        + table(["单号 Doc", "调出 From", "调入 To", "件数 Items", "发出 Sent"], transfers, (3,))
        + '</div><h2>盘点差异 Count variances</h2><div class="card" id="variances">'
        + table(
            ["门店 Store", "盘点 Count", "时间 At", "行数 Lines", "差异 Difference", "金额 Value"],
            variances,
            (3, 4, 5),
        )
        + "</div>"
    )
    return ctx.page("库存 Stock", body)
