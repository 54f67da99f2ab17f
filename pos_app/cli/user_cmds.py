"""guitai user add/list/disable/enable/unlock/pin: users, roles and PINs.

Every change is made by a signed-in manager (or, for a PIN, by the user with their current
PIN) and is recorded in the audit trail like the other manager actions."""

from __future__ import annotations

from typing import Any

import click

from pos_app.domain.users import Role, User

from .auth import sign_in
from .common import emit, json_option, obj, read_pin, user_option


@click.group()
def user() -> None:
    """Users and roles."""


def _row(u: User) -> dict[str, Any]:
    return {
        "name": u.name,
        "roles": sorted(u.roles),
        "failed_attempts": u.failed_attempts,
        "locked_until": u.locked_until.isoformat() if u.locked_until else None,
        "active": u.active,
    }


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option(
    "--user",
    "by_user",
    default="admin",
    show_default=True,
    help="Manager adding the user (PIN from GUITAI_PIN or a prompt).",
)
@json_option
@click.pass_context
def user_add(
    ctx: click.Context, name: str, roles: tuple[str, ...], by_user: str, as_json: bool
) -> None:
    """Add a user; their PIN is read from GUITAI_NEW_PIN or a prompt."""
    till = obj(ctx).till
    sign_in(till, by_user, role=Role.MANAGER)
    pin = read_pin("GUITAI_NEW_PIN", f"New PIN for {name}", confirm=True)
    u = till.users.add(name, {Role(r) for r in roles}, pin)
    emit(
        {"name": u.name, "roles": sorted(u.roles)},
        as_json,
        f"User {u.name} added ({', '.join(sorted(u.roles))})",
    )


@user.command("list")
@json_option
@click.pass_context
def user_list(ctx: click.Context, as_json: bool) -> None:
    """Users, roles, lockout state and whether they may sign in."""
    till = obj(ctx).till
    rows = [_row(u) for u in till.users.list()]
    emit(
        rows,
        as_json,
        lambda rs: "\n".join(
            f"{r['name']:<16} {','.join(r['roles']):<28}"
            f"{'' if r['active'] else ' disabled'}"
            f"{' locked until ' + r['locked_until'] if r['locked_until'] else ''}"
            for r in rs
        ),
    )


def _set_active(ctx: click.Context, name: str, by_user: str, active: bool, as_json: bool) -> None:
    till = obj(ctx).till
    manager = sign_in(till, by_user, role=Role.MANAGER)
    u = till.users.set_active(name, active, manager)
    emit(_row(u), as_json, f"User {u.name} {'enabled' if active else 'disabled'}")


@user.command("disable")
@click.argument("name")
@user_option
@json_option
@click.pass_context
def user_disable(ctx: click.Context, name: str, user: str, as_json: bool) -> None:
    """Stop NAME signing in or approving (the user and their history stay)."""
    _set_active(ctx, name, user, False, as_json)


@user.command("enable")
@click.argument("name")
@user_option
@json_option
@click.pass_context
def user_enable(ctx: click.Context, name: str, user: str, as_json: bool) -> None:
    """Let a disabled user sign in again."""
    _set_active(ctx, name, user, True, as_json)


@user.command("unlock")
@click.argument("name")
@user_option
@json_option
@click.pass_context
def user_unlock(ctx: click.Context, name: str, user: str, as_json: bool) -> None:
    """Clear NAME's wrong-PIN count and lockout."""
    till = obj(ctx).till
    manager = sign_in(till, user, role=Role.MANAGER)
    u = till.users.unlock(name, manager)
    emit(_row(u), as_json, f"User {u.name} unlocked")


@user.command("pin")
@click.argument("name")
@click.option(
    "--user",
    "by_user",
    help="A manager resetting NAME's PIN (default: NAME changes their own, with the "
    "current PIN). PIN from GUITAI_PIN or a prompt.",
)
@json_option
@click.pass_context
def user_pin(ctx: click.Context, name: str, by_user: str | None, as_json: bool) -> None:
    """Change NAME's PIN; the new PIN is read from GUITAI_NEW_PIN or a prompt."""
    till = obj(ctx).till
    by = by_user or name
    actor = sign_in(till, by, role=None if by == name else Role.MANAGER)
    pin = read_pin("GUITAI_NEW_PIN", f"New PIN for {name}", confirm=True)
    till.users.change_pin(name, pin, by=actor)
    emit(
        {"name": name, "changed_by": actor.name},
        as_json,
        f"PIN of {name} changed" + ("" if actor.name == name else f" by {actor.name}"),
    )
