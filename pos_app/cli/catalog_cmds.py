"""guitai demo-data; guitai catalog import / search / show."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pos_app.domain.catalog import SkuInfo, format_vat
from pos_app.domain.errors import GuitaiError
from pos_app.domain.money import format_fen

from .common import emit, json_option, obj

if TYPE_CHECKING:
    from pos_app.services.catalog_import import ImportResult


def _store_prefixes(conn: sqlite3.Connection) -> tuple[str, ...]:
    row = conn.execute("SELECT value FROM settings WHERE key = 'store_code_prefix'").fetchone()
    if row is None:
        return ()
    return tuple(p.strip() for p in str(row[0]).split(",") if p.strip())


@contextlib.contextmanager
def _progress(length: int, label: str, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error (standard output stays clean for --json)."""
    if quiet or length <= 0:
        yield lambda n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def _info_json(info: SkuInfo) -> dict[str, Any]:
    return {
        "sku": info.sku,
        "style": info.style,
        "name": info.name,
        "name_en": info.name_en,
        "colour": info.colour,
        "size": info.size,
        "category": info.category,
        "vat_rate_bp": info.vat_rate_bp,
        "price_fen": info.price_fen,
        "member_price_fen": info.member_price_fen,
        "price": format_fen(info.price_fen),
        "member_price": None
        if info.member_price_fen is None
        else format_fen(info.member_price_fen),
        "active": info.active,
        "barcode": info.barcode,
        "barcodes": list(info.barcodes),
    }


def _info_line(info: SkuInfo) -> str:
    member = "" if info.member_price_fen is None else f"  会员 {format_fen(info.member_price_fen)}"
    inactive = "" if info.active else "  [停售 withdrawn]"
    return (
        f"{info.sku:<24} {info.name}  ¥{format_fen(info.price_fen)}{member}"
        f"  VAT {format_vat(info.vat_rate_bp)}{inactive}"
    )


@click.command("demo-data")
@click.option("--skus", type=click.IntRange(0, 5_000_000), default=2_000, show_default=True)
@click.option("--members", type=click.IntRange(0, 2_000_000), default=500, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option(
    "--stock/--no-stock",
    default=True,
    show_default=True,
    help="Starting stock per size and colour (--no-stock: leave stock as it is).",
)
@json_option
@click.pass_context
def demo_data(
    ctx: click.Context, skus: int, members: int, seed: int, stock: bool, as_json: bool
) -> None:
    """Fill the catalog and member list with realistic demo data (re-runnable: it replaces
    the same SKU ids and members by phone; see docs/catalog.md)."""
    from pos_app.adapters.db.repositories.stock import load_stock_figures
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.demo.data import generate_catalog, generate_members, generate_stock

    database = obj(ctx).database()
    uow = SqliteUnitOfWork(database.conn)
    repo = uow.catalog
    row = database.conn.execute("SELECT value FROM settings WHERE key = 'store_id'").fetchone()
    store_id = str(row[0]) if row else "S001"
    units = 0
    now = datetime.now(UTC).isoformat(timespec="seconds")
    started = datetime.now(UTC)
    before = repo.count()
    with _progress(skus + members, "demo data 演示数据", as_json) as step, uow:
        with repo.bulk_load():  # its index rebuild belongs to the transaction
            for batch in generate_catalog(skus, seed):
                repo.upsert_styles(batch.styles)
                repo.upsert_skus(batch.skus, now, batch.kinds)
                # Starting stock per size and colour, as if the brand's ERP had published it: a
                # demo sale then sells from stock instead of below zero.
                if stock:
                    figures = list(generate_stock(batch.skus, store_id, seed))
                    load_stock_figures(database.conn, figures, now)
                    units += sum(q for _, q in figures)
                step(len(batch.skus))
            chunk: list[tuple[object, ...]] = []
            for row in generate_members(members, seed):
                chunk.append((*row, now))
                if len(chunk) >= 10_000:
                    repo.upsert_members(chunk)
                    step(len(chunk))
                    chunk = []
            repo.upsert_members(chunk)
            step(len(chunk))
        uow.commit()
    after = repo.count()
    seconds = (datetime.now(UTC) - started).total_seconds()
    summary = {
        "skus": skus,
        "members": members,
        "seed": seed,
        "new_skus": after - before,
        "catalog_skus": after,
        "stock_units": units,
        "seconds": round(seconds, 2),
    }
    emit(
        summary,
        as_json,
        lambda s: (
            f"已写入 {s['skus']} 个商品（新增 {s['new_skus']}，目录共 {s['catalog_skus']}，"
            f"库存 {s['stock_units']} 件）和 {s['members']} 位会员，用时 {s['seconds']} 秒\n"
            f"{s['skus']} SKUs ({s['new_skus']} new, {s['catalog_skus']} in the catalog, "
            f"{s['stock_units']} units in stock) and "
            f"{s['members']} members written in {s['seconds']} s (seed {s['seed']})"
        ),
    )


@click.group()
def catalog() -> None:
    """The item catalog: import a CSV file, search, show one item."""


@catalog.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the good rows and write the bad ones to FILE.rejects.csv (UTF-8 with BOM).",
)
@click.option(
    "--encoding", help="The file's encoding (default: UTF-8 with or without BOM, else GB18030)."
)
@json_option
@click.pass_context
def import_(
    ctx: click.Context, file: Path, skip_invalid: bool, encoding: str | None, as_json: bool
) -> None:
    """Import (upsert by SKU) a catalog CSV file in one transaction; columns in docs/catalog.md."""
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.domain.ports import SystemClock
    from pos_app.services.catalog_import import CatalogImporter
    from pos_app.services.csv_encoding import sniff_encoding

    from .catalog_files import file_bytes, file_lines, write_rejects

    database = obj(ctx).database()
    found = sniff_encoding(file_bytes(file), encoding)
    importer = CatalogImporter(
        SqliteUnitOfWork(database.conn), SystemClock(), _store_prefixes(database.conn)
    )
    rejects_file = file.with_name(f"{file.stem}.rejects.csv")
    result: ImportResult | None = None
    try:
        with _phases(max(0, found.lines - 1), file.name, as_json) as step:
            result = importer.run(
                file_lines(file, found.codec),
                skip_invalid=skip_invalid,
                encoding=found.name,
                progress=step,
                save_rejects=lambda r: write_rejects(rejects_file, r),
            )
        _report_import(ctx, result, found.name, rejects_file if skip_invalid else None, as_json)
    except Exception as err:
        if result is None or not result.written or isinstance(err, GuitaiError):
            raise
        # After the commit only the report is left: a failure there (a closed pipe) must not
        # reach the generic "nothing was changed" message.
        raise GuitaiError(
            f"The catalog import was committed ({result.imported} new, {result.updated} "
            f"updated, {result.rejected} rejected); only printing its summary failed "
            f"({type(err).__name__}: {err}). Do not import again: check the items with "
            "guitai catalog search",
            f"商品目录已导入（新增 {result.imported}，更新 {result.updated}，拒绝 "
            f"{result.rejected}）；只是输出结果时出错（{type(err).__name__}：{err}）。"
            "无需重新导入：可用 guitai catalog search 核对",
        ) from err


