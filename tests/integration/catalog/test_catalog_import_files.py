"""`guitai catalog import` as a subprocess on real CSV files: legacy encodings, the rejects
file, broken quoting and oversized cells (issue 15.5, 15.6), streaming all-or-nothing (15.12)."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest

from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.config import Paths
from pos_app.domain.errors import InvalidInput
from pos_app.domain.ports import SystemClock
from pos_app.services.catalog_import import CatalogImporter
from pos_app.services.csv_encoding import text_source

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def guitai(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        check=False,
    )


def count(home: Path, sql: str = "SELECT count(*) FROM skus") -> int:
    conn = sqlite3.connect(home / "till.db")
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def rows_file(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("sku,name,price\n" + "".join(r + "\n" for r in rows)).encode(encoding))
    return path


def plain_rows(n: int, prefix: str = "A") -> list[str]:
    return [f"{prefix}-{i},item {i},{i + 1}" for i in range(n)]


# -- 15.5: the rejects file of a Big5 / Latin-1 / GB18030 file -----------------------------

LEGACY = {
    # Each file's own script, which the encoding can hold; the reasons (Simplified Chinese,
    # curly quotes) are what Big5 and Latin-1 cannot.
    "big5": "男裝外套 黑",
    "latin-1": "Veste homme noir, façon été",
    "gb18030": "男士羊毛夹克 黑 L",
}


@pytest.mark.parametrize("encoding", sorted(LEGACY))
def test_skip_invalid_in_a_legacy_encoding_writes_utf8_rejects_and_says_what_it_did(
    catalog_home: Path, tmp_path: Path, encoding: str
) -> None:
    name = LEGACY[encoding]
    f = tmp_path / f"{encoding}.csv"
    f.write_bytes(
        f'sku,name,price\nA-1,"{name}",99\nA-2,"{name} 2",abc\nA-3,"{name} 3",199\n'.encode(
            encoding
        )
    )
    run = guitai(catalog_home, "catalog", "import", str(f), "--encoding", encoding,
                 "--skip-invalid", "--json")  # fmt: skip
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert (answer["imported"], answer["rejected"], answer["encoding"]) == (2, 1, encoding)
    raw = (tmp_path / f"{encoding}.rejects.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so Excel opens it as UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [
        {
            "line": "3",
            "reason": "unparsable price “abc”: write yuan like 299.00",
            "reason_zh": "售价“abc”无法识别：请写成元，例如 299.00",
            "sku": "A-2",
            "name": f"{name} 2",
            "price": "abc",
        }
    ]
    assert count(catalog_home) == 2
    conn = sqlite3.connect(catalog_home / "till.db")
    assert conn.execute("SELECT name FROM skus WHERE sku = 'A-1'").fetchone() == (name,)
    conn.close()
    assert "Nothing was changed" not in run.stderr


def test_a_rejects_file_that_cannot_be_written_stops_the_import_before_it_writes(
    catalog_home: Path, tmp_path: Path
) -> None:
    f = rows_file(tmp_path / "mixed.csv", ["A-1,外套,99", "A-2,外套,abc"], "big5")
    (tmp_path / "mixed.rejects.csv").mkdir()  # in the way of the rejects file
    run = guitai(catalog_home, "catalog", "import", str(f), "--encoding", "big5",
                 "--skip-invalid", "--json")  # fmt: skip
    assert run.returncode == 2, run.stderr
    error = json.loads(run.stdout)["error"]
    assert "nothing was imported" in error["message"]
    assert "未导入任何商品" in error["message_zh"]
    assert count(catalog_home) == 0
    assert not (tmp_path / "mixed.rejects.csv.partial").exists()


# -- 15.6: broken quoting, huge cells ------------------------------------------------------


def test_an_unclosed_quote_is_one_reject_at_the_line_it_opens(
    catalog_home: Path, tmp_path: Path
) -> None:
    rows = plain_rows(1000)
    rows[5] = 'A-5,"item 5,6'  # line 7: the quote never closes
    f = rows_file(tmp_path / "quote.csv", rows)
    run = guitai(catalog_home, "catalog", "import", str(f), "--json")
    assert run.returncode == 1, run.stderr
    answer = json.loads(run.stdout)
    assert answer["imported"] == 0 and answer["rejected"] == 1
    assert answer["rejects"][0]["line"] == 7
    assert "quote opened on line 7 is not closed within 10 lines" in answer["rejects"][0]["reason"]
    assert count(catalog_home) == 0
    # With --skip-invalid every other row is a row again, not part of one giant name.
    run = guitai(catalog_home, "catalog", "import", str(f), "--skip-invalid", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["imported"] == 999
    assert count(catalog_home, "SELECT max(length(name)) FROM skus") < 20
    with (tmp_path / "quote.rejects.csv").open(encoding="utf-8-sig", newline="") as fh:
        (reject,) = list(csv.DictReader(fh))
    assert (reject["line"], reject["sku"], reject["name"]) == ("7", "A-5", "item 5,6")


def test_an_unclosed_quote_in_a_middle_column_near_the_end_names_its_own_line(
    catalog_home: Path, tmp_path: Path
) -> None:
    rows = plain_rows(20)
    rows[17] = 'A-17,"item 17,18'  # line 19; the file ends two lines later, inside the quote
    f = rows_file(tmp_path / "end.csv", rows)
    run = guitai(catalog_home, "catalog", "import", str(f), "--skip-invalid", "--json")
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["imported"] == 19
    (reject,) = answer["rejects"]
    assert reject["line"] == 19
    assert "never closed (the file ends inside it)" in reject["reason"]
    assert "第 19 行开始的引号" in reject["reason_zh"]


def test_quoting_is_strict_but_a_doubled_quote_and_a_quoted_line_break_still_work(
    catalog_home: Path, tmp_path: Path
) -> None:
    rows = ['A-1,"12"" pizza",9', 'A-2,"two\nlines",9', 'A-3,"abc"def,9', "A-4,ok,9"]
    f = rows_file(tmp_path / "q.csv", rows)
    run = guitai(catalog_home, "catalog", "import", str(f), "--skip-invalid", "--json")
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["imported"] == 3
    (reject,) = answer["rejects"]
    assert reject["line"] == 5  # A-2 spans lines 3 and 4
    assert reject["reason"].startswith("misplaced quote on line 5")
    conn = sqlite3.connect(catalog_home / "till.db")
    names = dict(conn.execute("SELECT sku, name FROM skus").fetchall())
    conn.close()
    assert names["A-1"] == '12" pizza' and names["A-2"] == "two\nlines"


@pytest.mark.parametrize(("size", "words"), [(200_000, "longer than 65,536"), (5_000, "field 2")])
def test_an_oversized_cell_is_a_reject_of_its_line(
    catalog_home: Path, tmp_path: Path, size: int, words: str
) -> None:
    rows = plain_rows(5)
    rows[2] = "A-2," + "x" * size + ",3"  # line 4
    f = rows_file(tmp_path / "big.csv", rows)
    run = guitai(catalog_home, "catalog", "import", str(f), "--skip-invalid", "--json")
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["imported"] == 4
    (reject,) = answer["rejects"]
    assert reject["line"] == 4 and words in reject["reason"]
    assert (tmp_path / "big.rejects.csv").stat().st_size < 5_000  # the cell is clipped


# -- 15.12: streamed, still all or nothing -------------------------------------------------


def test_a_bad_row_after_many_batches_still_imports_nothing(
    catalog_home: Path, tmp_path: Path
) -> None:
    rows = [*plain_rows(4_500), "A-3,again,5"]  # the duplicate comes 4,500 rows later
    f = rows_file(tmp_path / "long.csv", rows)
    run = guitai(catalog_home, "catalog", "import", str(f), "--json")
    assert run.returncode == 1, run.stderr
    answer = json.loads(run.stdout)
    assert answer["rejects"] == [
        {
            "line": 4502,
            "reason": "duplicate SKU A-3 (also on line 5)",
            "reason_zh": "货号 A-3 重复（第 5 行也有）",
        }
    ]
    assert count(catalog_home) == 0
    run = guitai(catalog_home, "catalog", "import", str(f), "--skip-invalid", "--json")
    assert json.loads(run.stdout)["imported"] == 4_500
    assert count(catalog_home) == 4_500


def test_a_file_that_changes_between_check_and_write_is_rolled_back(tmp_path: Path) -> None:
    database = open_database(Paths(tmp_path).database)
    try:
        texts = iter(
            [
                "sku,name,price\n" + "".join(r + "\n" for r in plain_rows(3_000)),
                "sku,name,price\n" + "".join(r + "\n" for r in plain_rows(3_001)),
            ]
        )

        def source() -> AbstractContextManager[Iterator[str]]:
            with text_source(next(texts))() as lines:
                return nullcontext(iter(list(lines)))

        importer = CatalogImporter(SqliteUnitOfWork(database.conn), SystemClock())
        with pytest.raises(InvalidInput, match="changed while it was being imported"):
            importer.run(source)
        assert database.conn.execute("SELECT count(*) FROM skus").fetchone() == (0,)
    finally:
        database.close()


def test_a_summary_that_cannot_be_printed_after_the_commit_says_the_import_happened(
    catalog_home: Path, tmp_path: Path
) -> None:
    f = rows_file(tmp_path / "ok.csv", plain_rows(3))
    read_end, write_end = os.pipe()
    os.close(read_end)  # whoever was reading the output has gone (`| head` that quit)
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pos_app.cli",
                "--home",
                str(catalog_home),
                "catalog",
                "import",
                str(f),
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert count(catalog_home) == 3
    assert run.returncode == 2, run.stderr
    assert "Nothing was changed" not in run.stderr
    assert "The catalog import was committed (3 new, 0 updated, 0 rejected)" in run.stderr
    assert "商品目录已导入" in run.stderr


@pytest.mark.parametrize("data", [b"\xef", b"\xef\xbb", b"sku\n\xef\xbb"])
def test_a_file_cut_inside_a_utf8_character_is_refused_not_a_crash(data: bytes) -> None:
    """CPython's utf-8-sig decoder lets a lone BOM prefix through on the final call; the
    sniffer must still call such a file unreadable (it was a UnicodeDecodeError later)."""
    from pos_app.domain.errors import InvalidInput
    from pos_app.services.csv_encoding import decode_catalog_file

    try:
        text, used = decode_catalog_file(data)
    except InvalidInput:
        return
    assert data.decode("gb18030") == text and used == "gb18030"
