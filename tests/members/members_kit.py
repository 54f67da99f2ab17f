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
    env = {"GUITAI_PIN": "1234"}
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


__all__ = ["CliRunner", "put_json_row", "run"]


def member_service_for(till: Any) -> Any:
    """The CLI's member service over a test till (manual clock, no cloud)."""
    from pos_app.cli.member_cmds import member_service

    return member_service(till)
