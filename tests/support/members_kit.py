"""Helpers for the members tests (a uniquely named module; never import conftest)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from pos_app.cli import main as cli_main


def run_text(home: Path, *args: str) -> str:
    """Run `guitai --home HOME args…` in-process; what it printed."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = cli_main(["--home", str(home), *args])
    assert rc == 0, out.getvalue()
    return out.getvalue()


def run(home: Path, *args: str, ok: bool = True) -> Any:
    """Run `guitai --home HOME args… --json` in-process; the parsed JSON answer."""
    env = {"GUITAI_PIN": "7391"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = cli_main(["--home", str(home), *args, "--json"])
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    text = out.getvalue()
    assert (rc == 0) == ok, (rc, text)
    return json.loads(text) if text.strip() else None


def put_json_row(home: Path, table: str, key_col: str, key: str, data: dict[str, Any]) -> None:
    """What a pull from the cloud writes: promotions, coupons, cloud_config rows."""
    from pos_app.adapters.db.connection import open_database

    db = open_database(home / "till.db")
    try:
        col = "value" if table == "cloud_config" else "data"
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute(
            f"INSERT OR REPLACE INTO {table}({key_col}, {col}, updated_at) VALUES (?, ?, ?)",
            (key, json.dumps(data, ensure_ascii=False), "2026-11-25T00:00:00Z"),
        )
        db.conn.execute("COMMIT")
    finally:
        db.close()


def member_sale(
    home: Path,
    *scans: str,
    pay: str | tuple[str, ...],
    member: str = "",
    associate: str = "",
    coupon: str = "",
    points: str = "",
    ok: bool = True,
) -> Any:
    """`guitai sale --user admin [--member M] [--associate A] --scan … [--coupon C]
    [--points N] --pay … (one tender, or several in order)` at the till in HOME; the parsed
    JSON answer (see `run`)."""
    args = ["sale", "--user", "admin"]
    for flag, value in (("--member", member), ("--associate", associate)):
        args += [flag, value] if value else []
    for sku in scans:
        args += ["--scan", sku]
    for flag, value in (("--coupon", coupon), ("--points", points)):
        args += [flag, value] if value else []
    for tender in (pay,) if isinstance(pay, str) else pay:
        args += ["--pay", tender]
    return run(home, *args, ok=ok)


__all__ = ["CliRunner", "member_sale", "put_json_row", "run"]


def member_service_for(till: Any) -> Any:
    """The CLI's member service over a test till (manual clock, no cloud)."""
    from pos_app.cli.member_cmds import member_service

    return member_service(till)


CATALOG = [
    (
        "QP-2026-001-BLK-L",
        "QP-2026-001",
        "男士羊毛夹克 黑 L",
        29900,
        26900,
        "男装",
        "6901234567892",
    ),
    ("QP-2026-002-WHT-M", "QP-2026-002", "纯棉T恤 白 M", 9900, None, "男装", "6901234567908"),
    ("QP-2026-003-RED-S", "QP-2026-003", "真丝围巾 红", 59900, 53900, "配饰", "6901234567915"),
]


def init_till(home: Path, till_no: int, store_id: str = "S001") -> Path:
    """`guitai init` store S001 (or `store_id`) with a small catalog (admin PIN 1234)."""
    from pos_app.adapters.db.connection import open_database

    rc = cli_main(
        [
            "--home",
            str(home),
            "init",
            "--store-id",
            store_id,
            "--store-name",
            "静安嘉里店",
            "--till-no",
            str(till_no),
            "--admin-pin",
            "7391",
        ]
    )
    assert rc == 0
    db = open_database(home / "till.db")
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        for sku, style, name, price, mprice, cat, code in CATALOG:
            db.conn.execute(
                "INSERT INTO skus(sku, style, name, price_fen, member_price_fen, category) "
                "VALUES(?,?,?,?,?,?)",
                (sku, style, name, price, mprice, cat),
            )
            db.conn.execute(
                "INSERT INTO barcodes(code, sku, kind) VALUES(?, ?, 'ean13')", (code, sku)
            )
        db.conn.execute("COMMIT")
    finally:
        db.close()
    return home


def set_setting(home: Path, key: str, value: str) -> None:
    from pos_app.adapters.db.connection import open_database

    db = open_database(home / "till.db")
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute(
            "INSERT INTO settings(key, value) VALUES(?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        db.conn.execute("COMMIT")
    finally:
        db.close()


def setting(home: Path, key: str) -> str:
    from pos_app.adapters.db.connection import open_database

    db = open_database(home / "till.db")
    try:
        return str(
            db.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()[0]
        )
    finally:
        db.close()


def dead_url() -> str:
    """A loopback URL nobody listens on: the cloud is unreachable (connection refused)."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
