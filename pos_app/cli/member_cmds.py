"""guitai member: find, enroll, show, tags, follow-ups, suggestions, sales by associate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from pos_app.domain.members import Member
from pos_app.domain.money import format_fen
from pos_app.services.members.parts import Members

from . import topup_cmds
from .auth import sign_in
from .common import emit, json_option, obj

if TYPE_CHECKING:
    from pos_app.bootstrap import App


def member_service(till: App) -> Members:
    """The till's member parts (one set per App; see pos_app/bootstrap.py)."""
    svc: Members = till.members()
    return svc


def _line(m: Member) -> str:
    return (
        f"{m.id}  {m.phone_masked}  {m.name or '-'}  {m.tier}  积分 {m.points}  "
        f"储值 ¥{format_fen(m.stored_value_fen)}"
    )


@click.group()
def member() -> None:
    """Members (会员): find, enroll, the member panel, follow-ups and suggestions."""


@member.command("find")
@click.argument("query")
@json_option
@click.pass_context
def find(ctx: click.Context, query: str, as_json: bool) -> None:
    """By mobile number, its last four digits, or a scanned member code (GTM:…)."""
    found = member_service(obj(ctx).till).directory.find(query)
    emit(
        [m.as_dict() for m in found],
        as_json,
        lambda _: "\n".join(_line(m) for m in found) or "no member / 没有找到会员",
    )


@member.command("enroll")
@click.option("--phone", required=True)
@click.option("--name", default="")
@click.option("--birthday", help="YYYY-MM-DD")
@click.option("--consent/--no-consent", default=False, help="Consent to marketing (recorded).")
@click.option("--associate", help="Sales associate (导购) credited with the enrollment.")
@click.option("--tags", default="", help="Comma separated, e.g. 修身,M码")
@json_option
@click.pass_context
def enroll(
    ctx: click.Context,
    phone: str,
    name: str,
    birthday: str | None,
    consent: bool,
    associate: str | None,
    tags: str,
    as_json: bool,
) -> None:
    """Enroll a member at the till; an existing number finds that member instead."""
    m, created = member_service(obj(ctx).till).directory.enroll(
        phone, name=name, birthday=birthday, consent=consent, associate=associate, tags=tags
    )
    emit(
        m.as_dict() | {"created": created},
        as_json,
        lambda _: (
            ("enrolled / 已注册: " if created else "already a member / 已是会员: ") + _line(m)
        ),
    )


@member.command("show")
@click.argument("member_id")
@click.option(
    "--chain",
    is_flag=True,
    help="The member across every store of the chain, from the cloud (offline: the copy "
    "this till fetched last, with its age).",
)
@json_option
@click.pass_context
def show(ctx: click.Context, member_id: str, chain: bool, as_json: bool) -> None:
    """The member panel: tier, balances, coupons, tags, flags, last visits, sizes."""
    svc = member_service(obj(ctx).till)
    if not member_id.upper().startswith("M") or member_id.isdigit():
        member_id = svc.directory.find_one(member_id).id
    if chain:
        from .member_chain import chain_text

        emit(svc.chain.show(svc.directory.by_id(member_id).phone), as_json, chain_text)
        return
    p = svc.directory.panel(member_id)

    def text(p: dict[str, Any]) -> str:
        flags = [f for f, on in (("生日月", p["birthday_this_month"]), ("沉睡", p["lapsed"])) if on]
        return "\n".join(
            [
                f"{p['member_id']}  {p['phone_masked']}  {p['name']}  {p['tier']}  "
                + " ".join(flags),
                f"积分 {p['points']}  储值 ¥{format_fen(p['stored_value_fen'])}  "
                f"券 {len(p['coupons'])}  标签 {','.join(p['tags']) or '-'}",
                f"常购 {', '.join(p['favourite_categories']) or '-'}  尺码 "
                + (", ".join(f"{k}:{v}" for k, v in p["usual_sizes"].items()) or "-"),
            ]
            + [
                f"  {v['completed_at']}  #{v['receipt_no']}  ¥{format_fen(v['total_fen'])}"
                for v in p["last_visits"]
            ]
        )

    emit(p, as_json, text)


