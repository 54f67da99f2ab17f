"""`guitai cloud associate add|script|allow-coupon|assign|tasks`: the associates' accounts for
the workbench at /a/, the brand's 话术, the coupons they may send, and who a member belongs to
(docs/members.md, "The associate's phone")."""

from __future__ import annotations

import os

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option

PASSWORD_ENV = "GUITAI_ASSOCIATE_PASSWORD"


@cloud.group("associate")
def associate() -> None:
    """Associates (导购) and their workbench on the phone at /a/."""


@associate.command("add")
@click.argument("name")
@click.option("--store", required=True, help="The store they work at.")
@db_options
@json_option
def associate_add(
    name: str, store: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """An associate's account; the password from GUITAI_ASSOCIATE_PASSWORD, else asked for
    (never on the command line)."""
    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        "Password / 密码", hide_input=True, confirmation_prompt=True, err=True
    )
    r = _run(lambda s: s.associates.accounts.add(name, store, password), db_file, database_url)
    emit(r, as_json, f"associate {name} at {store}: signs in at /a/ (导购已添加)")


@associate.command("script")
@click.argument("kind")
@click.option("--text", required=True, help="{name} and {associate} are filled in.")
@db_options
@json_option
def associate_script(
    kind: str, text: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """The suggested message (话术) for a kind of task: followup, first_purchase, birthday,
    lapsed, return, opened_not_joined, purchase_above, or default."""
    r = _run(lambda s: s.associates.workbench.add_script(kind, text), db_file, database_url)
    emit(r, as_json, f"话术 {r['kind']} saved")


@associate.command("allow-coupon")
@click.argument("code")
@db_options
@json_option
def associate_allow_coupon(
    code: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Put a coupon on the list associates may send from the workbench."""
    r = _run(lambda s: s.associates.workbench.allow_coupon(code), db_file, database_url)
    emit(r, as_json, f"associates may send {r['code']} (导购可发放)")


@associate.command("assign")
@click.argument("member_id")
@click.option("--to", "to", required=True, help="The associate who looks after them now.")
@db_options
@json_option
def associate_assign(
    member_id: str, to: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """A manager reassigns a member (专属导购) and their open tasks."""
    r = _run(lambda s: s.associates.workbench.assign(member_id, to), db_file, database_url)
    emit(r, as_json, f"member {member_id} now belongs to {to} (已改派)")


@associate.command("tasks")
@click.argument("name")
@db_options
@json_option
def associate_tasks(
    name: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Today's open tasks of an associate, as their phone shows them."""
    rows = _run(lambda s: s.associates.workbench.today(name), db_file, database_url)
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(f"{r['due_at']}  {r['member_id']}  {r['title']}" for r in rs)
            or "nothing due today (今天没有任务)"
        ),
    )
