"""guitai demo-data: a realistic, valid, deterministic catalog and member base."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from pos_app.cli import cli
from pos_app.demo.data import MOBILE_PREFIXES
from pos_app.domain.catalog import has_valid_check_digit


def rows(home: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(home / "till.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def demo(home: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--home", str(home), "demo-data", *args])
    assert result.exit_code == 0, result.output
    return result


CATALOG_SQL = (
    "SELECT sku, style, name, name_en, colour, size, category, vat_rate_bp, price_fen, "
    "member_price_fen, initials FROM skus ORDER BY sku"
)
MEMBERS_SQL = (
    "SELECT id, phone, name, birthday, tier, points, stored_value_fen, created_at "
    "FROM members ORDER BY phone"
)


def test_demo_data_is_valid_and_realistic(catalog_home: Path) -> None:
    result = demo(catalog_home, "--skus", "3000", "--members", "1000", "--seed", "7", "--json")
    assert json.loads(result.stdout)["new_skus"] == 3000
    assert result.stderr == ""  # --json keeps the progress bar quiet
    skus = rows(catalog_home, CATALOG_SQL)
    assert len(skus) == 3000
    first = rows(catalog_home, "SELECT sku, name FROM skus WHERE sku LIKE 'QP-2026-0001-%'")
    assert first and all(str(s).startswith("QP-2026-0001-") for s, _ in first)
    codes = rows(catalog_home, "SELECT code, kind, sku FROM barcodes")
    assert all(has_valid_check_digit(str(c)) for c, _, _ in codes)
    kinds = Counter(k for _, k, _ in codes)
    assert kinds["ean13"] == 3000 and 0 < kinds["store"] < 3000
    assert all(str(c).startswith("69") for c, k, _ in codes if k == "ean13")
    assert all(str(c).startswith("20") for c, k, _ in codes if k == "store")
    for _sku, _style, name, name_en, _c, _s, category, _vat, price, member, initials in skus:
        assert name and name_en and category and initials
        assert isinstance(price, int) and 9900 <= price <= 299900 and price % 1000 == 900
        if member is not None:
            assert isinstance(member, int) and 0.8 * price <= member <= 0.9 * price
            assert member % 1000 == 900
    vats = Counter(row[7] for row in skus)
    assert vats[1300] > 2900 and set(vats) - {1300}
    cats = {str(row[6]).split()[0] for row in skus}
    assert {"男装", "女装", "童装", "配饰"} <= cats
    # Printed names are style name, colour and size: 男士羊毛夹克 黑 L.
    assert any(str(r[2]).endswith(f" {r[4]} {r[5]}") for r in skus)

    members = rows(catalog_home, MEMBERS_SQL)
    assert len(members) == 1000
    phones = [str(m[1]) for m in members]
    assert len(set(phones)) == 1000
    assert all(len(p) == 11 and p.isdigit() and p[:3] in MOBILE_PREFIXES for p in phones)
    tiers = Counter(m[4] for m in members)
    assert 60 <= tiers["core"] <= 140
    assert 240 <= tiers["potential"] <= 360
    assert 520 <= tiers["ordinary"] <= 680
    assert any(int(m[6]) > 0 for m in members)  # type: ignore[call-overload]
    assert all(m[2] and m[3] for m in members)


def test_same_seed_same_data(tmp_path: Path, new_till: Callable[[Path], Path]) -> None:
    a = new_till(tmp_path / "a")
    b = new_till(tmp_path / "b")
    demo(a, "--skus", "800", "--members", "200", "--seed", "42", "--json")
    demo(b, "--skus", "800", "--members", "200", "--seed", "42", "--json")
    assert rows(a, CATALOG_SQL) == rows(b, CATALOG_SQL)
    assert rows(a, MEMBERS_SQL) == rows(b, MEMBERS_SQL)
    c = new_till(tmp_path / "c")
    demo(c, "--skus", "800", "--members", "200", "--seed", "43", "--json")
    assert rows(a, CATALOG_SQL) != rows(c, CATALOG_SQL)


def test_rerun_replaces_without_duplicate_barcodes(catalog_home: Path) -> None:
    demo(catalog_home, "--skus", "500", "--members", "100", "--seed", "1", "--json")
    before = rows(catalog_home, "SELECT code, sku FROM barcodes ORDER BY code")
    demo(catalog_home, "--skus", "500", "--members", "100", "--seed", "2", "--json")
    assert rows(catalog_home, "SELECT count(*) FROM skus") == [(500,)]
    assert rows(catalog_home, "SELECT code, sku FROM barcodes ORDER BY code") == before
    # Members are kept by phone: seed 2 adds its own, seed 1's stay.
    assert rows(catalog_home, "SELECT count(*) FROM members") == [(200,)]
    result = demo(catalog_home, "--skus", "700", "--members", "0", "--json")
    assert json.loads(result.stdout)["new_skus"] == 200
    per_sku = rows(
        catalog_home, "SELECT max(n) FROM (SELECT count(*) n FROM barcodes GROUP BY sku)"
    )
    assert per_sku == [(2,)]


def test_progress_bar_on_stderr(guitai: Callable[..., Result], catalog_home: Path) -> None:
    result = guitai("demo-data", "--skus", "50", "--members", "5")
    assert result.exit_code == 0
    assert "demo data" in result.stderr
    assert "50 SKUs" in result.stdout


def test_name_index_after_bulk_load(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    demo(catalog_home, "--skus", "300", "--members", "0", "--json")
    triggers = rows(
        catalog_home,
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'skus'",
    )
    assert len(triggers) == 3  # bulk_load put the name index's triggers back
    name = str(rows(catalog_home, "SELECT name FROM skus ORDER BY sku LIMIT 1")[0][0])
    found = json.loads(guitai("catalog", "search", name.split()[0], "--json").stdout)
    assert found and all(name.split()[0] in f["name"] for f in found)
    # A later import is indexed by the triggers.
    csv_file = tmp_path / "one.csv"
    csv_file.write_text("sku,name,price\nZ-1,独一无二的测试商品,99\n", encoding="utf-8")
    assert guitai("catalog", "import", str(csv_file)).exit_code == 0
    found = json.loads(guitai("catalog", "search", "一无二的", "--json").stdout)
    assert [f["sku"] for f in found] == ["Z-1"]
