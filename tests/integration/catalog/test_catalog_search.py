"""Scan lookup and search: the repository, the service and `guitai catalog search/show`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pos_app.adapters.db.connection import OpenDatabase, open_database
from pos_app.adapters.db.repositories.catalog import SqliteCatalog, pinyin_initials
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.cli import cli
from pos_app.config import Paths
from pos_app.domain.catalog import CatalogReader, Sku
from pos_app.domain.errors import InvalidInput, NotFound, RuleViolation
from pos_app.services.catalog import CatalogService

ITEMS = [
    Sku(
        "QP-2026-0001-BLK-L",
        "QP-2026-0001",
        "男士羊毛夹克 黑 L",
        129900,
        "Men's Wool Jacket Black L",
        "黑",
        "L",
        "男装",
        1300,
        116900,
        ("6901234567892", "2000000000008"),
    ),
    Sku(
        "QP-2026-0001-BLK-M",
        "QP-2026-0001",
        "男士羊毛夹克 黑 M",
        129900,
        "Men's Wool Jacket Black M",
        "黑",
        "M",
        "男装",
        1300,
        116900,
        ("6901234567908",),
    ),
    Sku(
        "QP-2026-0002-WHT-S",
        "QP-2026-0002",
        "女士真丝衬衫 白 S",
        89900,
        "Women's Silk Blouse White S",
        "白",
        "S",
        "女装",
        1300,
        80900,
        ("036000291452",),
    ),
    Sku(
        "QP-2026-0097",
        "QP-2026-0097",
        "品牌画册",
        9900,
        "Brand Lookbook",
        "",
        "",
        "其他",
        900,
        None,
        ("6901234567915",),
    ),
    Sku(
        "QP-2026-0003-RED-OS",
        "QP-2026-0003",
        "羊绒围巾 红",
        59900,
        "Cashmere Scarf Red",
        "红",
        "",
        "配饰",
        1300,
        53900,
        ("6901234567922",),
        active=False,
    ),
]


@pytest.fixture
def database(catalog_home: Path) -> Iterator[OpenDatabase]:
    db = open_database(Paths(catalog_home).database)
    repo = SqliteCatalog(db.conn)
    kinds = {c: ("store" if c.startswith("20") else "ean13") for s in ITEMS for c in s.barcodes}
    with SqliteUnitOfWork(db.conn) as uow:
        repo.upsert_skus(ITEMS, "2026-01-01T00:00:00+00:00", kinds)
        uow.commit()
    yield db
    db.close()


@pytest.fixture
def service(database: OpenDatabase) -> CatalogService:
    return CatalogService(SqliteCatalog(database.conn))


def skus(found: list) -> list[str]:  # type: ignore[type-arg]
    return [i.sku for i in found]


def test_repo_is_a_catalog_reader(database: OpenDatabase) -> None:
    assert isinstance(SqliteCatalog(database.conn), CatalogReader)


def test_initials() -> None:
    assert pinyin_initials("男士羊毛夹克 黑 L") == "nsymjkhl"
    assert pinyin_initials("纯棉T恤 白 XL") == "cmtxbxl"


def test_scan_lookup(service: CatalogService) -> None:
    info = service.by_code("6901234567892")
    assert (info.sku, info.price_fen, info.member_price_fen, info.vat_rate_bp) == (
        "QP-2026-0001-BLK-L",
        129900,
        116900,
        1300,
    )
    assert info.barcode == "6901234567892"
    assert info.price_for(is_member=True) == 116900
    assert service.by_code(" 2000000000008\r\n").sku == "QP-2026-0001-BLK-L"
    # A UPC-A label read as EAN-13 (leading 0) finds the same item.
    assert service.by_code("0036000291452").sku == "QP-2026-0002-WHT-S"
    # A typed SKU works too, in any case.
    assert service.by_code("qp-2026-0097").sku == "QP-2026-0097"


def test_scan_errors(service: CatalogService) -> None:
    with pytest.raises(InvalidInput) as bad:
        service.by_code("6901234567893")
    assert bad.value.message_zh.startswith("条码校验位错误：请重新扫描或手工输入货号")
    assert "Bad check digit: scan again or type the SKU".replace(
        ":", ""
    ) in bad.value.message.replace(" in barcode 6901234567893:", "")
    with pytest.raises(NotFound) as missing:
        service.by_code("6901234567939")
    assert "找不到" in missing.value.message_zh and "No item" in missing.value.message
    with pytest.raises(RuleViolation):
        service.by_code("6901234567922")
    with pytest.raises(InvalidInput):
        service.by_code("   ")


def test_search_kinds(service: CatalogService) -> None:
    assert skus(service.search("6901234567908")) == ["QP-2026-0001-BLK-M"]
    assert skus(service.search("QP-2026-0001-BLK-M")) == ["QP-2026-0001-BLK-M"]
    assert skus(service.search("qp-2026-0001")) == ["QP-2026-0001-BLK-L", "QP-2026-0001-BLK-M"]
    assert skus(service.search("羊毛夹克")) == ["QP-2026-0001-BLK-L", "QP-2026-0001-BLK-M"]
    assert skus(service.search("夹克")) == ["QP-2026-0001-BLK-L", "QP-2026-0001-BLK-M"]
    assert skus(service.search("衬")) == ["QP-2026-0002-WHT-S"]
    assert skus(service.search("silk blouse")) == ["QP-2026-0002-WHT-S"]
    assert skus(service.search("LOOKBOOK")) == ["QP-2026-0097"]
    assert skus(service.search("nsymjk")) == ["QP-2026-0001-BLK-L", "QP-2026-0001-BLK-M"]
    assert skus(service.search("NSZSCS")) == ["QP-2026-0002-WHT-S"]
    assert skus(service.search("pp")) == ["QP-2026-0097"]  # 品牌画册 → ppch
    assert service.search("不存在的商品") == []


def test_search_empty_lists_first_n(service: CatalogService) -> None:
    assert skus(service.search("", 3)) == sorted(s.sku for s in ITEMS)[:3]
    assert len(service.search("", 100)) == len(ITEMS)
    assert service.search("夹克", 1)[0].sku == "QP-2026-0001-BLK-L"
    assert service.search("", 0) == []
    with pytest.raises(InvalidInput):
        service.search("", 5000)


def test_cli_search_and_show(catalog_home: Path, database: OpenDatabase) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--home", str(catalog_home), "catalog", "search", "nsymjk", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["sku"] for d in data] == ["QP-2026-0001-BLK-L", "QP-2026-0001-BLK-M"]
    assert data[0]["price"] == "1299.00" and data[0]["member_price_fen"] == 116900
    text = runner.invoke(cli, ["--home", str(catalog_home), "catalog", "search", "夹克"])
    assert "男士羊毛夹克 黑 L" in text.stdout and "¥1299.00" in text.stdout
    shown = runner.invoke(
        cli, ["--home", str(catalog_home), "catalog", "show", "2000000000008", "--json"]
    )
    assert json.loads(shown.stdout)["barcodes"] == ["2000000000008", "6901234567892"]


def test_cli_as_a_subprocess(catalog_home: Path, database: OpenDatabase) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    base = [sys.executable, "-m", "pos_app.cli", "--home", str(catalog_home)]
    ok = subprocess.run(
        [*base, "catalog", "search", "silk", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["sku"] == "QP-2026-0002-WHT-S"
    bad = subprocess.run(
        [*base, "catalog", "show", "6901234567893", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["error"]["code"] == "invalid_input"


def test_short_queries_through_the_trigram_vocabulary(
    service: CatalogService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no probe scan, 1–2 character queries are answered from the index alone, including
    # a character at the very end of a name (the two padding spaces make it start a trigram).
    from pos_app.adapters.db.repositories import catalog as catalog_repo

    monkeypatch.setattr(catalog_repo, "_PROBE_ROWS", 0)
    assert skus(service.search("红")) == ["QP-2026-0003-RED-OS"]
    assert skus(service.search("夹克")) == ["QP-2026-0001-BLK-L", "QP-2026-0001-BLK-M"]
    assert skus(service.search("册")) == ["QP-2026-0097"]
    assert skus(service.search("无")) == []
    assert set(skus(service.search("ED"))) == {"QP-2026-0003-RED-OS"}
