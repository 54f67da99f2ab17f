"""`guitai cloud topup-rule add|list|end` and `guitai cloud topups`: the brand's top-up bonus
rules (充500送50), published to every till, and the top-ups' reconciliation against the
stored-value ledger (docs/payments.md, "Top-ups")."""

from __future__ import annotations

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option
from pos_app.domain.money import Money, format_fen
from pos_app.domain.topups import TopUpRule


@cloud.group("topup-rule")
def topup_rule() -> None:
    """Top-up bonus rules (充值赠送): published to the tills at once."""


def _rule_text(r: dict[str, object]) -> str:
    tier = f" {r['tier']}" if r.get("tier") else ""
    window = f" {r.get('starts_on') or '…'}~{r.get('ends_on') or '…'}"
    return (
        f"{r['id']}: 充{format_fen(int(str(r['min_fen'])))}送{format_fen(int(str(r['bonus_fen'])))}"
        f"{tier}{window} {r.get('name') or ''}".rstrip()
    )


@topup_rule.command("add")
@click.argument("rule_id")
@click.option(
    "--min", "min_amount", required=True, help="Top-up of at least this (yuan), e.g. 500."
)
@click.option("--bonus", required=True, help="Bonus given (yuan), e.g. 50.")
@click.option("--tier", default=None, help="Only members of this tier (default: every tier).")
@click.option("--from", "starts_on", default=None, help="First day, YYYY-MM-DD (inclusive).")
@click.option("--to", "ends_on", default=None, help="Last day, YYYY-MM-DD (inclusive).")
@click.option("--name", default="", help="What the receipt calls it, e.g. 充500送50.")
@db_options
@json_option
def rule_add(
    rule_id: str,
    min_amount: str,
    bonus: str,
    tier: str | None,
    starts_on: str | None,
    ends_on: str | None,
    name: str,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Add a bonus rule: a top-up of at least --min gets --bonus (the largest fitting wins)."""
    rule = TopUpRule(
        id=rule_id,
        name=name,
        min_fen=Money.parse(min_amount).fen,
        bonus_fen=Money.parse(bonus).fen,
        tier=tier or None,
        starts_on=starts_on or None,
        ends_on=ends_on or None,
    )
    r = _run(lambda s: s.topups.add_rule(rule), db_file, database_url)
    emit(r, as_json, lambda d: f"added / 已添加 {_rule_text(d)}")


@topup_rule.command("list")
@db_options
@json_option
def rule_list(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """The active rules."""
    rows = _run(lambda s: s.topups.rules(), db_file, database_url)
    emit(rows, as_json, lambda rs: "\n".join(_rule_text(r) for r in rs) or "no rules / 暂无规则")


@topup_rule.command("end")
@click.argument("rule_id")
@db_options
@json_option
def rule_end(rule_id: str, db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Stop a rule (top-ups already made keep their bonus)."""
    r = _run(lambda s: s.topups.end_rule(rule_id), db_file, database_url)
    emit(r, as_json, f"ended / 已停用 {rule_id}")


@cloud.command("topups")
@click.option("--day", default=None, help="Business day, YYYY-MM-DD.")
@click.option("--store", "store_id", default=None)
@click.option("--device", "device_id", default=None, help="One till's device id.")
@db_options
@json_option
def topups(
    day: str | None,
    store_id: str | None,
    device_id: str | None,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Top-ups and their reconciliation with the stored-value ledger (by tender)."""
    from cloud.topups.reconcile import reconcile

    r = _run(
        lambda s: reconcile(s.db, day=day, store_id=store_id, device_id=device_id),
        db_file,
        database_url,
    )

    def text(d: dict[str, object]) -> str:
        lines = [
            f"{t}: {v['count']} × ¥{format_fen(v['paid_fen'])} (refunded ¥"
            f"{format_fen(v['refunded_fen'])})"
            for t, v in dict(d["by_tender"]).items()  # type: ignore[call-overload]
        ]
        state = "balanced / 账平" if d["balanced"] else f"MISMATCH / 不平: {d['mismatches']}"
        return "\n".join([*lines, state])

    emit(r, as_json, text)
