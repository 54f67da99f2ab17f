"""`guitai cloud rejections list|clear`: events the cloud rejected, and clearing a rejection
once its cause is fixed in the cloud so the till's `guitai sync requeue` gets it accepted."""

from __future__ import annotations

from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option
from pos_app.domain.errors import InvalidInput


def _rejections(svc: Any) -> Any:
    from cloud.rejections import CloudRejections

    return CloudRejections(svc.db, svc.now)


@cloud.group("rejections")
def rejections() -> None:
    """Events the cloud rejected (被拒绝的事件): list them; clear them once fixed."""


@rejections.command("list")
@click.option("--device", "device_id", help="Only this device's.")
@db_options
@json_option
def rejections_list(
    device_id: str | None, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Rejected events (state `rejected`), and cleared ones the till has not resent yet
    (state `cleared`)."""
    rows = _run(lambda s: _rejections(s).list(device_id), db_file, database_url)

    def text(rs: list[dict[str, Any]]) -> str:
        if not rs:
            return "no rejected events (没有被拒绝的事件)"
        head = f"{'store':<6} {'till':>4} {'seq':>7}  {'state':<8} {'type':<18} {'code':<18} id"
        return "\n".join(
            [head]
            + [
                f"{r['store_id']:<6} {r['till_no']:>4} {r['seq']:>7}  {r['state']:<8} "
                f"{r['type']:<18} {r['code'] or '':<18} {r['id']}\n{'':>30}{r['reason'] or ''}"
                for r in rs
            ]
        )

    emit(rows, as_json, text)


@rejections.command("clear")
@click.argument("ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every rejection (of --device, if given).")
@click.option("--device", "device_id", help="With --all: only this device's.")
@db_options
@json_option
def rejections_clear(
    ids: tuple[str, ...],
    all_: bool,
    device_id: str | None,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Clear rejections (all or nothing) so the till's resend is checked again: then run
    `guitai sync requeue ID…|--all` on the till."""
    if bool(ids) == all_:
        raise InvalidInput(
            "Name the event ids to clear, or pass --all (see `guitai cloud rejections list`)",
            "请指定要清除的事件编号，或使用 --all（见 guitai cloud rejections list）",
        )
    if device_id and ids:
        raise InvalidInput(
            "--device goes with --all, not with event ids", "--device 只能与 --all 一起使用"
        )
    cleared = _run(lambda s: _rejections(s).clear(ids, device_id), db_file, database_url)
    emit(
        {"cleared": cleared},
        as_json,
        f"cleared {len(cleared)} rejections; now run `guitai sync requeue` on the till "
        f"(已清除 {len(cleared)} 条拒绝记录：请在收银机上运行 guitai sync requeue)",
    )
