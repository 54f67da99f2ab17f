"""`guitai cloud returns conflicts`: lines two tills refunded while offline, past what was
sold (issue 20), for the store manager to settle with the customer."""

from __future__ import annotations

from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option


@cloud.group("returns")
def returns() -> None:
    """Returns across tills and stores (跨收银机/跨门店退货): over-refunds to settle."""


@returns.command("conflicts")
@click.option("--store", "store_id", help="Only this store's.")
@db_options
@json_option
def returns_conflicts(
    store_id: str | None, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Lines refunded more often than they were sold (two tills offline at once)."""
    from cloud.returns.conflicts import list_conflicts

    rows = _run(lambda s: list_conflicts(s.db, store_id), db_file, database_url)

    def text(rs: list[dict[str, Any]]) -> str:
        if not rs:
            return "no return conflicts (没有重复退货)"
        head = (
            f"{'store':<6} {'till':>4} {'receipt':>8} {'line':>4} {'sold':>4} {'refunded':>8}  by"
        )
        return "\n".join(
            [head]
            + [
                f"{r['store_id']:<6} {r['till_no']:>4} {r['receipt_no']:>8} {r['line_no']:>4} "
                f"{r['sold_qty']:>4} {r['refunded_qty']:>8}  till {r['refund_till_no']} "
                f"receipt {r['refund_receipt_no']} (+{r['excess_qty']} too many / 多退)"
                for r in rs
            ]
        )

    emit(rows, as_json, text)
