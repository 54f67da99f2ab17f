"""guitai stock show | moves | count … | receive … | send | report … (docs/stock.md)."""

from __future__ import annotations

from typing import Any

import click

from pos_app.domain.digits import is_digits
from pos_app.domain.errors import InvalidInput
from pos_app.domain.money import format_fen
from pos_app.domain.textwidth import display_width, ljust, rjust
from pos_app.domain.users import Role

from .auth import sign_in
from .common import emit, json_option, obj


def _codes(args: tuple[str, ...], qty: int) -> list[tuple[str, int]]:
    """`CODE` (qty from --qty) or `CODE=N`."""
    out: list[tuple[str, int]] = []
    for a in args:
        code, sep, n = a.partition("=")
        if not code.strip():
            raise InvalidInput(f"{a!r} has no item code", f"{a} 缺少商品条码")
        if sep:
            n = n.strip()
            if not is_digits(n.removeprefix("-")):
                raise InvalidInput(
                    f"{a!r}: the quantity after = must be a whole number",
                    f"{a}：等号后的数量必须是整数",
                )
            out.append((code.strip(), int(n)))
        else:
            out.append((code.strip(), qty))
    return out


def _grid_rows(sizes: list[str], rows: list[dict[str, Any]]) -> list[str]:
    colours = [str(r["colour"] or "-") for r in rows]
    first = max([14, *(display_width(c) + 2 for c in colours)])
    width = max([6, *(display_width(s) + 1 for s in sizes)])
    out = [ljust("colour 颜色", first) + "".join(rjust(s, width) for s in sizes)]
    for colour, r in zip(colours, rows, strict=True):
        cells = ["·" if c is None else str(c["on_hand"]) for c in r["cells"]]
        out.append(ljust(colour, first) + "".join(rjust(c, width) for c in cells))
    return out


def grid_text(g: dict[str, Any]) -> str:
    out = [f"{g['style']}  {g['name']}   {g['store_id']} on hand 库存 {g['total']}"]
    out += _grid_rows(g["sizes"], g["rows"])
    for other in g["other_stores"]:
        dist = "" if other["distance_km"] is None else f"  {other['distance_km']} km"
        out += ["", f"{other['store_id']} {other['name']}{dist}   total {other['total']}"]
        out += _grid_rows(g["sizes"], other["rows"])
    if g["other_stores_error"]:
        out += ["", f"other stores 其他门店: unavailable 不可用 ({g['other_stores_error']})"]
    return "\n".join(out)


def variance_text(r: dict[str, Any]) -> str:
    out = [
        f"stock count 盘点 #{r['count_id']}: {r['skus_counted']} SKUs, "
        f"{r['units_counted']} units counted, {r['units_expected']} expected",
        f"{'sku':<24}{'expected':>9}{'sold':>6}{'counted':>9}{'diff':>7}{'value':>12}",
    ]
    for ln in r["lines"]:
        out.append(
            f"{ln['sku']:<24}{ln['expected']:>9}{ln['sold_since_counted']:>6}"
            f"{ln['counted']:>9}{ln['difference']:>+7}{format_fen(ln['value_fen']):>12}"
        )
    out.append(
        f"differences 差异: {r['skus_with_difference']} SKUs, {r['difference_units']:+} units, "
        f"¥{format_fen(r['difference_value_fen'])} (shrinkage ¥"
        f"{format_fen(r['shrinkage_value_fen'])})"
    )
    if r["uncounted_skus_with_stock"]:
        out.append(
            f"{r['uncounted_skus_with_stock']} SKUs with stock were not counted (left unchanged)"
        )
    if r.get("posted"):
        out.append(f"posted 已过账, approved by {r['approved_by']}")
    return "\n".join(out)


def receive_text(r: dict[str, Any]) -> str:
    out = [
        f"{r['kind']} {r['doc']} from {r['from_store'] or '-'} [{r['state']}]: "
        f"announced {r['announced_units']}, received {r['received_units']}, "
        f"short {r['short_units']}, over {r['over_units']}"
    ]
    for ln in r["lines"]:
        flag = (
            f"  short 短少 {ln['short']}" if ln["short"] else f"  over 多出 {ln['over']}"
        ) if (ln["short"] or ln["over"]) else ""  # fmt: skip
        out.append(f"  {ln['sku']:<24} {ln['received']:>5} / {ln['announced']:<5}{flag}")
    return "\n".join(out)


@click.group()
def stock() -> None:
    """Stock on hand, the size-and-colour grid, counts, receiving and transfers."""


@stock.command("show")
@click.argument("style_or_code")
@click.option("--local", is_flag=True, help="This store only (do not ask the cloud).")
@json_option
@click.pass_context
def show(ctx: click.Context, style_or_code: str, local: bool, as_json: bool) -> None:
    """The style's colours × sizes with this store's quantities (and, online, other stores',
    nearest first)."""
    g = obj(ctx).till.stock.grid(style_or_code, other_stores=not local)
    emit(g, as_json, grid_text)


