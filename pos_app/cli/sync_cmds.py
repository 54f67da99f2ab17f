"""`guitai enroll` and `guitai sync …`: the till's side of the cloud link (the relay's
wiring is pos_app.adapters.sync_link, which the composition root uses too)."""

from __future__ import annotations

import platform
from typing import Any

import click

from pos_app import __version__
from pos_app.adapters.db.relay_ports import RelayOutbox, RelaySyncState
from pos_app.adapters.db.repositories.outbox import SqliteOutbox, SqliteSyncState, settings_get
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.sync_link import build_relay
from pos_app.cli.common import emit, json_option, obj
from pos_app.domain.digits import is_digits
from pos_app.domain.errors import InvalidInput, StateError
from pos_app.domain.ports import SystemClock


@click.command("enroll")
@click.option(
    "--cloud", "cloud_url", required=True, help="The cloud's URL, e.g. https://crm.example.com"
)
@click.option("--code", required=True, help="The one-time enrollment code from the store manager.")
@json_option
@click.pass_context
def enroll(ctx: click.Context, cloud_url: str, code: str, as_json: bool) -> None:
    """Register this till with the brand's cloud (technician, once per till)."""
    from sync.client import CloudClient
    from sync.signing import key_id_of, load_private_key, public_raw

    app = obj(ctx)
    od = app.database()
    conn = od.conn
    if not cloud_url.startswith(("http://", "https://")):
        raise InvalidInput(f"{cloud_url!r} is not an http(s) URL", f"{cloud_url} 不是有效的网址")
    key = load_private_key(app.paths.private_key)
    device: dict[str, Any] = {
        "model": platform.machine(),
        "serial": platform.node(),
        "app_version": __version__,
    }
    have_till = settings_get(conn, "till_no")
    if have_till and is_digits(have_till):
        device["till_no"] = int(have_till)  # set by `guitai init --till-no`: ask for it
    have_store = settings_get(conn, "store_id")
    if have_store:
        device["store_id"] = have_store
    with CloudClient(cloud_url, key=key) as client:
        answer = client.enroll(code.strip(), device)
    expect_key_id = key_id_of(public_raw(key)).hex()
    if answer.get("key_id") != expect_key_id:
        raise StateError(
            "The cloud returned a different key id than this till's key: do not use this cloud",
            "云端返回的密钥编号与本机不符，请勿使用该云端",
        )
    for name, value in (("store_id", str(answer["store_id"])), ("till_no", str(answer["till_no"]))):
        have = settings_get(conn, name)
        if have and have != value:
            raise StateError(
                f"This till is set up as {name} {have} but the code is for {value}: ask for a "
                f"code for {name} {have}, or re-initialise the till",
                f"本机设置的 {name} 为 {have}，而登记码对应 {value}：请索取正确的登记码",
            )
    from sync.relay import PUSH_BLOCKED

    uow = SqliteUnitOfWork(conn)
    RelaySyncState(uow).put(PUSH_BLOCKED, "")  # a new enrollment is the change to retry
    with uow:
        for k, v in {
            "device_id": answer["device_id"],
            "cloud_url": cloud_url.rstrip("/"),
            "ereceipt_base_url": answer["ereceipt_base_url"],
            "key_id": answer["key_id"],
            "store_id": str(answer["store_id"]),
            "till_no": str(answer["till_no"]),
        }.items():
            uow.settings.put(k, v)
        uow.commit()
    emit(
        answer,
        as_json,
        lambda a: (
            f"已登记 enrolled: device {a['device_id']}, store {a['store_id']}, "
            f"till {a['till_no']}, "
            f"e-receipts at {a['ereceipt_base_url']}"
        ),
    )


@click.group("sync")
def sync() -> None:
    """Send sales to the cloud and fetch catalog, prices and members (同步)."""


@sync.command("run")
@json_option
@click.pass_context
def sync_run(ctx: click.Context, as_json: bool) -> None:
    """Push every pending event now, then pull changes, with a progress line."""
    import logging

    # The summary line below reports errors; the relay's log warnings would repeat them.
    logging.getLogger("sync.relay").setLevel(logging.ERROR)
    app = obj(ctx)
    parts = build_relay(app.paths, app.database().conn)
    try:
        progress = None if as_json else (lambda line: click.echo(line, err=True))
        push = parts.relay.push(force=True, progress=progress)
        pull = parts.relay.pull(force=True, progress=progress)
        status = parts.relay.status()
    finally:
        parts.close()
    result = {"push": vars(push), "pull": vars(pull), "status": status}
    emit(
        result,
        as_json,
        lambda r: (
            f"已上传 {push.accepted}（{push.duplicates} 条云端已有，{push.rejected} 条被拒）；"
            f"已下载 {pull.changes} 项变更；待上传 {status['pending']}"
            + (f"；错误：{push.error or pull.error}" if push.error or pull.error else "")
            + "\n"
            f"pushed {push.accepted} (+{push.duplicates} already there, {push.rejected} rejected); "
            f"pulled {pull.changes} changes; {status['pending']} pending"
            + (f"; error: {push.error or pull.error}" if push.error or pull.error else "")
        ),
    )
    if push.error or pull.error:
        # The answer is printed above (also as JSON); the exit status tells automation.
        raise SystemExit(1)


@sync.command("status")
@json_option
@click.pass_context
def sync_status_cmd(ctx: click.Context, as_json: bool) -> None:
    """Queue length, age of the oldest pending event, last success/error, dead letters."""
    from sync.relay import sync_status

    app = obj(ctx)
    conn = app.database().conn
    status = sync_status(SqliteOutbox(conn), SqliteSyncState(conn), SystemClock())
    status["enrolled"] = bool(settings_get(conn, "device_id"))

    def text(s: dict[str, Any]) -> str:
        lines = [
            f"待上传 {s['pending']}（最早 {s['oldest_pending_age_s']} 秒），"
            f"上次成功 {s['last_success']}，时钟偏差 {s['clock_offset_s']} 秒",
            f"pending {s['pending']} (oldest {s['oldest_pending_age_s']} s), "
            f"last success {s['last_success']}, clock offset {s['clock_offset_s']} s",
        ]
        if s["last_error"]:
            lines.append(f"上次错误 last error: {s['last_error']}")
        for d in s["dead_letters"]:
            lines.append(
                f"死信 dead letter {d['id']} {d['type']} #{d['seq']}: {d['code']} {d['reason']}"
            )
        return "\n".join(lines)

    emit(status, as_json, text)


@sync.command("requeue")
@click.argument("ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Requeue every dead letter.")
@json_option
@click.pass_context
def sync_requeue(ctx: click.Context, ids: tuple[str, ...], all_: bool, as_json: bool) -> None:
    """Send dead letters again after the cause was fixed in the cloud."""
    if not ids and not all_:
        raise InvalidInput("Name the event ids to requeue, or pass --all", "请指定事件编号或 --all")
    uow = SqliteUnitOfWork(obj(ctx).database().conn)
    n = RelayOutbox(uow).requeue_dead(None if all_ else list(ids))
    emit({"requeued": n}, as_json, f"已重新排队 {n} 个事件\nrequeued {n} events")


__all__ = ["enroll", "sync"]
