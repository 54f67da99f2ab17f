"""guitai init, device show."""

from __future__ import annotations

import click

from pos_app.domain.errors import InvalidInput, StateError
from pos_app.domain.money import CashRounding
from pos_app.domain.timeutil import DEFAULT_TZ, zone
from pos_app.domain.users import Role

from .common import emit, json_option, obj, read_pin


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
    as_json: bool,
) -> None:
    """Create this till: database, Ed25519 key pair, PIN pepper and the admin user."""
    from pos_app.adapters.keys import TillSigner, create_key, create_pepper
    from pos_app.domain.users import check_pin_strength

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
    from pos_app.adapters.db.store import SqliteStore

    store = SqliteStore(db.conn)
    with store.transaction():
        for k, v in {
            "store_id": store_id,
            "store_name": store_name,
            "till_no": str(till_no),
            "store_address": address,
            "timezone": tz,
            "cash_rounding": cash_rounding,
        }.items():
            store.put_setting(k, v)
    app.till.users.add("admin", {Role.MANAGER, Role.TECHNICIAN}, pin)
    signer = TillSigner(key)
    info = {
        "home": str(paths.home),
        "store_id": store_id,
        "till_no": till_no,
        "key_id": signer.key_id.hex(),
        "public_key": signer.public_key_b64,
    }
    emit(
        info,
        as_json,
        lambda d: (
            f"Till {store_id}/{till_no} created in {d['home']}\n"
            f"key id {d['key_id']}  public key {d['public_key']}"
        ),
    )


@click.group()
def device() -> None:
    """This till's identity."""


@device.command("show")
@json_option
@click.pass_context
def device_show(ctx: click.Context, as_json: bool) -> None:
    """Store id, till number, key id and public key (to verify this till's receipts)."""
    till = obj(ctx).till
    s = till.settings()
    info = {
        "store_id": s["store_id"],
        "store_name": s.get("store_name"),
        "till_no": int(s["till_no"]),
        "key_id": till.signer.key_id.hex(),
        "public_key": till.signer.public_key_b64,
        "device_id": s.get("device_id"),
        "cloud_url": s.get("cloud_url"),
        "ereceipt_base_url": s.get("ereceipt_base_url"),
    }
    emit(info, as_json, lambda d: "\n".join(f"{k}: {v}" for k, v in d.items()))


__all__ = ["device", "init"]
