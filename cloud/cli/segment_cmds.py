"""`guitai cloud segment add|list|members|publish`, `coupon issue` and `promo add`: member
segments, coupons issued to people, and promotions for a day, a tier, a segment or a store
(docs/members.md, "Segments", "Coupons to people", "会员日 and targeted promotions")."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option
from cloud.cli.member_cmds import coupon
from pos_app.domain.errors import InvalidInput

# ---- segments -------------------------------------------------------------------------------


@cloud.group("segment")
def segment() -> None:
    """Member segments (分群): named rules over tags, tier, lapsed days, birthday month, spend,
    categories bought, store and associate (docs/members.md, Segments)."""


@segment.command("add")
@click.argument("name")
@click.option("--rule", required=True, help="e.g. 'tier=core and lapsed>=90d'.")
@click.option("--replace", is_flag=True, help="Change the rule of an existing segment.")
@db_options
@json_option
def segment_add(
    name: str,
    rule: str,
    replace: bool,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Add a segment (its members are counted now, and evaluated afresh at each use)."""
    r = _run(lambda s: s.members.segments.add(name, rule, replace=replace), db_file, database_url)
    emit(r, as_json, f"segment {name}: {r['members']} members (会员 {r['members']} 人)")


@segment.command("list")
@db_options
@json_option
def segment_list(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Every segment with its rule and how many members it has now."""
    rows = _run(lambda s: s.members.segments.listing(), db_file, database_url)
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(f"{r['name']}  {r['members']}  {r['rule']}" for r in rs)
            or "no segments (还没有分群)"
        ),
    )


@segment.command("members")
@click.argument("name")
@click.option("--csv", "as_csv", is_flag=True, help="CSV: id,phone,name,tier.")
@click.option(
    "--unmasked",
    is_flag=True,
    help="Whole phone numbers (the export right): needs --by, and is recorded.",
)
@click.option("--by", "who", help="Who exports the phones (recorded in member_exports).")
@click.option("--reason", default="", help="Why (recorded with it).")
@db_options
@json_option
def segment_members(
    name: str,
    as_csv: bool,
    unmasked: bool,
    who: str | None,
    reason: str,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """The segment's members now; phones masked (138****8000) unless --unmasked --by WHO."""
    if as_csv and as_json:
        raise InvalidInput("Give --json or --csv, not both", "--json 与 --csv 只能选一个")
    if unmasked and not (who or "").strip():
        raise InvalidInput(
            "--unmasked shows whole phone numbers and is recorded: say who exports them with "
            "--by NAME (and why with --reason)",
            "--unmasked 会显示完整手机号并被记录：请用 --by 姓名 说明导出人（可用 --reason 说明原因）",
        )
    if who and not unmasked:
        raise InvalidInput(
            "--by goes with --unmasked (masked lists are not recorded)",
            "--by 仅与 --unmasked 一起使用（脱敏名单不做记录）",
        )
    rows = _run(
        lambda s: s.members.segments.members(
            name, unmasked_for=who.strip() if unmasked and who else None, reason=reason
        ),
        db_file,
        database_url,
    )
    if as_csv:
        out = io.StringIO()
        w = csv.DictWriter(out, ["id", "phone", "name", "tier"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        click.echo(out.getvalue(), nl=False)
        return
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(f"{r['id']}  {r['phone']}  {r['tier']}  {r['name']}" for r in rs)
            or f"segment {name} has no members now (分群 {name} 目前没有会员)"
        ),
    )


@segment.command("publish")
@click.argument("name")
@db_options
@json_option
def segment_publish(
    name: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Publish the segment's member ids again, for the tills' segment promotions (run it when
    the segment has moved, e.g. nightly)."""
    r = _run(lambda s: s.members.segments.publish_segment(name), db_file, database_url)
    emit(r, as_json, f"segment {name}: {r['members']} members published to the tills")


# ---- coupons to people ------------------------------------------------------------------------


@coupon.command("issue")
@click.argument("code")
@click.option("--segment", "segment_name", help="Every member of this segment, as it is now.")
@click.option("--member", "member_ids", multiple=True, help="A member id (repeat for more).")
@click.option(
    "--batch",
    default="",
    help="A campaign name: issuing again with the same batch gives nothing more; a new batch "
    "gives another copy (up to the coupon's --per-member).",
)
@db_options
@json_option
def coupon_issue(
    code: str,
    segment_name: str | None,
    member_ids: tuple[str, ...],
    batch: str,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Give members their own copy of coupon CODE (idempotent), published to every till."""
    if bool(segment_name) == bool(member_ids):
        raise InvalidInput(
            "Give --segment NAME or --member ID (one or more), not both and not neither",
            "请指定 --segment 分群名 或 --member 会员号（可多个），二者选一",
        )
    if segment_name:
        r = _run(
            lambda s: s.members.issuing.issue_segment(code, segment_name, batch),
            db_file,
            database_url,
        )
    else:
        r = _run(
            lambda s: s.members.issuing.issue(code, list(member_ids), batch), db_file, database_url
        )
    emit(
        r,
        as_json,
        lambda d: (
            f"coupon {code}: {d['issued']} issued, {d['already_issued']} already had it, "
            f"{d['over_limit']} at their limit, {len(d['unknown_members'])} unknown "
            f"(发放 {d['issued']} 张，已有 {d['already_issued']}，超限 {d['over_limit']}，"
            f"未知会员 {len(d['unknown_members'])})"
        ),
    )


# ---- 会员日 and targeted promotions -----------------------------------------------------------


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


@cloud.group("promo")
def promo() -> None:
    """Promotions with date and time windows and audiences (会员日, weekends, campaign weeks,
    tiers, segments, stores); `cloud promotion add --file` takes the same JSON."""


@promo.command("add")
@click.argument("promo_id")
@click.option(
    "--kind",
    type=click.Choice(["spend_save", "category_percent", "buy_x_get_y"]),
    help="满减, percent off, or buy X get Y (or from --file).",
)
@click.option("--name", help="As printed on the receipt, e.g. 会员日 9折.")
@click.option("--percent-bp", type=int, help="category_percent: basis points off (1000 = 10%).")
@click.option("--threshold-fen", type=int, help="spend_save: every … fen spent …")
@click.option("--off-fen", type=int, help="spend_save: … saves this many fen.")
@click.option("--once", is_flag=True, help="spend_save: once, not every threshold.")
@click.option("--buy", type=int)
@click.option("--get", type=int)
@click.option("--category", "categories", multiple=True, help="Only these categories.")
@click.option("--sku", "skus", multiple=True, help="Only these SKUs.")
@click.option("--priority", type=int)
@click.option("--members-only", is_flag=True)
@click.option("--day-of-month", "days", multiple=True, help="e.g. 18 (会员日); repeatable.")
@click.option("--weekday", "weekdays", multiple=True, help="mon…sun or 1–7, e.g. sat,sun.")
@click.option("--from", "date_from", help="First day, YYYY-MM-DD (store's time zone).")
@click.option("--to", "date_to", help="Last day, YYYY-MM-DD (inclusive).")
@click.option("--time-from", help="From HH:MM each day.")
@click.option("--time-to", help="Until HH:MM each day (exclusive).")
@click.option("--tier", "tiers", multiple=True, help="Only members of these tiers.")
@click.option("--segment", "segments", multiple=True, help="Only members of these segments.")
@click.option("--store", "stores", multiple=True, help="Only at these stores.")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="JSON of the promotion; the options above override its keys.",
)
@db_options
@json_option
def promo_add(
    promo_id: str,
    kind: str | None,
    name: str | None,
    percent_bp: int | None,
    threshold_fen: int | None,
    off_fen: int | None,
    once: bool,
    buy: int | None,
    get: int | None,
    categories: tuple[str, ...],
    skus: tuple[str, ...],
    priority: int | None,
    members_only: bool,
    days: tuple[str, ...],
    weekdays: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    time_from: str | None,
    time_to: str | None,
    tiers: tuple[str, ...],
    segments: tuple[str, ...],
    stores: tuple[str, ...],
    path: str | None,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Publish a promotion the tills apply when its window is open and the sale is for it."""
    data: dict[str, Any] = {}
    if path:
        try:
            loaded = json.loads(Path(path).read_text(encoding="utf-8"))
        except ValueError as err:
            raise InvalidInput(f"{path} is not JSON: {err}", f"{path} 不是 JSON") from err
        if not isinstance(loaded, dict):
            raise InvalidInput(f"{path} must hold one JSON object", f"{path} 须为一个 JSON 对象")
        data.update(loaded)
    given: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "percent_bp": percent_bp,
        "threshold_fen": threshold_fen,
        "off_fen": off_fen,
        "buy": buy,
        "get": get,
        "priority": priority,
        "date_from": date_from,
        "date_to": date_to,
        "time_from": time_from,
        "time_to": time_to,
    }
    data.update({k: v for k, v in given.items() if v is not None})
    if once:
        data["repeat"] = False
    if members_only:
        data["members_only"] = True
    lists = {
        "categories": _split(categories),
        "skus": _split(skus),
        "days_of_month": _split(days),
        "weekdays": _split(weekdays),
        "tiers": _split(tiers),
        "segments": _split(segments),
        "stores": _split(stores),
    }
    data.update({k: v for k, v in lists.items() if v})
    if "days_of_month" in data:
        data["days_of_month"] = [int(d) if str(d).isdigit() else d for d in data["days_of_month"]]
    if "kind" not in data:
        raise InvalidInput(
            "Give --kind (spend_save, category_percent or buy_x_get_y) or a --file with one",
            "请用 --kind 指定促销类型（spend_save、category_percent 或 buy_x_get_y），或在 --file 中给出",
        )
    r = _run(lambda s: s.members.promos.add(promo_id, data), db_file, database_url)
    emit(r, as_json, f"promotion {promo_id} published (促销 {promo_id} 已发布)")
