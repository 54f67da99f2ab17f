"""guitai journal verify."""

from __future__ import annotations

import click

from .common import emit, json_option, obj


@click.group()
def journal() -> None:
    """The tamper-evident journal of sales and refunds."""


@journal.command("verify")
@json_option
@click.pass_context
def journal_verify(ctx: click.Context, as_json: bool) -> None:
    """Check the hash chain and that the sale rows agree with it; exit 1 on any problem."""
    from pos_app.services.journal import verify

    result = verify(obj(ctx).till.uow)
    data = {
        "ok": result.ok,
        "entries": result.entries,
        "sales": result.sales,
        "refunds": result.refunds,
        "problems": [{"seq": p.seq, "problem": p.problem} for p in result.problems],
    }
    emit(
        data,
        as_json,
        lambda d: (
            f"流水校验通过：{d['entries']} 条，{d['sales']} 笔销售，{d['refunds']} 笔退货\n"
            f"journal OK: {d['entries']} entries, {d['sales']} sales, {d['refunds']} refunds"
            if d["ok"]
            else "流水校验未通过 journal FAILED:\n"
            + "\n".join(f"  entry {p['seq']}: {p['problem']}" for p in d["problems"])
        ),
    )
    if not result.ok:
        ctx.exit(1)
