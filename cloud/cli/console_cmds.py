"""`guitai cloud console-user add NAME --role hq|store-manager [--store S …]`: console
accounts (issue 22); the password from GUITAI_CONSOLE_PASSWORD or a prompt, never an option
(a command line shows in the process list and the shell's history)."""

from __future__ import annotations

import os
from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option

PASSWORD_ENV = "GUITAI_CONSOLE_PASSWORD"


@cloud.group("console-user")
def console_user() -> None:
    """Accounts of the brand's console at /console/ (控制台账号)."""


@console_user.command("add")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["hq", "store-manager"]),
    help="hq sees every store; store-manager only the stores given with --store.",
)
@click.option("--store", "stores", multiple=True, help="A store the account sees (repeat).")
@db_options
@json_option
def console_user_add(
    name: str,
    role: str,
    stores: tuple[str, ...],
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Add a console account, or change one's role, stores and password (its sessions end).
    The password (at least 10 characters) comes from GUITAI_CONSOLE_PASSWORD, else a prompt."""
    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        "Password (密码)", hide_input=True, confirmation_prompt=True, err=True
    )

    def add(svc: Any) -> dict[str, Any]:
        from cloud.console.auth import Accounts

        v = Accounts(svc.db, svc.now).add(name, role, password, list(stores))
        return {"username": v.username, "role": v.role, "stores": sorted(v.stores)}

    data = _run(add, db_file, database_url)
    where = ", ".join(data["stores"]) or "every store / 全部门店"
    emit(
        data,
        as_json,
        f"console user {data['username']} ({data['role']}; {where}) saved: sign in at "
        f"/console/login (控制台账号已保存)",
    )


@cloud.command("console-rebuild")
@db_options
@json_option
def console_rebuild(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Make the console's summaries again from the event log (after upgrading a cloud that
    holds events from before the console; the ingest keeps them from then on)."""

    def rebuild(svc: Any) -> dict[str, int]:
        from cloud.console.facts import rebuild

        return rebuild(svc.db)

    data = _run(rebuild, db_file, database_url)
    emit(
        data,
        as_json,
        f"console summaries rebuilt from {data['events']} events ({data['summary_rows']} rows) "
        "(控制台汇总已重建)",
    )
