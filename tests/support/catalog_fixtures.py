"""A real till folder on a real SQLite file, as `guitai init` leaves it (settings only)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pos_app.adapters.db.connection import open_database
from pos_app.cli import cli
from pos_app.config import Paths


def make_till(home: Path, store_code_prefix: str | None = None) -> Path:
    database = open_database(Paths(home).database)
    try:
        rows = [("store_id", "S001"), ("store_name", "静安嘉里中心店"), ("till_no", "1")]
        if store_code_prefix:
            rows.append(("store_code_prefix", store_code_prefix))
        database.conn.executemany("INSERT INTO settings(key, value) VALUES (?, ?)", rows)
    finally:
        database.close()
    return home


@pytest.fixture
def catalog_home(tmp_path: Path) -> Path:
    return make_till(tmp_path / "till")


@pytest.fixture
def guitai(catalog_home: Path) -> Callable[..., Result]:
    """Run `guitai --home <till> ARGS…` in-process through the real CLI."""

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--home", str(catalog_home), *args])

    return run


@pytest.fixture
def new_till() -> Callable[[Path], Path]:
    """Make another till folder (for comparing two runs)."""
    return make_till
