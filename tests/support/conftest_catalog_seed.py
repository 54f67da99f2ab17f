"""The shared test catalog (tests/conftest.py CATALOG) for tests that build their own till
outside the fixtures (a uniquely named module: never `from conftest import …`)."""

from __future__ import annotations

from typing import Any


def seed(conn: Any) -> None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "_guitai_root_conftest", Path(__file__).resolve().parent.parent / "conftest.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.seed_catalog(conn)
