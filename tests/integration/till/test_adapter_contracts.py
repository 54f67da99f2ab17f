"""Device and payment adapters reach storage through ports, never the SQLite adapters (issue 17,
item 10: "hardware adapters do not import db adapters").  The contract is declared for
`lint-imports`; this test checks the tree itself, so it fails even where the linter is not run."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp

# The repository root, found by walking up (the test does not depend on its folder depth).
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
SOURCES = ("pos_app.adapters.hardware", "pos_app.adapters.payments")
DB = "pos_app.adapters.db"


def test_the_contract_is_declared_for_lint_imports() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = meta["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if DB in c.get("forbidden_modules", ())]
    assert contract["type"] == "forbidden"
    assert set(SOURCES) <= set(contract["source_modules"])


def test_hardware_and_payment_adapters_import_no_database_adapter() -> None:
    graph = grimp.build_graph("pos_app", cache_dir=None)
    leaks = []
    for source in SOURCES:
        chain = graph.find_shortest_chains(importer=source, imported=DB, as_packages=True)
        leaks += [" -> ".join(c) for c in chain]
    assert leaks == []
