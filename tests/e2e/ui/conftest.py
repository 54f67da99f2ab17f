"""A real till folder (guitai init, real SQLite) with a few items, users and the window."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ITEMS = [
    # sku, style, name, colour, size, category, price_fen, barcode
    ("JK1001-BK-L", "JK1001", "男士羊毛夹克 黑 L", "黑", "L", "外套", 129_900, "6901234567892"),
    ("TS2002-WH-M", "TS2002", "纯棉圆领T恤 白 M", "白", "M", "T恤", 19_900, "6901234567908"),
    ("DR3003-RD-S", "DR3003", "真丝连衣裙 红 S", "红", "S", "连衣裙", 89_900, "6901234567915"),
    ("SC4004-GY", "SC4004", "羊绒围巾 灰", "灰", "", "配饰", 39_900, "6901234567922"),
]


def seed_items(db: Path, items: list[tuple[Any, ...]] = ITEMS) -> None:
    conn = sqlite3.connect(db)
    with conn:
        for sku, style, name, colour, size, cat, price, code in items:
            conn.execute(
                "INSERT INTO skus (sku, style, name, colour, size, category, price_fen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sku, style, name, colour, size, cat, price),
            )
            conn.execute(
                "INSERT INTO barcodes (code, sku, kind) VALUES (?, ?, 'ean13')", (code, sku)
            )
    conn.close()


@pytest.fixture
def till_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from pos_app.cli import main

    monkeypatch.setenv("GUITAI_SCRYPT_N", "4096")
    home = tmp_path / "till"
    rc = main(
        [
            "--home",
            str(home),
            "init",
            "--store-id",
            "S001",
            "--store-name",
            "静安嘉里中心店",
            "--till-no",
            "1",
            "--admin-pin",
            "9472",
        ]
    )
    assert rc == 0
    seed_items(home / "till.db")
    return home


@pytest.fixture
def till(till_home: Path) -> Iterator[Any]:
    from pos_app.cli.context import AppContext
    from pos_app.domain.users import Role

    ctx = AppContext(till_home)
    t = ctx.till
    t.users.add("李娜", {Role.CASHIER}, "7391")
    yield t
    ctx.close()


@pytest.fixture
def app_ui(qtbot: Any, till: Any) -> Iterator[Any]:
    from pos_app.ui.app import build_app, teardown

    t = build_app(till, lang="zh", customer_display=True)
    t.window.resize(1280, 800)
    qtbot.addWidget(t.window)
    yield t
    teardown(t)
