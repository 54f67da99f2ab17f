"""`guitai cloud member|coupon|promotion|reconcile|funnel`: members, coupons and promotions
in the cloud, the member ledger's reconciliation and the e-receipt funnel (docs/members.md)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option
from pos_app.domain.errors import InvalidInput
from pos_app.domain.money import format_fen


@cloud.group("member")
def member() -> None:
    """Members (会员)."""


@member.command("add")
@click.option("--phone", required=True)
@click.option("--name", default="")
@click.option("--tier", default="ordinary")
@click.option("--points", default=0, type=int)
@db_options
@json_option
def member_add(
    phone: str,
    name: str,
    tier: str,
    points: int,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    r = _run(lambda s: s.admin.add_member(phone, name, tier, points), db_file, database_url)
    emit(r, as_json, lambda m: f"member {m['id']} {m['phone']} {m['name']}")


@cloud.group("coupon")
def coupon() -> None:
    """Coupons (优惠券)."""


@coupon.command("add")
@click.argument("code")
@click.option("--amount-fen", type=int, help="Fixed amount off, in fen.")
@click.option("--percent-off", type=int, help="Percentage off (1–100).")
@click.option("--min-spend-fen", type=int, default=0)
@click.option("--expires", default="", help="Last valid day, YYYY-MM-DD.")
@click.option(
    "--uses", type=int, help="A count coupon (计次券): this many free units of a service."
)
@click.option("--name", default="", help="As the receipt shows it, e.g. 满300减50.")
@click.option("--category", "categories", multiple=True, help="Only these categories.")
@click.option("--member", "member_id", help="Bound to this member (only they may use it).")
@click.option("--valid-from", default="", help="First valid day, YYYY-MM-DD.")
@click.option("--valid-days", type=int, help="Copies issued to members are valid this many days.")
@click.option("--per-member", type=int, help="Copies one member may be issued at most (default 1).")
@click.option(
    "--issue-only", is_flag=True, help="Not usable by its code: only members' issued copies."
)
@db_options
@json_option
def coupon_add(
    code: str,
    amount_fen: int | None,
    percent_off: int | None,
    min_spend_fen: int,
    expires: str,
    uses: int | None,
    name: str,
    categories: tuple[str, ...],
    member_id: str | None,
    valid_from: str,
    valid_days: int | None,
    per_member: int | None,
    issue_only: bool,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """A coupon of any kind the tills redeem: cash (--amount-fen, with --min-spend-fen as
    its threshold, 满减), percent (--percent-off), count (--uses, 计次券); for some categories,
    one member, from and to a day; `coupon issue` gives members their own copies."""
    if uses is None and (amount_fen is None) == (percent_off is None):
        raise InvalidInput(
            "Give --amount-fen or --percent-off (or --uses for a count coupon)",
            "请指定 --amount-fen 或 --percent-off（计次券用 --uses）",
        )
    if uses is not None and (amount_fen is not None or percent_off is not None):
        raise InvalidInput(
            "A count coupon (--uses) takes no --amount-fen or --percent-off",
            "计次券（--uses）不能再指定 --amount-fen 或 --percent-off",
        )
    _check_coupon_numbers(amount_fen, percent_off, min_spend_fen, uses, valid_days, per_member)
    data: dict[str, Any] = {
        "amount_fen": amount_fen,
        "percent_off": percent_off,
        "min_spend_fen": min_spend_fen,
        "expires": expires or None,
    }
    extra: dict[str, Any] = {
        "kind": "count" if uses is not None else None,
        "uses": uses,
        "uses_total": uses,
        "name": name or None,
        "categories": [c for raw in categories for c in raw.split(",") if c] or None,
        "member_id": member_id,
        "valid_from": valid_from or None,
        "valid_days": valid_days,
        "per_member": per_member,
        "issue_only": True if issue_only else None,
    }
    data |= {k: v for k, v in extra.items() if v is not None}
    _check_days(valid_from)
    _run(lambda s: s.admin.add_coupon(code, data), db_file, database_url)
    emit({"code": code, **data}, as_json, f"coupon {code} published")


def _check_coupon_numbers(*values: int | None) -> None:
    names = ("--amount-fen", "--percent-off", "--min-spend-fen", "--uses", "--valid-days")
    for flag, v in zip((*names, "--per-member"), values, strict=True):
        if v is None:
            continue
        low = 0 if flag == "--min-spend-fen" else 1
        high = 100 if flag == "--percent-off" else None
        if v < low or (high is not None and v > high):
            span = f"{low} to {high}" if high else f"at least {low}"
            raise InvalidInput(f"{flag} must be {span}, not {v}", f"{flag} 须为 {span}（现为 {v}）")


def _check_days(*days: str) -> None:
    for day in days:
        if day:
            try:
                datetime.strptime(day, "%Y-%m-%d")
            except ValueError as err:
                raise InvalidInput(
                    f"{day!r} is not a day like 2026-12-31", f"{day!r} 不是日期（如 2026-12-31）"
                ) from err


@cloud.group("promotion")
def promotion() -> None:
    """Promotions (促销) the tills price with."""


@promotion.command("add")
@click.argument("promo_id")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    required=True,
    help="JSON of the promotion (docs/members.md, Promotions).",
)
@db_options
def promotion_add(path: str, promo_id: str, db_file: str | None, database_url: str | None) -> None:
    from pos_app.domain.promotions import Promotion

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    Promotion.from_dict({"id": promo_id, **data})  # refuse what the tills would refuse
    _run(lambda s: s.admin.add_promotion(promo_id, data), db_file, database_url)
    click.echo(f"promotion {promo_id} published")


@member.command("show")
@click.argument("member_id")
@db_options
@json_option
def member_show(
    member_id: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """One member across every store: balances, purchases, flags, merged ids."""
    r = _run(lambda s: s.members.views.member_view(member_id), db_file, database_url)
    emit(
        r,
        as_json,
        lambda m: (
            f"{m['id']} {m['phone']} {m['name']} points {m['points']} "
            f"stored value ¥{format_fen(m['stored_value_fen'])}, {len(m['purchases'])} purchases"
        ),
    )


@cloud.command("reconcile")
@db_options
@json_option
def reconcile(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Offline overdrafts and overused coupons to follow up."""
    rows = _run(lambda s: s.members.views.reconciliation(), db_file, database_url)
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['at']} {r['kind']} {r['member_id']} {r['amount']} {r['detail']}" for r in rs
            )
            or "nothing to reconcile"
        ),
    )