def _report_import(
    ctx: click.Context,
    result: ImportResult,
    encoding: str,
    rejects_file: Path | None,
    as_json: bool,
) -> None:
    saved = rejects_file is not None and bool(result.rejects)
    summary = {
        "imported": result.imported,
        "updated": result.updated,
        "rejected": result.rejected,
        "rejects_file": str(rejects_file) if saved else None,
        "encoding": encoding,
        "rejects": [
            {"line": r.line, "reason": r.reason, "reason_zh": r.reason_zh} for r in result.rejects
        ],
    }
    if not as_json:
        for r in result.rejects:
            click.echo(f"line {r.line}: {r.reason_zh} / {r.reason}", err=True)
    emit(summary, as_json, lambda s: _import_text(s, result.written))
    if not result.written and result.rejects:
        ctx.exit(1)


@contextlib.contextmanager
def _phases(rows: int, name: str, quiet: bool) -> Iterator[Callable[[str, int], None]]:
    """One progress bar per phase of the import (checking, then writing)."""
    labels = {"check": f"check 检查 {name}", "write": f"import 导入 {name}"}
    with contextlib.ExitStack() as stack:
        bars: dict[str, Callable[[int], None]] = {}

        def step(phase: str, n: int) -> None:
            if phase not in bars:
                stack.close()  # the previous phase's bar is finished
                bars[phase] = stack.enter_context(_progress(rows, labels[phase], quiet))
            bars[phase](n)

        yield step


def _import_text(s: dict[str, Any], written: bool) -> str:
    if not written and s["rejected"]:
        if s["rejects_file"]:
            return (
                f"Nothing imported: none of the rows is good ({s['rejected']} bad, written to "
                f"{s['rejects_file']})\n未导入任何商品：没有正确的行（{s['rejected']} 行错误，"
                f"已写入 {s['rejects_file']}）"
            )
        return (
            f"Nothing imported: {s['rejected']} bad row(s). Fix them, or pass --skip-invalid to "
            f"import the good rows\n未导入任何商品：有 {s['rejected']} 行错误。请修正，或加 "
            "--skip-invalid 只导入正确的行"
        )
    zh = f"新增 {s['imported']}，更新 {s['updated']}，拒绝 {s['rejected']}"
    text = f"imported {s['imported']} new, updated {s['updated']}, rejected {s['rejected']}"
    if s["rejects_file"]:
        zh += f"；被拒的行已写入 {s['rejects_file']}"
        text += f"; rejects written to {s['rejects_file']}"
    return f"{zh}\n{text}"


@catalog.command("search")
@click.argument("text", required=False, default="")
@click.option("--limit", type=click.IntRange(0, 1000), default=20, show_default=True)
@json_option
@click.pass_context
def search(ctx: click.Context, text: str, limit: int, as_json: bool) -> None:
    """Find items by barcode, SKU, name (Chinese or English) or pinyin initials (nsymjk)."""
    from pos_app.adapters.db.repositories.catalog import SqliteCatalog
    from pos_app.services.catalog import CatalogService

    database = obj(ctx).database()
    service = CatalogService(SqliteCatalog(database.conn), _store_prefixes(database.conn))
    found = service.search(text, limit)
    emit(
        [_info_json(i) for i in found],
        as_json,
        lambda _: "\n".join(_info_line(i) for i in found) or "no items found / 没有找到商品",
    )


@catalog.command("show")
@click.argument("code")
@json_option
@click.pass_context
def show(ctx: click.Context, code: str, as_json: bool) -> None:
    """Look up one item by barcode or SKU, as the sale screen does on a scan."""
    from pos_app.adapters.db.repositories.catalog import SqliteCatalog
    from pos_app.services.catalog import CatalogService

    database = obj(ctx).database()
    repo = SqliteCatalog(database.conn)
    service = CatalogService(repo, _store_prefixes(database.conn))
    info = service.by_code(code)
    full = repo.by_sku(info.sku)
    data = _info_json(info)
    if full is not None:
        data["barcodes"] = list(full.barcodes)
    emit(data, as_json, lambda d: _info_line(info) + "\n条码 barcodes: " + " ".join(d["barcodes"]))
