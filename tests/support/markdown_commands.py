"""The commands written in README.md and docs/*.md, as the doc tests read them.

A fenced block whose info string is `sh` (or `bash`) is a sequence of commands that the doc
test runs as written, in order, in a scratch home.  A block that cannot run in a test says so
with a reason after the language: a fence of `sh norun: real printer at 192.168.1.50`
(GitHub colours it as sh all the same).  Synopses with placeholders (FILE, [--opt], …) are
fenced as `text` (or have no language): they are not run, but each `guitai …` line in them,
in indented blocks and in inline code spans is checked against the real command tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_LANGS = {"sh", "bash", "shell", "console"}
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>```+|~~~+)(?P<info>.*)$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence (or first indented line)
    info: str  # the fence's info string ("" for an indented block)
    text: str

    @property
    def lang(self) -> str:
        return self.info.split()[0].lower() if self.info.split() else ""

    @property
    def runs(self) -> bool:
        return self.lang in RUN_LANGS and not self.norun_reason and "norun" not in self.info

    @property
    def norun_reason(self) -> str:
        m = re.search(r"\bnorun\b:?\s*(.*)", self.info)
        return m.group(1).strip() if m else ""

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """Fenced blocks and indented (4-space) code blocks of one Markdown file."""
    lines = path.read_text("utf-8").splitlines()
    out: list[Block] = []
    i = 0
    prev_blank = True
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m:
            fence = m.group("fence")
            start, body = i, []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith(fence):
                body.append(lines[i])
                i += 1
            out.append(Block(path, start + 1, m.group("info").strip(), "\n".join(body)))
            i += 1
            prev_blank = False
            continue
        if prev_blank and lines[i].startswith("    ") and lines[i].strip():
            start, body = i, []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                body.append(lines[i][4:])
                i += 1
            out.append(Block(path, start + 1, "", "\n".join(body).rstrip()))
            prev_blank = True
            continue
        prev_blank = not lines[i].strip()
        i += 1
    return out


def inline_commands(path: Path) -> list[tuple[int, str]]:
    """`guitai …` code spans in the prose (table cells included), with their line."""
    found: list[tuple[int, str]] = []
    in_fence = False
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or line.startswith("    "):
            continue
        for span in re.findall(r"`([^`]+)`", line):
            if span.startswith("guitai "):
                found.append((n, span.replace("\\|", "|")))
    return found


def block_commands(block: Block) -> list[tuple[int, str]]:
    """The `guitai …` command lines of a block (continuations joined, comments dropped)."""
    found: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for n, raw in enumerate(block.text.splitlines(), block.line + 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = n
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        full = re.sub(r"^(sudo\s+|\$\s+|[A-Z_]+=\S+\s+)+", "", full)
        full = re.sub(r"^\S*/guitai ", "guitai ", full)  # .venv/bin/guitai
        if full.startswith("guitai "):
            found.append((start, full))
    return found