@cloud.command("funnel")
@click.option("--store", "store_id")
@click.option("--associate", help="Only this associate (导购); '' for sales without one.")
@click.option("--from", "day_from", type=click.DateTime(["%Y-%m-%d"]), help="First day.")
@click.option("--to", "day_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day.")
@db_options
@json_option
def funnel(
    store_id: str | None,
    associate: str | None,
    day_from: datetime | None,
    day_to: datetime | None,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """E-receipt funnel per business day, store and associate: printed → opened (unique
    visitors; reloads, bots and altered tokens excluded) → follows → joins → came back and
    bought again within 90 days, with the money (¥)."""
    from receipts.layout import text_width

    rows = _run(
        lambda s: s.members.funnel.by_day(
            store_id,
            associate,
            day_from.date() if day_from else None,
            day_to.date() if day_to else None,
        ),
        db_file,
        database_url,
    )

    def pad(text: str, width: int) -> str:  # associates' names are double-width CJK
        return text + " " * max(0, width - text_width(text))

    def yuan(fen: int) -> str:
        return f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"

    def table(rs: list[dict[str, Any]]) -> str:
        if not rs:
            return "no receipts yet (还没有小票)"
        wide = max(10, *(text_width(r["associate"] or "-") + 2 for r in rs))
        money = max(15, *(len(yuan(r[k])) + 2 for r in rs for k in ("printed_fen", "returned_fen")))
        lines = [
            f"{pad('day', 12)}{pad('store', 8)}{pad('associate', wide)}"
            f"{'printed':>8}{'opened':>8}{'follows':>8}{'joins':>8}{'returned':>10}"
            f"{'printed_yuan':>{money}}{'returned_yuan':>{money}}"
        ]
        lines += [
            f"{pad(r['day'], 12)}{pad(r['store_id'], 8)}{pad(r['associate'] or '-', wide)}"
            f"{r['receipts_printed']:>8}{r['ereceipts_opened']:>8}{r['follows']:>8}"
            f"{r['joins']:>8}{r['returned_90d']:>10}"
            f"{yuan(r['printed_fen']):>{money}}{yuan(r['returned_fen']):>{money}}"
            for r in rs
        ]
        return "\n".join(lines)

    emit(
        [
            r | {"printed_yuan": yuan(r["printed_fen"]), "returned_yuan": yuan(r["returned_fen"])}
            for r in rows
        ],
        as_json,
        table,
    )


@cloud.command("wechat-scene")
@click.option("--store", "store_id", required=True)
@click.option("--associate", default="", help="The associate (导购) whose own QR code this is.")
@db_options
@json_option
def wechat_scene(
    store_id: str, associate: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """The scene of a store's or associate's WeChat follow QR code (made once, then the same).

    The brand creates a permanent parametric QR code with it (WeChat's qrcode/create,
    QR_LIMIT_STR_SCENE); follows from that code reach `/wechat/push` and count in the funnel
    for this store and associate."""
    scene = _run(
        lambda s: s.members.funnel.wechat_scene(store_id, associate), db_file, database_url
    )
    request = {
        "action_name": "QR_LIMIT_STR_SCENE",
        "action_info": {"scene": {"scene_str": scene}},
    }
    emit(
        {"store_id": store_id, "associate": associate, "scene": scene, "qrcode_create": request},
        as_json,
        lambda r: (
            f"scene {r['scene']}  ({store_id} {associate or '-'})\n"
            "WeChat qrcode/create body: " + json.dumps(request, ensure_ascii=False)
        ),
    )
