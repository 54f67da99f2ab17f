"""`guitai cloud store|enrollment-code|catalog|config|devices|totals`: the brand's stores,
enrolment codes, catalogue and prices, settings, enrolled tills and the accepted totals."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option, parse_ttl
from pos_app.domain.errors import InvalidInput
from pos_app.domain.money import format_fen


@cloud.group("store")
def store() -> None:
    """Stores (门店)."""


@store.command("add")
@click.argument("store_id")
@click.option("--name", required=True)
@db_options
@json_option
def store_add(
    store_id: str, name: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Create a store (or rename it)."""
    r = _run(lambda s: s.admin.add_store(store_id, name), db_file, database_url)
    emit(r, as_json, f"store {store_id} {name}")


@cloud.command("enrollment-code")
@click.option("--store", "store_id", required=True)
@click.option("--ttl", default="24h", show_default=True, help="How long the code is valid.")
@db_options
@json_option
def enrollment_code(
    store_id: str, ttl: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Print a one-time code a technician enters with `guitai enroll`."""
    r = _run(lambda s: s.admin.enrollment_code(store_id, parse_ttl(ttl)), db_file, database_url)
    emit(
        r, as_json, lambda d: f"{d['code']}  (store {d['store_id']}, valid until {d['expires_at']})"
    )


@cloud.group("catalog")
def catalog() -> None:
    """Products and prices the tills pull."""


def _read_products(path: str) -> list[dict[str, Any]]:
    text = Path(path).read_text(encoding="utf-8-sig") if path != "-" else sys.stdin.read()
    if path.endswith(".csv"):
        styles: dict[str, dict[str, Any]] = {}
        for i, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            try:
                price = int(row["price_fen"])
                member = int(row["member_price_fen"]) if row.get("member_price_fen") else None
                style = row["style"]
                sku = row["sku"]
            except (KeyError, ValueError) as err:
                raise InvalidInput(
                    f"{path} line {i}: needs style, sku, name, price_fen (integer fen): {err}",
                    f"{path} 第 {i} 行格式错误",
                ) from err
            p = styles.setdefault(
                style,
                {
                    "style": style,
                    "name": row.get("style_name") or row.get("name", style),
                    "category": row.get("category", ""),
                    "skus": [],
                },
            )
            p["skus"].append(
                {
                    "sku": sku,
                    "name": row.get("name", sku),
                    "colour": row.get("colour", ""),
                    "size": row.get("size", ""),
                    "price_fen": price,
                    "member_price_fen": member,
                    "category": row.get("category", ""),
                    "barcodes": [b for b in (row.get("barcode") or "").split("|") if b],
                }
            )
        return list(styles.values())
    try:
        data = json.loads(text)
    except ValueError as err:
        raise InvalidInput(f"{path} is not JSON: {err}", f"{path} 不是 JSON") from err
    return data if isinstance(data, list) else [data]


@catalog.command("import")
@click.argument("path")
@db_options
@json_option
def catalog_import(path: str, db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Upsert products from JSON (a product or a list) or CSV (style,sku,name,price_fen,…)."""
    products = _read_products(path)
    _run(lambda s: [s.admin.upsert_product(p) for p in products], db_file, database_url)
    emit({"products": len(products)}, as_json, f"{len(products)} products published")


catalog.add_command(catalog_import, "upsert")


@catalog.command("price")
@click.argument("sku")
@click.argument("price_fen", type=int)
@click.option(
    "--member-price-fen",
    type=int,
    help="A new member price (fen); without it the member price is unchanged.",
)
@click.option(
    "--clear-member-price", is_flag=True, help="Remove the member price (members pay the price)."
)
@db_options
@json_option
def catalog_price(
    sku: str,
    price_fen: int,
    member_price_fen: int | None,
    clear_member_price: bool,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Change one SKU's price (in fen); the member price stays unless given or cleared."""
    if member_price_fen is not None and clear_member_price:
        raise InvalidInput(
            "Give --member-price-fen or --clear-member-price, not both",
            "--member-price-fen 与 --clear-member-price 只能选一个",
        )
    r = _run(
        lambda s: s.admin.set_price(
            sku, price_fen, member_price_fen, clear_member_price=clear_member_price
        ),
        db_file,
        database_url,
    )

    def text(d: dict[str, Any]) -> str:
        member = d.get("member_price_fen")
        if "member_price_fen" not in d:
            tail = "member price unchanged (会员价不变)"
        elif member is None:
            tail = "no member price (无会员价)"
        else:
            tail = f"member ¥{format_fen(member)} (会员价)"
        return f"{sku} now ¥{format_fen(price_fen)}, {tail}"

    emit(r, as_json, text)


@cloud.group("config")
def config() -> None:
    """Settings published to the tills."""


@config.command("set")
@click.argument("key")
@click.argument("value")
@click.option("--store", "store_id", help="Only for this store.")
@db_options
def config_set(
    key: str, value: str, store_id: str | None, db_file: str | None, database_url: str | None
) -> None:
    try:
        parsed: Any = json.loads(value)
    except ValueError:
        parsed = value
    _run(lambda s: s.admin.set_config(key, parsed, store_id), db_file, database_url)
    click.echo(f"{key} = {json.dumps(parsed, ensure_ascii=False)}")


@cloud.group("devices")
def devices() -> None:
    """Enrolled tills."""


@devices.command("list")
@db_options
@json_option
def devices_list(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    rows = _run(lambda s: s.admin.devices(), db_file, database_url)

    def text(rs: list[dict[str, Any]]) -> str:
        return (
            "\n".join(
                f"{r['store_id']} till {r['till_no']}  {r['device_id']}  key {r['key_id']}  "
                f"seq {r['contiguous_seq']}/{r['max_seq']}  last seen {r['last_seen_at']}"
                + ("  REVOKED" if r["revoked_at"] else "")
                for r in rs
            )
            or "no devices"
        )

    emit(rows, as_json, text)


@devices.command("revoke")
@click.argument("device_id")
@db_options
def devices_revoke(device_id: str, db_file: str | None, database_url: str | None) -> None:
    _run(lambda s: s.admin.revoke_device(device_id), db_file, database_url)
    click.echo(f"revoked {device_id}")


@cloud.command("totals")
@click.option("--device", "device_id")
@db_options
@json_option
def totals(
    device_id: str | None, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Accepted sales and refunds and their sum (yuan; JSON also `total_fen`), all events."""
    r = _run(lambda s: s.admin.totals(device_id), db_file, database_url)
    r["total"] = format_fen(r["total_fen"])
    emit(
        r,
        as_json,
        lambda t: (
            f"{t['sales_and_refunds']} sales/refunds ¥{t['total']}, {t['events']} events "
            f"(销售/退货 {t['sales_and_refunds']} 笔，合计 ¥{t['total']}，事件 {t['events']} 条)"
        ),
    )
