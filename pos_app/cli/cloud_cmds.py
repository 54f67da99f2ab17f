"""`guitai cloud …`: run and administer the reference cloud CRM.

Every command takes --db FILE (SQLite, the default: ./guitai-cloud.db or $GUITAI_CLOUD_DB) or
--database-url postgresql://… ($GUITAI_CLOUD_DATABASE_URL).  Admin commands publish changes
the tills pull.  This module is also where the `receipts` package is wired into the cloud's
e-receipt page (sync may not import receipts).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from pos_app.cli.common import emit, json_option
from pos_app.domain.errors import GuitaiError, InvalidInput

F = TypeVar("F", bound=Callable[..., Any])


class CloudCommandError(GuitaiError):
    code = "cloud_error"


def db_options(f: F) -> F:
    f = click.option(
        "--database-url",
        envvar="GUITAI_CLOUD_DATABASE_URL",
        help="postgresql://user@host:port/db (PostgreSQL backend).",
    )(f)
    return click.option(
        "--db",
        "db_file",
        envvar="GUITAI_CLOUD_DB",
        type=click.Path(dir_okay=False),
        help="SQLite file of the cloud (default ./guitai-cloud.db).",
    )(f)


def _service(db_file: str | None, database_url: str | None, base_url: str = "") -> Any:
    from sync.cloud.db import CloudDB
    from sync.cloud.service import CloudService

    if db_file and database_url:
        raise InvalidInput(
            "Give --db or --database-url, not both", "--db 与 --database-url 只能选一个"
        )
    db = CloudDB(database_url or db_file or "guitai-cloud.db")
    return CloudService(db, ereceipt_base_url=base_url or "HTTP://127.0.0.1:8700/R/")


def _run(fn: Callable[[Any], Any], db_file: str | None, database_url: str | None) -> Any:
    from sync.cloud.service import ApiError

    svc = _service(db_file, database_url)
    try:
        return fn(svc)
    except ApiError as err:
        raise CloudCommandError(f"{err.message} ({err.code})") from err
    finally:
        svc.db.close()


def parse_ttl(text: str) -> timedelta:
    m = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", text)
    if not m:
        raise InvalidInput(f"{text!r} is not a duration like 30m, 24h or 7d", "时长格式如 24h")
    n, unit = int(m.group(1)), m.group(2)
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: n})


def receipts_wiring() -> tuple[Any, Any]:
    """(token codec, receipt renderer) from the `receipts` package when it is installed."""
    try:
        from receipts import token as rtoken  # type: ignore[attr-defined]
    except ImportError:
        return None, None

    class Codec:
        def decode(self, token_or_url: str) -> Any:
            return rtoken.decode_token(token_or_url)

        def verify(self, fields: Any, public_key_raw: bytes) -> None:
            rtoken.verify_token(fields, public_key_raw)

    renderer: Callable[..., str] | None = None
    try:
        from receipts import document as rdoc  # type: ignore[attr-defined]
        from receipts import html as rhtml  # type: ignore[attr-defined]

        def render(
            payload: dict[str, Any],
            *,
            verified: bool,
            extra_html: str = "",
            store_name: str = "",
            kind: str = "sale.completed",
        ) -> str:
            store_id = str(payload.get("store_id", ""))
            store = rdoc.StoreInfo(name=store_name or store_id, store_id=store_id)
            build = (
                rdoc.from_refund_payload if kind == "refund.completed" else rdoc.from_sale_payload
            )
            doc = build(payload, store=store)
            return str(rhtml.render_receipt_html(doc, verified=verified, extra_html=extra_html))

        renderer = render
    except ImportError:
        renderer = None
    return Codec(), renderer


@click.group("cloud")
def cloud() -> None:
    """The reference cloud CRM (云端): serve it and administer stores, tills and members."""


@cloud.command("serve")
@db_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8700, show_default=True, type=int)
@click.option("--public-url", help="The URL tills and customers reach (default http://HOST:PORT).")
@click.option(
    "--ereceipt-base-url",
    help="Upper-case base for e-receipt QR codes (default PUBLIC-URL upper-cased + /R/).",
)
@click.option("--brand", default="柜台", help="Brand name on the e-receipt page.")
@click.option("--account-name", default="", help="The brand's WeChat official account (公众号).")
@click.option(
    "--account-qr",
    type=click.Path(exists=True, dir_okay=False),
    help="PNG/JPEG of the official account's QR code, embedded in the page.",
)
@click.option("--join-url", default="", help="Membership sign-up link.")
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help="Behind a TLS proxy: the proxy addresses whose X-Forwarded-Proto/For are trusted "
    "(signatures cover the https:// URL the till used).",
)
def serve(
    db_file: str | None,
    database_url: str | None,
    host: str,
    port: int,
    public_url: str | None,
    ereceipt_base_url: str | None,
    brand: str,
    account_name: str,
    account_qr: str | None,
    join_url: str,
    forwarded_allow_ips: str,
) -> None:
    """Run the cloud (Starlette on uvicorn) until Ctrl-C."""
    import uvicorn

    from sync.cloud.app import create_app
    from sync.cloud.ereceipt import CloudConfig
    from sync.cloud.server import uvicorn_config

    qr = ""
    if account_qr:
        data = Path(account_qr).read_bytes()
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        qr = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    cfg = CloudConfig(
        brand_name=brand,
        account_name=account_name,
        account_qr_data_uri=qr,
        join_url=join_url,
        public_url=public_url or f"http://{host}:{port}",
        ereceipt_base_url=ereceipt_base_url or "",
    )
    svc = _service(db_file, database_url, cfg.base_url())
    codec, renderer = receipts_wiring()
    app = create_app(svc, token_codec=codec, render_receipt_html=renderer, config=cfg)
    click.echo(
        f"cloud on http://{host}:{port} ({svc.db.dialect}); e-receipts {cfg.base_url()}", err=True
    )
    try:
        uvicorn.Server(
            uvicorn_config(
                app, host, port, log_level="info", forwarded_allow_ips=forwarded_allow_ips
            )
        ).run()
    finally:
        svc.db.close()


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
    r = _run(lambda s: s.add_store(store_id, name), db_file, database_url)
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
    r = _run(lambda s: s.enrollment_code(store_id, parse_ttl(ttl)), db_file, database_url)
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
    _run(lambda s: [s.upsert_product(p) for p in products], db_file, database_url)
    emit({"products": len(products)}, as_json, f"{len(products)} products published")


catalog.add_command(catalog_import, "upsert")


@catalog.command("price")
@click.argument("sku")
@click.argument("price_fen", type=int)
@click.option("--member-price-fen", type=int)
@db_options
@json_option
def catalog_price(
    sku: str,
    price_fen: int,
    member_price_fen: int | None,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Change one SKU's price (in fen)."""
    _run(lambda s: s.set_price(sku, price_fen, member_price_fen), db_file, database_url)
    emit({"sku": sku, "price_fen": price_fen}, as_json, f"{sku} now {price_fen} fen")