@stock.command("moves")
@click.argument("code", required=False)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@click.pass_context
def moves(ctx: click.Context, code: str | None, limit: int, as_json: bool) -> None:
    """The latest stock movements (of one item)."""
    till = obj(ctx).till
    sku = till.catalog().by_code(code).sku if code else None
    rows = till.stock.repo.moves(sku, limit)
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['at']}  {r['sku']:<24}{r['qty']:>+6}  → {r['on_hand_after']:>5}  "
                f"{r['reason']:<12} {r['ref']}  {r['user']}"
                for r in rs
            )
            or "没有库存变动 no stock movements"
        ),
    )


# ---- counts ---------------------------------------------------------------------------------


@stock.group("count")
def count() -> None:
    """Stock counts: start, scan, status, finish (manager) or cancel."""


@count.command("start")
@click.option("--user", required=True)
@click.option("--note", default="", help="e.g. 季末盘点 / the back room")
@json_option
@click.pass_context
def count_start(ctx: click.Context, user: str, note: str, as_json: bool) -> None:
    till = obj(ctx).till
    r = till.stock.count_start(sign_in(till, user), note)
    emit(
        r,
        as_json,
        f"盘点 {r['count_id']} 已开始：用 guitai stock count scan 扫描商品\n"
        f"stock count {r['count_id']} started: scan items with `stock count scan`",
    )


@count.command("scan")
@click.argument("codes", nargs=-1, required=True)
@click.option("--qty", type=int, default=1, show_default=True, help="Units per code scanned.")
@json_option
@click.pass_context
def count_scan(ctx: click.Context, codes: tuple[str, ...], qty: int, as_json: bool) -> None:
    """Count items: CODE (adds --qty) or CODE=N; a negative quantity takes a miscount back."""
    svc = obj(ctx).till.stock
    results = [svc.count_scan(code, n) for code, n in _codes(codes, qty)]
    emit(
        results,
        as_json,
        lambda rs: "\n".join(f"{r['sku']:<24} {r['added']:+} → counted {r['counted']}" for r in rs),
    )


@count.command("status")
@json_option
@click.pass_context
def count_status(ctx: click.Context, as_json: bool) -> None:
    """Running counts and the variance so far."""
    emit(obj(ctx).till.stock.count_status(), as_json, variance_text)


@count.command("finish")
@click.option("--user", required=True, help="The manager approving the variance (PIN).")
@json_option
@click.pass_context
def count_finish(ctx: click.Context, user: str, as_json: bool) -> None:
    """Approve the variance report and post the differences."""
    till = obj(ctx).till
    r = till.stock.count_finish(sign_in(till, user, role=Role.MANAGER))
    emit(r, as_json, variance_text)


@count.command("cancel")
@click.option("--user", required=True)
@json_option
@click.pass_context
def count_cancel(ctx: click.Context, user: str, as_json: bool) -> None:
    till = obj(ctx).till
    r = till.stock.count_cancel(sign_in(till, user, role=Role.MANAGER))
    emit(
        r,
        as_json,
        f"盘点 {r['count_id']} 已取消：未过账任何数量\n"
        f"stock count {r['count_id']} cancelled: nothing was posted",
    )


# ---- receiving ------------------------------------------------------------------------------


@stock.group("receive")
def receive() -> None:
    """Receive a delivery or transfer announced by the cloud."""


@receive.command("list")
@json_option
@click.pass_context
def receive_list(ctx: click.Context, as_json: bool) -> None:
    docs = obj(ctx).till.stock.receiving()
    emit(
        docs,
        as_json,
        lambda ds: (
            "\n".join(
                f"{d['doc']:<28} {d['kind']:<9} from {d['from_store'] or '-':<6} "
                f"{sum(x['qty'] for x in d['lines']):>5} units  [{d['state']}]"
                for d in ds
            )
            or "没有待收货的单据（运行 guitai sync run 获取到货通知）\n"
            "nothing announced to receive (run `guitai sync run` to fetch announcements)"
        ),
    )


@receive.command("start")
@click.argument("doc")
@click.option("--user", required=True)
@json_option
@click.pass_context
def receive_start(ctx: click.Context, doc: str, user: str, as_json: bool) -> None:
    till = obj(ctx).till
    emit(till.stock.receive_start(doc, sign_in(till, user)), as_json, receive_text)


@receive.command("scan")
@click.argument("doc")
@click.argument("codes", nargs=-1, required=True)
@click.option("--qty", type=int, default=1, show_default=True)
@json_option
@click.pass_context
def receive_scan(
    ctx: click.Context, doc: str, codes: tuple[str, ...], qty: int, as_json: bool
) -> None:
    """Scan received items: CODE (adds --qty) or CODE=N."""
    svc = obj(ctx).till.stock
    rs = [svc.receive_scan(doc, code, n) for code, n in _codes(codes, qty)]
    emit(
        rs,
        as_json,
        lambda xs: "\n".join(
            f"{r['sku']:<24} received {r['received']} of {r['announced']}" for r in xs
        ),
    )


