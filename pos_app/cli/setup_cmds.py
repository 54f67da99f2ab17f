"""guitai init, device show, user add/list/disable/enable/unlock/pin.

Every change to a user is made by a signed-in manager (or, for a PIN, by the user with their
current PIN) and is recorded in the audit trail like the other manager actions."""

from __future__ import annotations

from typing import Any

import click

from pos_app.domain.errors import InvalidInput, StateError
from pos_app.domain.money import CashRounding
from pos_app.domain.textwidth import ljust
from pos_app.domain.timeutil import DEFAULT_TZ, zone
from pos_app.domain.users import Role, User

from .auth import sign_in
from .common import emit, json_option, obj, read_pin, user_option


@click.command()
@click.option("--store-id", required=True, help="The brand's store code, e.g. S001.")
@click.option("--store-name", required=True, help="Printed on receipts, e.g. 静安嘉里中心店.")
@click.option("--till-no", required=True, type=click.IntRange(1, 999), help="Till number in store.")
@click.option("--admin-pin", help="PIN of the `admin` user (4–8 digits; else GUITAI_PIN/prompt).")
@click.option("--address", default="", help="Store address printed on receipts.")
@click.option("--timezone", "tz", default=DEFAULT_TZ, show_default=True)
@click.option(
    "--cash-rounding",
    type=click.Choice([c.value for c in CashRounding]),
    default="none",
    show_default=True,
    help="抹零 rule for cash payments.",
)
@click.option(
    "--ereceipt-base-url",
    help="The brand's e-receipt address the receipt QR points at, e.g. HTTPS://R.BRAND.CN/R/ "
    "(enrolment sets it too). Without it receipts print a QR that tills can verify.",
)
@json_option
@click.pass_context
def init(
    ctx: click.Context,
    store_id: str,
    store_name: str,
    till_no: int,
    admin_pin: str | None,
    address: str,
    tz: str,
    cash_rounding: str,
    ereceipt_base_url: str | None,
    as_json: bool,
) -> None:
    """Create this till: database, Ed25519 key pair, PIN pepper and the admin user."""
    from pos_app.adapters.keys import TillSigner, create_key, create_pepper
    from pos_app.domain.users import check_pin_strength

    base_url = _ereceipt_base(ereceipt_base_url) if ereceipt_base_url is not None else ""

    app = obj(ctx)
    paths = app.paths
    if paths.database.exists() or paths.private_key.exists():
        raise StateError(
            f"A till already exists in {paths.home}; use another --home",
            f"{paths.home} 已有收银台，请用其他 --home 目录",
        )
    store_id = store_id.strip()
    if not store_id or len(store_id) > 32:
        raise InvalidInput("--store-id must be 1–32 characters", "门店编号应为 1–32 个字符")
    zone(tz)
    pin = admin_pin or read_pin(prompt="PIN for admin", confirm=True)
    check_pin_strength(pin)
    key = create_key(paths.private_key)
    create_pepper(paths.pepper)
    db = app.database(must_exist=False)
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork

    uow = SqliteUnitOfWork(db.conn)
    with uow:
        for k, v in {
            "store_id": store_id,
            "store_name": store_name,
            "till_no": str(till_no),
            "store_address": address,
            "timezone": tz,
            "cash_rounding": cash_rounding,
            **({"ereceipt_base_url": base_url} if base_url else {}),
        }.items():
            uow.settings.put(k, v)
        uow.commit()
    app.till.users.add("admin", {Role.MANAGER, Role.TECHNICIAN}, pin)
    signer = TillSigner(key)
    info = {
        "home": str(paths.home),
        "store_id": store_id,
        "till_no": till_no,
        "key_id": signer.key_id.hex(),
        "public_key": signer.public_key_b64,
        "ereceipt_base_url": base_url or None,
        "warnings": [] if base_url else [NO_ERECEIPT_ADDRESS],
    }
    emit(
        info,
        as_json,
        lambda d: (
            f"收银台 {store_id}/{till_no} 已创建于 {d['home']}\n"
            f"Till {store_id}/{till_no} created in {d['home']}\n"
            f"key id {d['key_id']}  public key {d['public_key']}"
            + (f"\ne-receipts 电子小票: {base_url}" if base_url else "")
        ),
    )
    if not base_url and not as_json:
        click.echo(f"警告 warning: {NO_ERECEIPT_ADDRESS}", err=True)


NO_ERECEIPT_ADDRESS = (
    "未设置电子小票网址：小票二维码暂只能在收银机验证，并印有“电子小票开通后可扫码查看”；"
    "注册云端（guitai enroll）后自动开通，或初始化时加 --ereceipt-base-url 网址。"
    " No e-receipt address: receipts print a QR that any till can verify, with the line "
    "电子小票开通后可扫码查看; enrolling with the cloud (guitai enroll) sets it, or give "
    "--ereceipt-base-url URL at init."
)


