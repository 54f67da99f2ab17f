"""/console/z: the Z reports (日结) as received, each checked against the synced sales of its
till and shift; /console/z/{event_id}: one report's figures beside the synced ones.

A report whose shift's sales have not all arrived yet (the till's events before the Z are
not all in the cloud) says so instead of claiming a disagreement."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import Response

from ..db import Tx
from .layout import esc, money, table
from .web import Ctx, NotFound
from .z_check import Line, check

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_COLS = ("event_id", "device_id", "store_id", "till_no", "shift_id", "z_no", "business_day",
         "closed_at", "closed_by", "report", "seq", "contiguous_seq")  # fmt: skip
_SELECT = (
    "SELECT z.event_id, z.device_id, z.store_id, z.till_no, z.shift_id, z.z_no, z.business_day, "
    "z.closed_at, z.closed_by, z.report, z.seq, d.contiguous_seq FROM console_z_reports z "
    "JOIN devices d ON d.device_id = z.device_id"
)


def _sums(tx: Tx, zs: list[dict[str, Any]]) -> dict[tuple[str, int], list[tuple[Any, ...]]]:
    """The shift sums of every listed report, in one query (not one per report)."""
    out: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    if not zs:
        return out
    devices = sorted({str(z["device_id"]) for z in zs})
    shifts = sorted({int(z["shift_id"]) for z in zs})
    for r in tx.execute(
        "SELECT device_id, shift_id, dim, key, n, net_fen FROM console_shift_sums "
        f"WHERE device_id IN ({', '.join('?' * len(devices))}) "
        f"AND shift_id IN ({', '.join('?' * len(shifts))})",
        [*devices, *shifts],
    ).fetchall():
        out.setdefault((str(r[0]), int(r[1])), []).append(tuple(r[2:]))
    return out


def _verdict(z: dict[str, Any], sums: list[tuple[Any, ...]]) -> tuple[str, list[Line]]:
    lines = check(json.loads(z["report"]), sums)  # type: ignore[arg-type]
    if all(x.agrees for x in lines):
        return "agrees", lines
    if int(z["seq"]) > int(z["contiguous_seq"]):
        return "waiting", lines
    return "differs", lines


BADGE = {
    "agrees": '<span class="tag ok">✓ 一致 agrees</span>',
    "waiting": '<span class="tag muted">… 等待同步 sales still syncing</span>',
    "differs": '<span class="tag bad">✕ 不一致 differs</span>',
}


def z_list(ctx: Ctx) -> Response:
    store = ctx.arg("store")
    day = ctx.arg("day") if DAY.fullmatch(ctx.arg("day")) else ""
    where, args = ["1=1"], []
    if store:
        ctx.require_store(store)
        where.append("z.store_id = ?")
        args.append(store)
    elif not ctx.viewer.hq:
        stores = sorted(ctx.viewer.stores)
        where.append(f"z.store_id IN ({', '.join('?' * len(stores))})")
        args += stores
    if day:
        where.append("z.business_day = ?")
        args.append(day)
    with ctx.db.tx() as tx:
        rows = [
            dict(zip(_COLS, r, strict=True))
            for r in tx.execute(
                f"{_SELECT} WHERE {' AND '.join(where)} "
                "ORDER BY z.business_day DESC, z.store_id, z.till_no LIMIT 200",
                args,
            ).fetchall()
        ]
        sums = _sums(tx, rows)
    verdicts = [_verdict(z, sums.get((str(z["device_id"]), int(z["shift_id"])), [])) for z in rows]
    out = []
    for z, (verdict, lines) in zip(rows, verdicts, strict=True):
        report = json.loads(z["report"])
        out.append(
            [
                esc(z["business_day"]),
                esc(z["store_id"]),
                str(z["till_no"]),
                f'<a href="/console/z/{esc(z["event_id"])}">Z{esc(z["z_no"])}</a>',
                esc(z["closed_by"]),
                esc(money(int(report.get("net_fen") or 0))),
                BADGE[verdict]
                + "".join(f'<div class="bad">{esc(x.label)}</div>' for x in lines if not x.agrees),
            ]
        )
    body = (
        "<h1>日结 Z reports</h1>"
        '<form class="filters card" method="get" action="/console/z">'
        f'<label>门店 Store<br><input name="store" value="{esc(store)}" size="8"></label>'
        f'<label>营业日 Day<br><input type="date" name="day" value="{esc(day)}"></label>'
        '<button type="submit">查看 Show</button></form><div class="card" id="z-reports">'
        + table(
            [
                "营业日 Day",
                "门店 Store",
                "收银台 Till",
                "日结号 Z",
                "日结人 Closed by",
                "净额 Net",
                "核对 Check",
            ],
            out,
            numeric=(2, 5),
        )
        + "</div>"
    )
    return ctx.page("日结 Z reports", body)


def _fmt(line: Line, value: int) -> str:
    return esc(money(value)) if line.money else f"{value:,}"


def z_detail(ctx: Ctx) -> Response:
    event_id = str(ctx.request.path_params["event_id"])
    with ctx.db.tx() as tx:
        row = tx.execute(f"{_SELECT} WHERE z.event_id = ?", (event_id,)).fetchone()
        if row is None:
            raise NotFound(f"没有日结 {event_id} / No Z report {event_id}")
        z = dict(zip(_COLS, row, strict=True))
        ctx.require_store(z["store_id"])
        verdict, lines = _verdict(z, _sums(tx, [z]).get((z["device_id"], int(z["shift_id"])), []))
    report = json.loads(z["report"])
    check_rows = [
        [esc(x.label), _fmt(x, x.report), _fmt(x, x.synced),
         '<span class="ok">✓ 一致 agrees</span>' if x.agrees
         else '<span class="bad">✕ 不一致 differs</span>']
        for x in lines
    ]  # fmt: skip
    cats = report.get("by_category") if isinstance(report.get("by_category"), dict) else {}
    cat_rows = [
        [esc(k), f"{int(v.get('qty') or 0):,}", esc(money(int(v.get("net_fen") or 0)))]
        for k, v in cats.items()
        if isinstance(v, dict)
    ]
    cashiers = report.get("by_cashier") if isinstance(report.get("by_cashier"), dict) else {}
    cashier_rows = [
        [esc(k), f"{int(v.get('sales') or 0):,}", esc(money(int(v.get("sales_fen") or 0))),
         f"{int(v.get('returns') or 0):,}", esc(money(int(v.get("returns_fen") or 0)))]
        for k, v in cashiers.items()
        if isinstance(v, dict)
    ]  # fmt: skip
    cash = report.get("cash") if isinstance(report.get("cash"), dict) else {}
    cash_rows = [
        [esc(label), esc(money(int(cash[k]))) if isinstance(cash.get(k), int) else "—"]
        for label, k in (
            ("备用金 Float", "float_fen"),
            ("现金净额 Cash net", "cash_net_fen"),
            ("应有现金 Expected", "expected_fen"),
            ("实点现金 Counted", "counted_fen"),
            ("差额 Difference", "difference_fen"),
        )
    ]
    body = (
        f"<h1>日结 Z{esc(z['z_no'])} · {esc(z['store_id'])} 收银台 till {z['till_no']} · "
        f"{esc(z['business_day'])}</h1>"
        f'<p>{BADGE[verdict]} <span class="muted">日结于 closed at {esc(z["closed_at"])} · '
        f"{esc(z['closed_by'])} · 小票 receipts {esc(report.get('first_receipt_no'))}–"
        f"{esc(report.get('last_receipt_no'))}</span></p>"
        '<h2>核对 Check against synced sales</h2><div class="card" id="z-check">'
        + table(["", "日结 Z report", "已同步 Synced", ""], check_rows, numeric=(1, 2))
        + '</div><h2>品类 Categories</h2><div class="card">'
        + table(["品类 Category", "件数 Items", "净额 Net"], cat_rows, numeric=(1, 2))
        + '</div><h2>收银员 Cashiers</h2><div class="card">'
        + table(
            ["收银员 Cashier", "笔数 Sales", "销售额 Sales", "退货 Returns", "退款 Refunds"],
            cashier_rows,
            numeric=(1, 2, 3, 4),
        )
        + '</div><h2>现金 Cash</h2><div class="card">'
        + table(["", ""], cash_rows, numeric=(1,))
        + "</div>"
    )
    return ctx.page(f"日结 Z{z['z_no']}", body)
