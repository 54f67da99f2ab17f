"""`guitai cloud tiers recompute|policy|history`: 631 tiers computed from net spend
(cloud/tiers; docs/members.md, "631 tiers")."""

from __future__ import annotations

from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option
from pos_app.domain.errors import InvalidInput
from pos_app.domain.money import format_fen

_ZH = {"core": "核心", "potential": "潜力", "ordinary": "普通"}


@cloud.group("tiers")
def tiers() -> None:
    """631 tiers (核心 10% / 潜力 30% / 普通 60%), computed from net spend."""


def _recompute_text(r: dict[str, Any]) -> str:
    if r.get("skipped"):
        return f"tiers: {r['run_id']} already ran (已运行)"
    th = r["thresholds"]

    def fen(v: int | None) -> str:
        return "-" if v is None else f"¥{format_fen(v)}"

    head = "dry run (预演，未保存)" if r["dry_run"] else f"run {r['run_id']}"
    return "\n".join(
        [
            f"tiers {head}: {r['members']} members, window {r['window']['from']} .. "
            f"{r['window']['to']}",
            *(f"  {t:<9} {_ZH[t]}  {r[t]:>9}" for t in ("core", "potential", "ordinary")),
            f"  moved up {r['moved_up']}  moved down {r['moved_down']}  "
            f"in grace {r['in_grace']} (new {r['grace_started']})",
            f"  thresholds: core ≥ {fen(th['core_fen'])}  potential ≥ {fen(th['potential_fen'])}",
        ]
    )


@tiers.command("recompute")
@click.option("--dry-run", is_flag=True, help="Show what would move; change nothing.")
@db_options
@json_option
def recompute(dry_run: bool, db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Rank every member by net spend over the window and move them between tiers now."""
    r = _run(lambda s: s.tiers.recompute(dry_run=dry_run), db_file, database_url)
    emit(r, as_json, _recompute_text)


@tiers.command("policy")
@click.option("--window-days", type=int, help="Net spend over this many days (default 365).")
@click.option("--core-pct", type=int, help="Percent of members who are core (default 10).")
@click.option("--potential-pct", type=int, help="Percent who are potential (default 30).")
@click.option("--grace-days", type=int, help="Days kept before a downgrade (default 30).")
@db_options
@json_option
def policy(
    window_days: int | None,
    core_pct: int | None,
    potential_pct: int | None,
    grace_days: int | None,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Show the tier policy, or change the parts given."""
    from cloud.tiers.ranking import PolicyError, TierPolicy

    given = {
        k: v
        for k, v in {
            "window_days": window_days,
            "core_pct": core_pct,
            "potential_pct": potential_pct,
            "grace_days": grace_days,
        }.items()
        if v is not None
    }

    def run(s: Any) -> dict[str, int]:
        if not given:
            return dict(s.tiers.policy().as_dict())
        try:
            TierPolicy.from_dict(s.tiers.policy().as_dict() | given)
        except PolicyError as err:
            raise InvalidInput(
                f"Tier policy refused: {err}. Give whole numbers: --window-days ≥ 1, "
                "--grace-days ≥ 0, --core-pct + --potential-pct at most 100",
                f"等级规则无效：{err}。请给出整数：--window-days ≥ 1，--grace-days ≥ 0，"
                "--core-pct 与 --potential-pct 之和不超过 100",
            ) from err
        return dict(s.tiers.set_policy(given).as_dict())

    r = _run(run, db_file, database_url)
    emit(
        r,
        as_json,
        lambda p: (
            f"tier policy: net spend over {p['window_days']} days; core {p['core_pct']}%, "
            f"potential {p['potential_pct']}%, the rest ordinary; "
            f"{p['grace_days']} days' grace before a downgrade"
        ),
    )


@tiers.command("history")
@click.argument("member_id")
@db_options
@json_option
def history(member_id: str, db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """One member's tier changes, oldest first."""
    r = _run(lambda s: s.tiers.history(member_id), db_file, database_url)
    emit(
        r,
        as_json,
        lambda rows: (
            "\n".join(
                f"{h['at']}  {h['from_tier']} -> {h['to_tier']}  ¥{format_fen(h['spend_fen'])}  "
                f"{h['run_id']}"
                for h in rows
            )
            or "no tier changes (无等级变化)"
        ),
    )