def _ereceipt_base(value: str) -> str:
    from pos_app.domain.codes import ereceipt_base_url

    try:
        return ereceipt_base_url(value)
    except ValueError as err:
        raise InvalidInput(
            f"--ereceipt-base-url {value!r} is not usable: {err}; give the address the brand's "
            "cloud serves e-receipts at, e.g. HTTPS://R.BRAND.CN/R/",
            f"--ereceipt-base-url {value!r} 无法使用：应为 http(s) 网址，仅含字母、数字和 $%*+-./:，"
            "例如 HTTPS://R.BRAND.CN/R/（品牌云端的电子小票地址）",
        ) from err


@click.group()
def device() -> None:
    """This till's identity."""


@device.command("show")
@json_option
@click.pass_context
def device_show(ctx: click.Context, as_json: bool) -> None:
    """Store id, till number, key id and public key (to verify this till's receipts)."""
    till = obj(ctx).till
    s = till.uow.settings.all()
    info = {
        "store_id": s["store_id"],
        "store_name": s.get("store_name"),
        "till_no": int(s["till_no"]),
        "key_id": till.signer().key_id.hex(),
        "public_key": till.signer().public_key_b64,
        "device_id": s.get("device_id"),
        "cloud_url": s.get("cloud_url"),
        "ereceipt_base_url": s.get("ereceipt_base_url"),
    }
    emit(info, as_json, lambda d: "\n".join(f"{k}: {v}" for k, v in d.items()))


@click.group()
def user() -> None:
    """Users and roles."""


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
    """Users, roles and lockout state."""
    till = obj(ctx).till
    rows = [
        {
            "name": u.name,
            "roles": sorted(u.roles),
            "failed_attempts": u.failed_attempts,
            "locked_until": u.locked_until.isoformat() if u.locked_until else None,
            "active": u.active,
        }
        for u in till.users.list()
    ]
    emit(
        rows,
        as_json,
        lambda rs: "\n".join(
            f"{ljust(r['name'], 16)} {','.join(r['roles']):<28}"
            f"{' 锁定至 locked until ' + r['locked_until'] if r['locked_until'] else ''}"
            for r in rs
        ),
    )


def _user_row(u: User) -> dict[str, Any]:
    return {
        "name": u.name,
        "roles": sorted(u.roles),
        "failed_attempts": u.failed_attempts,
        "locked_until": u.locked_until.isoformat() if u.locked_until else None,
        "active": u.active,
    }


def _set_active(ctx: click.Context, name: str, by_user: str, active: bool, as_json: bool) -> None:
    till = obj(ctx).till
    manager = sign_in(till, by_user, role=Role.MANAGER)
    u = till.users.set_active(name, active, manager)
    emit(
        _user_row(u),
        as_json,
        f"用户 {u.name} 已{'启用' if active else '停用'}\n"
        f"User {u.name} {'enabled' if active else 'disabled'}",
    )


@user.command("disable")
@click.argument("name")
@user_option
@json_option
@click.pass_context
def user_disable(ctx: click.Context, name: str, user: str, as_json: bool) -> None:
    """Stop NAME signing in or approving (the user and their history stay); a manager's PIN."""
    _set_active(ctx, name, user, False, as_json)


@user.command("enable")
@click.argument("name")
@user_option
@json_option
@click.pass_context
def user_enable(ctx: click.Context, name: str, user: str, as_json: bool) -> None:
    """Let a disabled user sign in again; a manager's PIN."""
    _set_active(ctx, name, user, True, as_json)


@user.command("unlock")
@click.argument("name")
@user_option
@json_option
@click.pass_context
def user_unlock(ctx: click.Context, name: str, user: str, as_json: bool) -> None:
    """Clear NAME's wrong-PIN count and lockout; a manager's PIN."""
    till = obj(ctx).till
    manager = sign_in(till, user, role=Role.MANAGER)
    u = till.users.unlock(name, manager)
    emit(_user_row(u), as_json, f"用户 {u.name} 已解锁\nUser {u.name} unlocked")


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
    by_zh, by_en = (
        ("", "") if actor.name == name else (f"（由 {actor.name} 重置）", f" by {actor.name}")
    )
    emit(
        {"name": name, "changed_by": actor.name},
        as_json,
        f"{name} 的 PIN 已更改{by_zh}\nPIN of {name} changed{by_en}",
    )


__all__ = ["device", "init", "sign_in", "user"]