@receive.command("status")
@click.argument("doc")
@json_option
@click.pass_context
def receive_status(ctx: click.Context, doc: str, as_json: bool) -> None:
    emit(obj(ctx).till.stock.receive_status(doc), as_json, receive_text)


@receive.command("finish")
@click.argument("doc")
@click.option("--user", required=True)
@json_option
@click.pass_context
def receive_finish(ctx: click.Context, doc: str, user: str, as_json: bool) -> None:
    """Post what was scanned into stock; short and over quantities are reported."""
    till = obj(ctx).till
    emit(till.stock.receive_finish(doc, sign_in(till, user)), as_json, receive_text)


# ---- sending --------------------------------------------------------------------------------


@stock.command("send")
@click.option("--to", "to_store", required=True, help="The receiving store, e.g. S002.")
@click.option("--scan", "scans", multiple=True, required=True, help="CODE or CODE=N")
@click.option("--qty", "qtys", multiple=True, help="CODE=N (quantity of a scanned code)")
@click.option("--note", default="")
@click.option("--user", required=True)
@json_option
@click.pass_context
def send(
    ctx: click.Context,
    to_store: str,
    scans: tuple[str, ...],
    qtys: tuple[str, ...],
    note: str,
    user: str,
    as_json: bool,
) -> None:
    """Send items to another store (announced to the cloud so that store can receive them)."""
    till = obj(ctx).till
    items = _codes(scans, 1)
    override = dict(_codes(qtys, 1))
    items = [(c, override.pop(c, n)) for c, n in items]
    if override:
        raise InvalidInput(
            f"--qty for {', '.join(override)} which was not scanned (--scan CODE)",
            f"{', '.join(override)} 未扫描却指定了数量",
        )
    r = till.stock.send(sign_in(till, user), to_store, items, note)
    emit(
        r,
        as_json,
        lambda x: (
            f"调拨单 {x['doc']} 发往 {x['to_store']}：{x['units']} 件已出库，下次同步时通知云端\n"
            f"transfer {x['doc']} to {x['to_store']}: {x['units']} units out of stock; "
            "announced to the cloud with the next sync"
        ),
    )


# ---- reports --------------------------------------------------------------------------------


@stock.group("report")
def report() -> None:
    """Stock value by category, negative stock, slow movers (manager)."""


def _manager(ctx: click.Context, user: str | None) -> Any:
    till = obj(ctx).till
    if user:
        sign_in(till, user, role=Role.MANAGER)
    return till


@report.command("value")
@click.option("--user", default=None, help="Sign in as a manager (optional).")
@json_option
@click.pass_context
def report_value(ctx: click.Context, user: str | None, as_json: bool) -> None:
    r = _manager(ctx, user).stock.report_value()
    width = max([16, *(display_width(c["category"]) + 2 for c in r["categories"])])
    emit(
        r,
        as_json,
        lambda x: "\n".join(
            [f"{ljust('品类 category', width)}{'SKUs':>8}{'units':>9}{'value':>16}"]
            + [
                f"{ljust(c['category'], width)}{c['skus']:>8}{c['units']:>9}"
                f"{format_fen(c['value_fen']):>16}"
                for c in x["categories"]
            ]
            + [f"{ljust('合计 total', width + 8)}{x['units']:>9}{format_fen(x['value_fen']):>16}"]
        ),
    )


@report.command("negative")
@click.option("--user", default=None)
@json_option
@click.pass_context
def report_negative(ctx: click.Context, user: str | None, as_json: bool) -> None:
    r = _manager(ctx, user).stock.report_negative()
    emit(
        r,
        as_json,
        lambda x: (
            "\n".join(
                f"{s['sku']:<24}{s['on_hand']:>6}  {s['name']}  flagged {s['flagged_at'] or '-'}"
                for s in x["skus"]
            )
            or "没有负库存 no negative stock"
        ),
    )


@report.command("slow")
@click.option("--days", type=int, default=60, show_default=True, help="No sale in N days.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True)
@click.option("--user", default=None)
@json_option
@click.pass_context
def report_slow(ctx: click.Context, days: int, limit: int, user: str | None, as_json: bool) -> None:
    r = _manager(ctx, user).stock.report_slow(days, limit)
    emit(
        r,
        as_json,
        lambda x: "\n".join(
            [
                f"有库存但 {x['days']} 天未售出（自 {x['no_sale_since']} 起）"
                f" in stock, no sale in {x['days']} days (since {x['no_sale_since']}):"
            ]
            + [
                f"{s['sku']:<24}{s['on_hand']:>6}{format_fen(s['value_fen']):>12}  "
                f"last sale {s['last_sale_at'] or 'never'}  {s['name']}"
                for s in x["skus"]
            ]
        ),
    )
