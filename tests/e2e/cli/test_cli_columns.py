"""Columns of the `guitai` text output line up with Chinese in them: a CJK character takes two
columns on screen, so widths are counted in display columns, not characters."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.domain.textwidth import display_width, ljust, rjust


def run(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return out.out


def column_at(line: str, prefix_chars: int) -> int:
    """Display column where character number `prefix_chars` of `line` starts."""
    return display_width(line[:prefix_chars])


def test_display_width() -> None:
    assert display_width("abc") == 3 and display_width("黑色") == 4 and display_width("均码") == 4
    assert display_width("ＸＬ") == 4 and display_width("é") == 1 and display_width("e\u0301") == 1
    assert (
        ljust("黑", 4) == "黑  " and rjust("均码", 6) == "  均码" and ljust("长名字", 2) == "长名字"
    )


def test_user_list_lines_up_chinese_names(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_NEW_PIN", "4860")
    run(till_home, "user", "add", "李娜", "--role", "cashier", capsys=capsys)
    lines = run(till_home, "user", "list", capsys=capsys).splitlines()
    starts = {
        column_at(ln, ln.index(role))
        for ln in lines
        for role in ("cashier", "manager")
        if role in ln
    }
    assert starts == {17}, lines


def test_settings_list_lines_up_chinese_values(
    till_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = run(till_home, "settings", "list", capsys=capsys).splitlines()
    name = next(ln for ln in lines if ln.startswith("store_name "))
    assert "静安嘉里店" in name and "门店名称" in name  # Chinese value, Chinese help
    # each row's Chinese help starts after key (24) + value (28) + default marker (13) columns
    name_help = column_at(name, name.index("小票上的门店名称"))
    tz = next(ln for ln in lines if ln.startswith("timezone "))
    assert name_help == column_at(tz, tz.index("门店时区")) == 24 + 1 + 28 + 1 + 13 + 1, lines


def test_stock_grid_lines_up_chinese_colours_and_sizes(
    till_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = sqlite3.connect(till_home / "till.db")
    with c:
        for sku, colour, size in [
            ("ST-黑-均码", "黑", "均码"),
            ("ST-黑-XL", "黑", "XL"),
            ("ST-藏青-均码", "藏青色", "均码"),
            ("ST-藏青-XL", "藏青色", "XL"),
        ]:
            c.execute(
                "INSERT INTO skus(sku, style, name, colour, size, price_fen) "
                "VALUES(?, 'ST-1', '围巾', ?, ?, 9900)",
                (sku, colour, size),
            )
    c.close()
    lines = run(till_home, "stock", "show", "ST-1", "--local", capsys=capsys).splitlines()
    grid = lines[1:]
    assert grid[0].startswith("colour 颜色") and len(grid) == 3
    widths = {display_width(ln) for ln in grid}
    assert len(widths) == 1, grid  # every row ends in the same column: cells right-aligned
    cells = [ln.split()[-2:] for ln in grid[1:]]
    assert cells == [["0", "0"], ["0", "0"]]
    # each size column ends at the same display column in the header and in every row
    ends = {
        tuple(column_at(ln, m.end()) for m in list(re.finditer(r"\S+", ln))[-2:]) for ln in grid
    }
    assert len(ends) == 1, grid
