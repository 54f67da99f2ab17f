"""`guitai cloud fapiao list [--store S] [--json]`: the 发票 customers asked for from their
e-receipts, for the store manager (issue 19)."""

from __future__ import annotations

from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option
from pos_app.domain.textwidth import display_width, ljust, rjust


@cloud.group("fapiao")
def fapiao() -> None:
    """E-invoices (数电发票) asked for from e-receipt pages."""


@fapiao.command("list")
@click.option("--store", "store_id", help="Only this store's requests.")
@db_options
@json_option
def fapiao_list(
    store_id: str | None, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Every request, newest first: receipt, buyer, amount, state (申请中 / 已开具 / 失败),
    invoice number or why it failed, and any 红冲 of a refund."""
    rows = _run(lambda s: s.fapiao.list(store_id), db_file, database_url)
    emit(rows, as_json, render)


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def render(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no invoice requests yet (还没有发票申请)"
    head = [
        "requested (申请时间)",
        "store",
        "receipt",
        "buyer (抬头)",
        "tax id",
        "yuan",
        "state",
        "number / reason",
    ]
    table = [head]
    for r in rows:
        detail = r["number"] or r["reason"] or ""
        for v in r["reversals"]:
            detail += (
                f"; 红冲 {_yuan(v['total_fen'])} {v['state_zh']} {v['number'] or v['reason'] or ''}"
            )
        table.append(
            [
                r["requested_at"][:16].replace("T", " "),
                r["store_id"],
                str(r["receipt_no"]),
                r["title"],
                r["tax_id"] or "-",
                _yuan(r["total_fen"]),
                r["state_zh"],
                detail.strip(),
            ]
        )
    widths = [max(display_width(row[i]) for row in table) for i in range(len(head))]
    lines = []
    for row in table:
        cells = [rjust(c, widths[i]) if i == 5 else ljust(c, widths[i]) for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
