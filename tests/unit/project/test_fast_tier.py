"""`make check`'s fast tier (tests/unit, `make fast`) stays what its name promises: tests of
pure code.  A unit test that starts to reach a database, a process, a socket, the CLI or Qt
fails here instead of slowly turning the inner loop into the whole suite."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import paths

ROOT = paths.ROOT

# What a pure test never needs (the till's rooms with I/O, and the I/O itself).
IMPURE = (
    "pos_app.adapters", "pos_app.cli", "pos_app.ui", "pos_app.bootstrap",
    "pos_app.demo", "pos_app.config", "drivers", "sync", "benchmarks", "subprocess", "socket",
    "sqlite3", "sqlite_utils", "threading", "PySide6", "pytestqt", "httpx", "uvicorn",
    "starlette", "psycopg", "fastapi", "pydantic",
)  # fmt: skip
# Fixtures that build a till folder, a Qt app or emulators (tests/conftest.py and the folders').
IMPURE_FIXTURES = {"till", "till_home", "catalog_home", "guitai", "qtbot", "qapp", "rig"}


def fast_tests() -> list[Path]:
    text = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(r"^fast: .*\n\t.*pytest .*tests/unit\b", text, re.M), (
        "make fast no longer runs tests/unit"
    )
    return sorted((ROOT / "tests" / "unit").rglob("test_*.py"))


def imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def impure_parts(path: Path) -> list[str]:
    """The impure imports and fixtures of a test file and of the helper modules beside it that
    it imports by bare name (receipts_cases and the like)."""
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for name in sorted(imported(tree)):
        helper = path.with_name(f"{name}.py")
        if not helper.exists():
            helper = paths.SUPPORT / f"{name}.py"
        if helper.exists() and name != "paths":
            found += [f"{helper.name}: {p}" for p in impure_parts(helper)]
        elif any(name == bad or name.startswith(bad + ".") for bad in IMPURE):
            found.append(f"imports {name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            used = {a.arg for a in node.args.args} & IMPURE_FIXTURES
            found += [f"{node.name} uses the {f} fixture" for f in sorted(used)]
    return found


def test_the_fast_tier_lists_existing_files_of_pure_tests() -> None:
    files = fast_tests()
    assert len(files) >= 10, files
    assert Path(__file__) in files  # this guard runs in the tier it guards
    problems = {}
    for path in files:
        if not path.is_file():
            problems[str(path.relative_to(ROOT))] = ["no such file"]
        elif found := impure_parts(path):
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, problems


def test_the_guard_sees_an_impure_test(tmp_path: Path) -> None:
    (tmp_path / "kit.py").write_text("import subprocess\n", "utf-8")
    test = tmp_path / "test_x.py"
    test.write_text(
        "import kit\nfrom pos_app.adapters.db import connection\n"
        "def test_a(till_home):\n    pass\n",
        "utf-8",
    )
    assert impure_parts(test) == [
        "kit.py: imports subprocess",
        "imports pos_app.adapters.db",
        "test_a uses the till_home fixture",
    ]
