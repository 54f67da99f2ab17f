"""The domain's import contract (pyproject.toml) catches stdlib I/O, threads and the wall clock:
a copy of pos_app/domain with one such import fails `lint-imports`, the untouched copy passes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import paths
import pytest

ROOT = paths.ROOT
CONTRACT = "the domain is pure: standard library only"


def _lint_domain_copy(tmp_path: Path, extra_import: str | None) -> subprocess.CompletedProcess[str]:
    pkg = tmp_path / "src" / "pos_app"
    shutil.copytree(ROOT / "pos_app" / "domain", pkg / "domain")
    (pkg / "__init__.py").write_text("", "utf-8")
    if extra_import:
        money = pkg / "domain" / "money.py"
        money.write_text(f"{extra_import}\n{money.read_text('utf-8')}", "utf-8")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    (contract,) = [c for c in meta["tool"]["importlinter"]["contracts"] if c["name"] == CONTRACT]
    # The copy holds the domain only, so the contract's rules about the project's own rooms
    # (which the copy lacks) are left to `make contracts`; the libraries' rules are checked here.
    outside = [m for m in contract["forbidden_modules"] if not m.startswith("pos_app")]
    config = tmp_path / ".importlinter"
    config.write_text(
        "[importlinter]\nroot_package = pos_app\ninclude_external_packages = True\n\n"
        f"[importlinter:contract:domain]\nname = {CONTRACT}\ntype = forbidden\n"
        "source_modules = pos_app.domain\nforbidden_modules =\n"
        + "".join(f"    {m}\n" for m in outside),
        "utf-8",
    )
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--no-cache", "--no-logo", str(config)],
        cwd=tmp_path / "src",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_domain_as_it_is_keeps_its_contract(tmp_path: Path) -> None:
    done = _lint_domain_copy(tmp_path, None)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("module", ["sqlite3", "socket", "threading", "time"])
def test_stdlib_io_threads_or_the_wall_clock_in_the_domain_break_it(
    tmp_path: Path, module: str
) -> None:
    done = _lint_domain_copy(tmp_path, f"import {module}")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"pos_app.domain is not allowed to import {module}" in done.stdout