@cloud.group("member")
def member() -> None:
    """Members (会员)."""


@member.command("add")
@click.option("--phone", required=True)
@click.option("--name", default="")
@click.option("--tier", default="ordinary")
@click.option("--points", default=0, type=int)
@db_options
@json_option
def member_add(
    phone: str,
    name: str,
    tier: str,
    points: int,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    r = _run(lambda s: s.add_member(phone, name, tier, points), db_file, database_url)
    emit(r, as_json, lambda m: f"member {m['id']} {m['phone']} {m['name']}")


@cloud.group("coupon")
def coupon() -> None:
    """Coupons (优惠券)."""


@coupon.command("add")
@click.argument("code")
@click.option("--amount-fen", type=int, help="Fixed amount off, in fen.")
@click.option("--percent-off", type=int, help="Percentage off (1–100).")
@click.option("--min-spend-fen", type=int, default=0)
@click.option("--expires", default="", help="Last valid day, YYYY-MM-DD.")
@db_options
@json_option
def coupon_add(
    code: str,
    amount_fen: int | None,
    percent_off: int | None,
    min_spend_fen: int,
    expires: str,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    if (amount_fen is None) == (percent_off is None):
        raise InvalidInput(
            "Give --amount-fen or --percent-off", "请指定 --amount-fen 或 --percent-off"
        )
    data = {
        "amount_fen": amount_fen,
        "percent_off": percent_off,
        "min_spend_fen": min_spend_fen,
        "expires": expires or None,
    }
    _run(lambda s: s.add_coupon(code, data), db_file, database_url)
    emit({"code": code, **data}, as_json, f"coupon {code} published")


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
    _run(lambda s: s.set_config(key, parsed, store_id), db_file, database_url)
    click.echo(f"{key} = {json.dumps(parsed, ensure_ascii=False)}")


@cloud.group("devices")
def devices() -> None:
    """Enrolled tills."""


@devices.command("list")
@db_options
@json_option
def devices_list(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    rows = _run(lambda s: s.devices(), db_file, database_url)

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
    _run(lambda s: s.revoke_device(device_id), db_file, database_url)
    click.echo(f"revoked {device_id}")


@cloud.command("totals")
@click.option("--device", "device_id")
@db_options
@json_option
def totals(
    device_id: str | None, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Accepted sales and refunds, and their sum in fen."""
    r = _run(lambda s: s.totals(device_id), db_file, database_url)
    emit(
        r,
        as_json,
        lambda t: (
            f"{t['sales_and_refunds']} sales/refunds, {t['total_fen']} fen, {t['events']} events"
        ),
    )


__all__ = ["cloud", "os"]


# ---- members (docs/members.md): promotions, the ledger's reconciliation, the funnel --------


@cloud.group("promotion")
def promotion() -> None:
    """Promotions (促销) the tills price with."""


@promotion.command("add")
@click.argument("promo_id")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    required=True,
    help="JSON of the promotion (docs/members.md, Promotions).",
)
@db_options
def promotion_add(path: str, promo_id: str, db_file: str | None, database_url: str | None) -> None:
    from pos_app.domain.promotions import Promotion

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    Promotion.from_dict({"id": promo_id, **data})  # refuse what the tills would refuse
    _run(lambda s: s.add_promotion(promo_id, data), db_file, database_url)
    click.echo(f"promotion {promo_id} published")


@member.command("show")
@click.argument("member_id")
@db_options
@json_option
def member_show(
    member_id: str, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """One member across every store: balances, purchases, flags, merged ids."""
    r = _run(lambda s: s.member_view(member_id), db_file, database_url)
    emit(
        r,
        as_json,
        lambda m: (
            f"{m['id']} {m['phone']} {m['name']} points {m['points']} "
            f"stored value {m['stored_value_fen']} fen, {len(m['purchases'])} purchases"
        ),
    )


@cloud.command("reconcile")
@db_options
@json_option
def reconcile(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Offline overdrafts and overused coupons to follow up."""
    rows = _run(lambda s: s.reconciliation(), db_file, database_url)
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['at']} {r['kind']} {r['member_id']} {r['amount']} {r['detail']}" for r in rs
            )
            or "nothing to reconcile"
        ),
    )


@cloud.command("funnel")
@click.option("--store", "store_id")
@db_options
@json_option
def funnel(
    store_id: str | None, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """E-receipt funnel: receipts printed, pages opened, follows, joins (store, associate)."""
    rows = _run(lambda s: s.funnel(store_id), db_file, database_url)
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['store_id']:<6} {r['associate'] or '-':<10} printed {r['receipts_printed']:>5} "
                f"opened {r['ereceipts_opened']:>5} follows {r['follows']:>4} joins {r['joins']:>4}"
                for r in rs
            )
            or "no receipts yet"
        ),
    )
