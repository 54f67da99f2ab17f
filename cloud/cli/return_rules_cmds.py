"""`guitai cloud return-rules set|show`: the brand's return rules (issue 20, item 4),
published to the tills as the config change `return_rules` (cloud/changelog.py) and judged
on the till by pos_app/domain/return_rules.py (README, "Return rules")."""

from __future__ import annotations

import json
from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option
from pos_app.domain.errors import InvalidInput
from pos_app.domain.money import Money
from pos_app.domain.return_rules import CONFIG_KEY, ReturnRules


@cloud.group("return-rules")
def return_rules() -> None:
    """The brand's return rules (退换货规则), published to the tills."""


def _category(text: str) -> tuple[str, dict[str, int]]:
    name, sep, days = text.partition("=")
    no_reason, _, quality = days.partition("/")
    if not (sep and name.strip() and no_reason.isdigit() and (not quality or quality.isdigit())):
        raise InvalidInput(
            f"--category “{text}” must look like CATEGORY=DAYS or CATEGORY=DAYS/QUALITY_DAYS",
            f"--category“{text}”格式应为 类别=天数 或 类别=无理由天数/质量问题天数",
        )
    n = int(no_reason)
    return name.strip(), {"no_reason_days": n, "quality_days": int(quality or n)}


def _doc(
    no_reason_days: int | None,
    quality_days: int | None,
    categories: tuple[str, ...],
    non_returnable: tuple[str, ...],
    approval_above: str | None,
    original_tender_only: bool,
    offline_other_store: str | None = None,
    offline_limit: str | None = None,
    no_receipt_limit: int | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"original_tender_only": original_tender_only}
    if no_receipt_limit is not None:
        doc["no_receipt_limit"] = no_receipt_limit
    if no_reason_days is not None or quality_days is not None:
        n = no_reason_days if no_reason_days is not None else 0
        doc |= {"no_reason_days": n, "quality_days": quality_days if quality_days else n}
    if categories:
        doc["categories"] = dict(_category(c) for c in categories)
    if non_returnable:
        doc["non_returnable"] = sorted(set(non_returnable))
    if approval_above is not None:
        doc["approval_above_fen"] = Money.parse(approval_above).fen
    doc |= _offline(offline_other_store, offline_limit)
    return doc


def _offline(switch: str | None, limit: str | None) -> dict[str, Any]:
    """Another store's receipt taken back offline (issue 20): on needs a limit."""
    if switch is None and limit is None:
        return {}
    if switch == "on" and limit is None:
        raise InvalidInput(
            "--offline-other-store on needs --offline-other-store-limit AMOUNT (yuan)",
            "--offline-other-store on 需同时指定 --offline-other-store-limit 金额（元）",
        )
    fen = Money.parse(limit).fen if limit is not None else 0
    return {"offline_other_store": switch == "on", "offline_other_store_limit_fen": fen}


@return_rules.command("set")
@click.option(
    "--file", "path", type=click.Path(exists=True, dir_okay=False), help="A JSON rules document."
)
@click.option("--no-reason-days", type=click.IntRange(0), help="Days to return without a reason.")
@click.option("--quality-days", type=click.IntRange(0), help="Days to return for a fault.")
@click.option(
    "--category",
    "categories",
    multiple=True,
    help="CATEGORY=DAYS[/QUALITY_DAYS]: that category's window; repeat.",
)
@click.option(
    "--non-returnable", "non_returnable", multiple=True, help="A category never taken back."
)
@click.option("--approval-above", help="Refunds above this amount (yuan) need a manager.")
@click.option(
    "--original-tender-only/--any-tender",
    default=False,
    help="Card and wallet payments go back only to the original tender unless approved.",
)
@click.option(
    "--offline-other-store",
    type=click.Choice(["on", "off"]),
    help="Take another store's receipt back offline (whole receipt, manager approval).",
)
@click.option(
    "--offline-other-store-limit",
    "offline_limit",
    help="Up to this amount (yuan) per receipt, with --offline-other-store on.",
)
@click.option(
    "--no-receipt-limit",
    type=click.IntRange(0),
    help="Returns without a receipt one member (by phone) may make in 30 days.",
)
@click.option("--store", "store_id", help="Only for this store (default: every store).")
@db_options
@json_option
def rules_set(
    path: str | None,
    no_reason_days: int | None,
    quality_days: int | None,
    categories: tuple[str, ...],
    non_returnable: tuple[str, ...],
    approval_above: str | None,
    original_tender_only: bool,
    offline_other_store: str | None,
    offline_limit: str | None,
    no_receipt_limit: int | None,
    store_id: str | None,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Publish the rules (a --file document, or the options): they replace the last ones."""
    if path is not None:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except ValueError as err:
            raise InvalidInput(
                f"{path} is not a JSON document: {err}", f"{path} 不是 JSON 文档：{err}"
            ) from err
    else:
        doc = _doc(
            no_reason_days,
            quality_days,
            categories,
            non_returnable,
            approval_above,
            original_tender_only,
            offline_other_store,
            offline_limit,
            no_receipt_limit,
        )
    checked = ReturnRules.from_doc(doc).as_doc()  # a document the tills cannot read is refused
    _run(lambda s: s.admin.set_config(CONFIG_KEY, checked, store_id), db_file, database_url)
    emit(
        checked,
        as_json,
        lambda d: (
            "return rules published 退换货规则已发布\n"
            + json.dumps(d, ensure_ascii=False, indent=2)
        ),
    )


@return_rules.command("show")
@db_options
@json_option
def rules_show(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """The rules published for every store (none: {})."""

    def read(s: Any) -> Any:
        with s.db.tx() as tx:
            row = tx.execute("SELECT value FROM config WHERE key = ?", (CONFIG_KEY,)).fetchone()
        return json.loads(row[0]) if row else {}

    doc = _run(read, db_file, database_url)
    emit(doc, as_json, lambda d: json.dumps(d, ensure_ascii=False, indent=2))
