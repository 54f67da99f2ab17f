"""guitai catalog import through the real CLI on a real SQLite file."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from pos_app.domain.errors import InvalidInput

HEADER = "sku,style,name,name_en,colour,size,category,vat_rate,price,member_price,barcode\n"
GOOD = [
    "QP-2026-0001-BLK-L,QP-2026-0001,男士羊毛夹克 黑 L,Men's Wool Jacket Black L,黑,L,男装,13%,"
    "1299.00,1169.00,6901234567892\n",
    "QP-2026-0001-BLK-M,QP-2026-0001,男士羊毛夹克 黑 M,Men's Wool Jacket Black M,黑,M,男装,0.13,"
    "1299,1169,6901234567908|2000000000008\n",
    "QP-2026-0900-BOOK,QP-2026-0900,品牌画册,Brand Lookbook,,,其他,900bp,99.00,,6901234567915\n",
]


def db_rows(home: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(home / "till.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def summary(result: Result) -> dict[str, object]:
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_import_utf8_with_bom(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    f = write(tmp_path / "items.csv", "\ufeff" + HEADER + "".join(GOOD))
    result = guitai("catalog", "import", str(f), "--json")
    assert result.exit_code == 0, result.output
    assert summary(result) | {"rejects": []} == {
        "imported": 3,
        "updated": 0,
        "rejected": 0,
        "rejects_file": None,
        "encoding": "utf-8",
        "rejects": [],
    }
    rows = db_rows(
        catalog_home,
        "SELECT sku, name, price_fen, member_price_fen, vat_rate_bp, initials "
        "FROM skus ORDER BY sku",
    )
    assert rows[0] == ("QP-2026-0001-BLK-L", "男士羊毛夹克 黑 L", 129900, 116900, 1300, "nsymjkhl")
    assert rows[2][2:5] == (9900, None, 900)
    codes = db_rows(catalog_home, "SELECT code, sku, kind FROM barcodes ORDER BY code")
    assert ("2000000000008", "QP-2026-0001-BLK-M", "store") in codes
    assert len(codes) == 4
    assert db_rows(catalog_home, "SELECT style, name FROM styles WHERE style = 'QP-2026-0001'")


def test_import_gb18030_detected(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    f = write(tmp_path / "gbk.csv", HEADER + "".join(GOOD), "gb18030")
    result = guitai("catalog", "import", str(f), "--json")
    assert result.exit_code == 0, result.output
    assert summary(result)["encoding"] == "gb18030"
    assert db_rows(catalog_home, "SELECT name FROM skus WHERE sku = 'QP-2026-0900-BOOK'") == [
        ("品牌画册",)
    ]


def test_chinese_headings_and_plain_utf8(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    f = write(
        tmp_path / "cn.csv",
        "货号,品名,售价,会员价,税率,条码\nA-1,纯棉T恤 白 M,99,89,13%,6901234567922\n",
    )
    result = guitai("catalog", "import", str(f))
    assert result.exit_code == 0, result.output
    assert "imported 1 new" in result.stdout
    assert db_rows(catalog_home, "SELECT sku, style, price_fen FROM skus") == [("A-1", "A-1", 9900)]


BAD_ROWS = [
    # (row, words expected in the reason)
    ("B-1,S,坏校验位,,,,,13%,99,,6901234567893", "Bad check digit"),
    ("B-2,S,价格错误,,,,,13%,abc,,", "unparsable price"),
    ("B-3,S,,,,,,13%,99,,", "missing name"),
    ("B-4,S,重复条码,,,,,13%,99,,6901234567892", "duplicate barcode 6901234567892 (also on line 2"),
    ("B-5,S,税率错误,,,,,13x,99,,", "not a VAT rate"),
    ("B-6,S,会员价高,,,,,13%,99,199,", "member price"),
    (
        "QP-2026-0001-BLK-L,S,重复货号,,,,,13%,99,,",
        "duplicate SKU QP-2026-0001-BLK-L (also on line 2)",
    ),
    ("B 8,S,货号错误,,,,,13%,99,,", "is not a SKU"),
    ("B-9,S,字段太多,,,,,13%,99,,,extra", "fields but the header has"),
    ("B-10,S,不是条码,,,,,13%,99,,12345", "is not a barcode"),
]


def test_every_bad_row_reported_and_nothing_imported(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    text = HEADER + GOOD[0] + "".join(row + "\n" for row, _ in BAD_ROWS)
    f = write(tmp_path / "bad.csv", text)
    result = guitai("catalog", "import", str(f), "--json")
    assert result.exit_code == 1
    data = summary(result)
    assert data["imported"] == 0 and data["updated"] == 0
    assert data["rejected"] == len(BAD_ROWS)
    rejects = data["rejects"]
    assert isinstance(rejects, list)
    for n, ((_, words), reject) in enumerate(zip(BAD_ROWS, rejects, strict=True)):
        assert reject["line"] == n + 3  # header is line 1, the good row line 2
        assert words in reject["reason"], (words, reject)
        assert reject["reason_zh"]
    assert db_rows(catalog_home, "SELECT count(*) FROM skus") == [(0,)]
    assert not (tmp_path / "bad.rejects.csv").exists()
    # In text mode every reject goes to standard error with its line number.
    text_run = guitai("catalog", "import", str(f))
    assert text_run.exit_code == 1
    assert "line 3:" in text_run.stderr and "Nothing imported" in text_run.stdout


def test_duplicate_barcode_against_the_database(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    assert (
        guitai("catalog", "import", str(write(tmp_path / "a.csv", HEADER + GOOD[0]))).exit_code == 0
    )
    other = "X-1,X,别的商品,,,,,13%,99,,6901234567892\n"
    result = guitai("catalog", "import", str(write(tmp_path / "b.csv", HEADER + other)), "--json")
    assert result.exit_code == 1
    reject = summary(result)["rejects"][0]  # type: ignore[index]
    assert reject["line"] == 2
    assert "belongs to SKU QP-2026-0001-BLK-L" in reject["reason"]


def test_skip_invalid_imports_good_rows_and_writes_rejects(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    text = HEADER + GOOD[0] + BAD_ROWS[0][0] + "\n" + GOOD[2] + BAD_ROWS[1][0] + "\n"
    f = write(tmp_path / "mixed.csv", text)
    result = guitai("catalog", "import", str(f), "--skip-invalid", "--json")
    assert result.exit_code == 0, result.output
    data = summary(result)
    assert (data["imported"], data["updated"], data["rejected"]) == (2, 0, 2)
    rejects_file = tmp_path / "mixed.rejects.csv"
    assert data["rejects_file"] == str(rejects_file)
    with rejects_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["line"] for r in rows] == ["3", "5"]
    assert "Bad check digit" in rows[0]["reason"] and rows[0]["sku"] == "B-1"
    assert db_rows(catalog_home, "SELECT count(*) FROM skus") == [(2,)]


def test_skip_invalid_with_only_bad_rows_fails(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    f = write(tmp_path / "allbad.csv", HEADER + BAD_ROWS[0][0] + "\n")
    result = guitai("catalog", "import", str(f), "--skip-invalid", "--json")
    assert result.exit_code == 1
    assert summary(result)["imported"] == 0


def test_reimport_upserts_by_sku(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    assert (
        guitai(
            "catalog", "import", str(write(tmp_path / "a.csv", HEADER + "".join(GOOD)))
        ).exit_code
        == 0
    )
    changed = GOOD[0].replace("1299.00,1169.00,6901234567892", "999.00,899.00,6901234567939")
    result = guitai("catalog", "import", str(write(tmp_path / "b.csv", HEADER + changed)), "--json")
    assert result.exit_code == 0, result.output
    data = summary(result)
    assert (data["imported"], data["updated"]) == (0, 1)
    assert db_rows(catalog_home, "SELECT price_fen FROM skus WHERE sku = 'QP-2026-0001-BLK-L'") == [
        (99900,)
    ]
    # The listed barcodes replace the SKU's old ones; the old code is free again.
    assert db_rows(catalog_home, "SELECT code FROM barcodes WHERE sku = 'QP-2026-0001-BLK-L'") == [
        ("6901234567939",)
    ]
    assert db_rows(catalog_home, "SELECT count(*) FROM skus") == [(3,)]
    # Name changes reach the search index through its triggers.
    found = guitai("catalog", "search", "Men's Wool", "--json")
    assert {r["sku"] for r in json.loads(found.stdout)} == {
        "QP-2026-0001-BLK-L",
        "QP-2026-0001-BLK-M",
    }


def test_unknown_column_refuses_the_file(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    f = write(tmp_path / "cols.csv", "sku,name,price,colour_code\nA-1,x,1,BLK\n")
    result = guitai("catalog", "import", str(f))
    assert isinstance(result.exception, InvalidInput)
    assert "line 1: unknown column(s) colour_code" in result.exception.message
    assert db_rows(catalog_home, "SELECT count(*) FROM skus") == [(0,)]


def test_forced_encoding_and_gb18030_rejects_file(
    guitai: Callable[..., Result], catalog_home: Path, tmp_path: Path
) -> None:
    f = write(tmp_path / "gb.csv", HEADER + GOOD[0] + BAD_ROWS[1][0] + "\n", "gb18030")
    wrong = guitai("catalog", "import", str(f), "--encoding", "utf-8")
    assert isinstance(wrong.exception, InvalidInput)
    assert "--encoding" in wrong.exception.message
    result = guitai(
        "catalog", "import", str(f), "--encoding", "gb18030", "--skip-invalid", "--json"
    )
    assert result.exit_code == 0, result.output
    # The rejects file is UTF-8 with BOM whatever the input's encoding (issue 15.5).
    rejects = (tmp_path / "gb.rejects.csv").read_bytes().decode("utf-8")
    assert rejects.startswith("\ufeff")
    assert "价格错误" in rejects and "unparsable price" in rejects
