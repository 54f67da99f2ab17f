"""guitai backup, guitai restore FILE."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from .common import emit, json_option, obj


@click.command()
@click.option(
    "--to",
    "dest",
    type=click.Path(file_okay=False),
    multiple=True,
    help="Folder(s) to write to (default: the till's backups folder and the "
    "configured second location).",
)
@json_option
@click.pass_context
def backup(ctx: click.Context, dest: tuple[str, ...], as_json: bool) -> None:
    """Online backup of the till's database while it keeps selling."""
    till = obj(ctx).till
    written = till.backups.backup("manual", [Path(d) for d in dest] or None)
    emit(
        {"written": [str(p) for p in written]},
        as_json,
        lambda d: "备份已写入 backup written:\n" + "\n".join(f"  {p}" for p in d["written"]),
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@click.pass_context
def restore(ctx: click.Context, file: str, as_json: bool) -> None:
    """Restore a backup (checked first; the current database is kept beside it)."""
    from pos_app.adapters.db.backup import restore as do_restore
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.services.journal import verify

    app = obj(ctx)
    kept = do_restore(Path(file), app.paths.database, datetime.now(UTC))
    db = open_database(app.paths.database)
    try:
        result = verify(SqliteUnitOfWork(db.conn))
    finally:
        db.close()
    data = {
        "restored": file,
        "previous_database_kept_at": str(kept),
        "journal_ok": result.ok,
        "entries": result.entries,
    }
    emit(
        data,
        as_json,
        lambda d: (
            f"已恢复 {d['restored']}；流水{'校验通过' if d['journal_ok'] else '校验未通过'}"
            f"（{d['entries']} 条）；原数据库保存在 {d['previous_database_kept_at']}\n"
            f"restored {d['restored']}; journal "
            f"{'verifies' if d['journal_ok'] else 'DOES NOT verify'} ({d['entries']} entries); "
            f"the previous database is kept at {d['previous_database_kept_at']}"
        ),
    )
    if not result.ok:
        ctx.exit(1)
