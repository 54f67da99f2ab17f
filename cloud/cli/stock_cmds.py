"""`guitai cloud-stock …`: the brand's side of stock in the reference cloud (docs/stock.md).

Each command takes --db FILE or --database-url URL like `guitai cloud …` and publishes the
changes the store's tills pull (`stock`, `stock_doc`).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import click

from cloud.cli.common import _run, db_options, emit, json_option
from pos_app.domain.errors import InvalidInput


def _pairs(items: tuple[str, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        sku, sep, qty = item.rpartition("=")
        if not sep or not sku:
            raise InvalidInput(f"{item!r} is not SKU=QTY", f"{item} 格式应为 货号=数量")
        try:
            out[sku.strip()] = out.get(sku.strip(), 0) + int(qty)
        except ValueError as err:
            raise InvalidInput(
                f"{item!r}: QTY must be a whole number", f"{item}：数量须为整数"
            ) from err
    return out


def _csv(path: str) -> tuple[dict[str, int], dict[str, str]]:
    """Columns sku, qty[, style] (a header line)."""
    qty: dict[str, int] = {}
    styles: dict[str, str] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            try:
                qty[row["sku"].strip()] = int(row["qty"])
            except (KeyError, ValueError, AttributeError) as err:
                raise InvalidInput(
                    f"{path} line {n}: needs columns sku, qty (whole number)",
                    f"{path} 第 {n} 行：需要 sku、qty（整数）列",
                ) from err
            if row.get("style"):
                styles[row["sku"].strip()] = row["style"].strip()
    return qty, styles


@click.group("cloud-stock")
def cloud_stock() -> None:
    """The brand's stock in the reference cloud: figures, store locations, deliveries."""


@cloud_stock.command("set")
@click.argument("store_id")
@click.argument("pairs", nargs=-1)
@click.option(
    "--file", "path", type=click.Path(exists=True, dir_okay=False), help="CSV sku,qty[,style]"
)
@click.option("--style", default=None, help="The style of the SKU=QTY pairs (for grids).")
@db_options
@json_option
def set_(
    store_id: str,
    pairs: tuple[str, ...],
    path: str | None,
    style: str | None,
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Set a store's quantities (starting figures, an ERP count): SKU=QTY … or --file."""
    from cloud.stock import CloudStock

    qty, styles = _csv(path) if path else ({}, {})
    given = _pairs(pairs)
    qty.update(given)
    if style:
        styles.update(dict.fromkeys(given, style))
    if not qty:
        raise InvalidInput("Give SKU=QTY pairs or --file", "请给出 货号=数量 或 --file")
    r = _run(lambda s: CloudStock(s).set_quantities(store_id, qty, styles), db_file, database_url)
    emit(r, as_json, lambda x: f"{len(x)} figures of {store_id} published")


@cloud_stock.command("locate")
@click.argument("store_id")
@click.option("--lat", type=float, required=True)
@click.option("--lon", type=float, required=True)
@db_options
def locate(
    store_id: str, lat: float, lon: float, db_file: str | None, database_url: str | None
) -> None:
    """Where a store is (other stores' grids are shown nearest first)."""
    from cloud.stock import CloudStock

    _run(lambda s: CloudStock(s).locate(store_id, lat, lon), db_file, database_url)
    click.echo(f"{store_id} at {lat}, {lon}")


@cloud_stock.command("deliver")
@click.argument("store_id")
@click.option("--doc", required=True, help="The delivery note number.")
@click.argument("pairs", nargs=-1, required=True)
@db_options
@json_option
def deliver(
    store_id: str,
    doc: str,
    pairs: tuple[str, ...],
    db_file: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Announce a delivery to a store: SKU=QTY …"""
    from cloud.stock import CloudStock

    lines = _pairs(pairs)
    r = _run(lambda s: CloudStock(s).announce_delivery(store_id, doc, lines), db_file, database_url)
    emit(
        r,
        as_json,
        lambda x: (
            f"到货单 {x['doc']} 已通知 {x['store_id']}\n"
            f"delivery {x['doc']} announced to {x['store_id']}"
        ),
    )


@cloud_stock.command("docs")
@click.option("--store", "store_id", default=None)
@db_options
@json_option
def docs(
    store_id: str | None, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Deliveries and transfers and whether they were received (with short/over)."""
    from cloud.stock import CloudStock

    rows: list[dict[str, Any]] = _run(lambda s: CloudStock(s).docs(store_id), db_file, database_url)

    def text(rs: list[dict[str, Any]]) -> str:
        out = []
        for d in rs:
            rep = d["report"] or {}
            extra = (
                f" short {rep.get('short_units', 0)} over {rep.get('over_units', 0)}" if rep else ""
            )
            out.append(
                f"{d['doc']:<28} {d['kind']:<9} {d['from_store'] or '-':>6} → {d['store_id']:<6} "
                f"{sum(x['qty'] for x in d['lines']):>5} units [{d['state']}]{extra}"
            )
        return "\n".join(out) or "no documents"

    emit(rows, as_json, text)


@cloud_stock.command("show")
@click.argument("style")
@click.option("--from-store", default=None, help="Sort by distance from this store.")
@db_options
@json_option
def show(
    style: str, from_store: str | None, db_file: str | None, database_url: str | None, as_json: bool
) -> None:
    """Every store's quantities of a style."""
    from cloud.stock import CloudStock

    r = _run(lambda s: CloudStock(s).style_grid(style, from_store), db_file, database_url)
    emit(
        r,
        as_json,
        lambda x: "\n".join(
            f"{s['store_id']:<6} {s['name']:<12} "
            f"{'' if s['distance_km'] is None else str(s['distance_km']) + ' km':>9}  "
            + " ".join(f"{k}:{v}" for k, v in sorted(s["skus"].items()))
            for s in x["stores"]
        ),
    )