@member.command("tags")
@click.argument("member_id")
@click.argument("tags")
@click.option("--user", required=True)
@json_option
@click.pass_context
def tags_cmd(ctx: click.Context, member_id: str, tags: str, user: str, as_json: bool) -> None:
    """Replace a member's tags (comma separated); synced as member.updated."""
    till = obj(ctx).till
    who = sign_in(till, user)
    m = member_service(till).directory.set_tags(member_id, tags, who.name)
    emit(m.as_dict(), as_json, lambda _: _line(m) + "  " + ",".join(m.tags))


@member.command("followups")
@click.option("--associate", help="Only this associate's follow-ups.")
@click.option("--due", is_flag=True, help="Only those due now.")
@json_option
@click.pass_context
def followups(ctx: click.Context, associate: str | None, due: bool, as_json: bool) -> None:
    """The associates' follow-ups (3369 回访) still to do."""
    rows = member_service(obj(ctx).till).associates.followups(associate, due)
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['id']:>5} {r['due_at']} {r['associate']:<8} "
                + (f"任务 {r['note']} " if r["step"] == 0 else f"第{r['step']}次 ")  # pulled task
                + f"{r['name'] or '-'} {(r['phone'] or '')[:3]}****{(r['phone'] or '')[-4:]}"
                for r in rs
            )
            or "nothing due / 暂无回访"
        ),
    )


@member.command("followup-done")
@click.argument("followup_id", type=int)
@click.option("--user", required=True)
@click.option("--note", default="")
@click.pass_context
def followup_done(ctx: click.Context, followup_id: int, user: str, note: str) -> None:
    """Mark a follow-up done."""
    till = obj(ctx).till
    who = sign_in(till, user)
    member_service(till).associates.finish_followup(followup_id, who.name, note)
    click.echo(f"follow-up {followup_id} done / 已完成")


@member.command("suggest")
@click.option("--sku", "skus", multiple=True, help="What is in the basket; repeat.")
@click.option("--member", "member_q", help="Member id or phone.")
@click.option("--limit", default=5, type=click.IntRange(1, 50))
@json_option
@click.pass_context
def suggest(
    ctx: click.Context, skus: tuple[str, ...], member_q: str | None, limit: int, as_json: bool
) -> None:
    """Items often bought together with the basket, and items in the member's sizes."""
    svc = member_service(obj(ctx).till)
    mid = None
    if member_q:
        mid = member_q if member_q.startswith("M") else svc.directory.find_one(member_q).id
    out = svc.associates.suggestions(list(skus), mid, limit)
    emit(
        out,
        as_json,
        lambda o: (
            "\n".join(
                [f"搭配 {x['sku']} {x['name']} ({x['together']})" for x in o["bought_together"]]
                + [f"推荐 {x['sku']} {x['name']} {x['reason']}" for x in o["for_member"]]
            )
            or "no suggestions / 暂无推荐"
        ),
    )


@member.command("associates")
@click.option("--day", required=True, help="First business day YYYY-MM-DD.")
@click.option("--to", "last_day", help="Last business day (default: the same day).")
@json_option
@click.pass_context
def associates(ctx: click.Context, day: str, last_day: str | None, as_json: bool) -> None:
    """Sales by associate (导购业绩) over business days."""
    rows = member_service(obj(ctx).till).associates.sales_by_associate(day, last_day)
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['associate'] or '(none)':<10} {r['sales']:>4} 笔 ¥{format_fen(r['sales_fen']):>10} "
                f"退 {r['refunds']:>3}  净 ¥{format_fen(r['net_fen'])}  会员 {r['members']}"
                for r in rs
            )
            or "no sales"
        ),
    )


# Top-ups (issue 23): topup, topup-refund, topup-receipt, topup-rules (topup_cmds.py).
for _command in topup_cmds.COMMANDS:
    member.add_command(_command)
