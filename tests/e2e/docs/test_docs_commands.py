"""What README.md and docs/*.md tell a new user to type works as written.

Every ```sh block runs, in the order of its file, in a scratch home (HOME, the working folder
and so `~/till` are a temporary folder; `guitai` is on PATH as after `. .venv/bin/activate`);
exports carry over from one block to the next as in one shell.  A block that cannot run here
says why after `norun` in its fence.  Every `guitai …` line anywhere in the docs (synopses,
tables, prose) is checked against the real command tree: commands and options exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from command_tree import check
from markdown_commands import ROOT, Block, block_commands, blocks, doc_files, inline_commands

# A command that answers "nothing" teaches nothing: a README example must find what it shows.
NOTHING = ("no items found", "没有找到", "no sales")
MAX_NORUN = 10  # the skipped blocks stay few; each says why in its fence


def _runnable_files() -> list[Path]:
    return [p for p in doc_files() if any(b.runs for b in blocks(p))]


def test_every_written_guitai_command_exists_with_its_options() -> None:
    problems: list[str] = []
    for path in doc_files():
        written = inline_commands(path) + [c for b in blocks(path) for c in block_commands(b)]
        for line, command in written:
            problems += [f"{path.relative_to(ROOT)}:{line}: {p}" for p in check(command)]
    assert not problems, "\n".join(problems)


def test_blocks_that_do_not_run_say_why() -> None:
    skipped = [b for p in doc_files() for b in blocks(p) if "norun" in b.info]
    for b in skipped:
        assert len(b.norun_reason.split()) >= 3, f"{b.where()}: `norun` needs a reason"
    assert len(skipped) <= MAX_NORUN, [b.where() for b in skipped]
    # The walkthroughs a new user follows first are never skipped.
    readme = [b for b in blocks(ROOT / "README.md") if b.runs]
    assert any("guitai sale " in b.text for b in readme)
    assert any("guitai catalog search " in b.text for b in readme)


def _scratch_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GUITAI_") and k not in ("DISPLAY", "WAYLAND_DISPLAY")
    }
    env.update(
        HOME=str(home),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        GUITAI_SCRYPT_N=os.environ.get("GUITAI_SCRYPT_N", "4096"),  # tests' PIN hash cost
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def run_block(block: Block, cwd: Path, env: dict[str, str], state: Path) -> str:
    """One block in bash with -e: the first failing command fails it.  `state` carries the
    exports of earlier blocks in, and this block's out."""
    script = (
        "set -euo pipefail\n"
        f'if [ -f "{state}" ]; then . "{state}"; fi\n'
        f"{block.text}\n"
        f'export -p > "{state}"\n'
    )
    r = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    if r.returncode != 0:
        pytest.fail(
            f"{block.where()} failed (exit {r.returncode}):\n{block.text}\n"
            f"--- stdout\n{r.stdout[-3000:]}\n--- stderr\n{r.stderr[-3000:]}"
        )
    return r.stdout


@pytest.mark.slow
@pytest.mark.parametrize("path", _runnable_files(), ids=lambda p: p.name)
def test_sh_blocks_run_as_written(path: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _scratch_env(home)
    state = tmp_path / "exports.sh"
    for block in (b for b in blocks(path) if b.runs):
        out = run_block(block, home, env, state)
        empty = [n for n in NOTHING if n in out]
        assert not empty, f"{block.where()}: a command printed {empty}:\n{out[-2000:]}"
