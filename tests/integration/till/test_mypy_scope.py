"""mypy runs strict on everything shipped (issue 17.10): every module of the packages the wheel
ships is in `[tool.mypy] files` (an override marking a module "not strict yet" would be
reported), so a new module can never fall outside the type check unnoticed.  The whole till
(pos_app, the UI included), receipts, drivers, sync and the cloud are strict."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import paths

ROOT = paths.ROOT


def _config() -> dict[str, Any]:
    meta: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return meta


def _shipped_modules() -> list[Path]:
    """Every .py file of the packages setuptools ships (pyproject's packages.find include)."""
    include = _config()["tool"]["setuptools"]["packages"]["find"]["include"]
    roots = sorted({pattern.rstrip("*") for pattern in include})
    return sorted(
        p.relative_to(ROOT)
        for root in roots
        for p in (ROOT / root).rglob("*.py")
        if "__pycache__" not in p.parts
    )


def _module_name(path: Path) -> str:
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _strict_files() -> list[Path]:
    return [Path(f) for f in _config()["tool"]["mypy"]["files"]]


def _is_strict(path: Path) -> bool:
    return any(path == f or f in path.parents for f in _strict_files())


def _pending_patterns() -> list[str]:
    """Modules followed for their types but not yet checked (follow_imports = "silent")."""
    return [
        module
        for override in _config()["tool"]["mypy"].get("overrides", [])
        if override.get("follow_imports") == "silent"
        for module in override["module"]
    ]


def _is_pending(path: Path) -> bool:
    name = _module_name(path)
    # mypy's override patterns: "a.b.*" names a.b and everything below it.
    return any(
        name == p.removesuffix(".*") or (p.endswith(".*") and name.startswith(p[:-1]))
        for p in _pending_patterns()
    )


def test_mypy_is_strict() -> None:
    assert _config()["tool"]["mypy"]["strict"] is True


def test_every_shipped_module_is_strict_or_listed_as_not_strict_yet() -> None:
    modules = _shipped_modules()
    assert len(modules) > 200  # the walk found the packages
    unchecked = [str(p) for p in modules if not _is_strict(p) and not _is_pending(p)]
    assert unchecked == [], (
        "add these modules to [tool.mypy] files (strict) in pyproject.toml: " + ", ".join(unchecked)
    )


def test_no_strict_module_is_silenced_and_the_not_strict_list_only_names_real_modules() -> None:
    modules = _shipped_modules()
    silenced = [str(p) for p in modules if _is_strict(p) and _is_pending(p)]
    assert silenced == []
    for f in _strict_files():
        assert (ROOT / f).exists(), f
    names = {_module_name(p) for p in modules}
    for pattern in _pending_patterns():
        base = pattern.removesuffix(".*")
        assert base in names, pattern


def test_everything_shipped_is_strict_and_nothing_is_pending() -> None:
    for package in (
        "pos_app/domain",
        "pos_app/services",
        "receipts",
        "drivers",
        "sync",
        "pos_app/cli",
        "pos_app/demo",
        "pos_app/adapters",
        "pos_app/adapters/db",
        "pos_app/ui",
        "pos_app/bootstrap.py",
        "pos_app/config.py",
        "pos_app/logs.py",
        "cloud",
    ):
        assert _is_strict(Path(package)), package
    assert [str(p) for p in _shipped_modules() if not _is_strict(p)] == []
    # Nothing is left on a "not strict yet" list: a new module goes into `files`.
    assert _pending_patterns() == []
