"""`guitai cloud trigger add|list|log|run`: act when the customer does something
(docs/members.md, "Triggers")."""

from __future__ import annotations

from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option


@cloud.group("trigger")
def trigger() -> None:
    """Triggers (触发营销): when a member does something, or a day comes, act once per
    member and occurrence (docs/members.md, Triggers)."""


@trigger.command("add")
@click.argument("name")
@click.option(
    "--when",
    "when",
    required=True,
    help="first_purchase | purchase_above:FEN | followup[:DAYS] | birthday:DAYS | "
    "lapsed:DAYS | opened_not_joined[:DAYS] | return",
)
@click.option("--if", "cond", default="", help="e.g. 'tier=core and amount_fen>=50000'.")
@click.option(
    "--then",
    "then",
    required=True,
    multiple=True,
    help="coupon:CODE | task[:TEXT] | wechat:TEMPLATE_ID | tag:TAG (repeatable).",
)
@click.option("--cap", default="", help="At most N firings per member in D days: N/Dd.")
@db_options
@json_option
def trigger_add(
    name: str,
    when: str,
    cond: str,
    then: tuple[str, ...],
    cap: str,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Add a trigger; it acts on what happens from now on."""
    r = _run(lambda s: s.triggers.add(name, when, then, cond, cap), db_file, database_url)
    emit(r, as_json, f"trigger {name}: when {r['when']} then {', '.join(r['then'])} (已添加)")


@trigger.command("list")
@db_options
@json_option
def trigger_list(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Every trigger with its rule and how often it fired."""
    rows = _run(lambda s: s.triggers.listing(), db_file, database_url)
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['name']}  when {r['when']}"
                + (f" if {r['if']}" if r["if"] else "")
                + f" then {', '.join(r['then'])}"
                + (f" cap {r['cap']}" if r["cap"] else "")
                + f"  fired {r['fired']}"
                for r in rs
            )
            or "no triggers (还没有触发器)"
        ),
    )


@trigger.command("log")
@click.option("--trigger", "name", default=None, help="Only this trigger.")
@click.option("--member", default=None, help="Only this member.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@db_options
@json_option
def trigger_log(
    name: str | None,
    member: str | None,
    limit: int,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Every firing, newest first: the outcome (fired, capped, no_consent, no_member) and
    what each action did."""
    rows = _run(
        lambda s: s.triggers.log(trigger=name, member=member, limit=limit), db_file, database_url
    )
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['at']}  {r['trigger']}  {r['member_id'] or '-'}  {r['occurrence']}  "
                f"{r['outcome']}  "
                + "; ".join(
                    a["action"] + (f" ({a['error']})" if a.get("error") else "")
                    for a in r["actions"]
                )
                for r in rs
            )
            or "no firings yet (还没有触发记录)"
        ),
    )


@trigger.command("run")
@click.option("--daily", is_flag=True, help="Also the daily pass (3369, birthdays, lapsed …).")
@click.option("--force", is_flag=True, help="Run the daily pass even if today's ran.")
@db_options
@json_option
def trigger_run(
    daily: bool, force: bool, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Run the engine now over new events (and the daily pass): what `cloud serve` does on
    its own schedule.  Safe to repeat: nothing fires twice."""

    def go(s: Any) -> dict[str, Any]:
        r: dict[str, Any] = {"stream": s.triggers.run_stream()}
        if daily or force:
            r["daily"] = s.triggers.run_daily("cli", force=force)
        return r

    r = _run(go, db_file, database_url)
    emit(
        r,
        as_json,
        f"events {r['stream']['events']}, fired {r['stream']['fired']}"
        + (f"; daily pass fired {r['daily']['fired']}" if "daily" in r else ""),
    )
