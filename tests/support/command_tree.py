"""Check a written `guitai …` line against the real click command tree: each subcommand exists
and each `--flag` is an option of the command it is given to.  Placeholders (FILE, …, ID)
and `a|b` alternatives are understood; what cannot be resolved is left alone, not guessed."""

from __future__ import annotations

import re

import click

from pos_app.cli import cli

GLOBAL = {"--home", "--help", "-h", "--version"}
WORD = re.compile(r"[a-z][a-z0-9-]*")


def _sub(group: click.Group, name: str) -> click.Command | None:
    return group.get_command(click.Context(group), name)


def _options(cmd: click.Command) -> set[str]:
    opts = set(GLOBAL)
    for p in cmd.params:
        if isinstance(p, click.Option):
            opts.update(p.opts)
            opts.update(p.secondary_opts)
    return opts


def _tokens(text: str) -> list[str]:
    return [t.strip("[](){}") for t in text.split() if t.strip("[](){}")]


def _walk(start: click.Group, tokens: list[str]) -> tuple[list[click.Command], list[str], str]:
    """Descend through subcommand tokens; the commands reached, the tokens left, an error."""
    cmds: list[click.Command] = [start]
    i = 0
    while i < len(tokens) and all(isinstance(c, click.Group) for c in cmds):
        tok = tokens[i]
        if tok.startswith("-"):
            if tok == "--home":
                i += 2
                continue
            break
        names = tok.split("|")
        if not all(WORD.fullmatch(n) for n in names):
            break  # a placeholder: nothing more can be resolved
        found = [_sub(g, n) for g in cmds if isinstance(g, click.Group) for n in names]
        if not any(found):
            return cmds, tokens[i:], f"no command {tok!r} under {cmds[0].name!r}"
        cmds = [c for c in found if c is not None]
        i += 1
    return cmds, tokens[i:], ""


def check(command: str) -> list[str]:
    """Problems with one written command line (empty: it matches the CLI)."""
    assert command.startswith("guitai ")
    problems: list[str] = []
    parent: list[click.Command] = [cli]
    cmds: list[click.Command] = [cli]
    for n, part in enumerate(re.split(r"\s+\|\s+", command[len("guitai ") :])):
        toks = _tokens(part)
        if n > 0 and toks and toks[0].startswith("-"):
            rest, err = toks, ""  # "[--printer URI | --discover]": options of the same command
        elif n > 0 and toks and isinstance(parent[0], click.Group):
            # "guitai devices discover | add NAME": an alternative under the same group,
            # or under the root when it names a top-level command ("| emulate alipay").
            first = toks[0]
            if _sub(parent[0], first) is not None:
                cmds, rest, err = _walk(parent[0], toks)
            else:
                cmds, rest, err = _walk(cli, toks)
        else:
            cmds, rest, err = _walk(cli, toks)
            parent = [cli]
        if err:
            problems.append(f"{command}: {err}")
            continue
        if n == 0 and len(toks) > len(rest):
            # the group the alternatives belong to: the parent of the first command reached
            path = toks[: len(toks) - len(rest) - 1]
            parent = _walk(cli, path)[0] if path else [cli]
        if any(isinstance(c, click.Group) for c in cmds) and not any(
            t.startswith("--") and t not in GLOBAL for t in rest
        ):
            continue
        known = set().union(*(_options(c) for c in cmds))
        for tok in rest:
            flag = tok.split("=", 1)[0].rstrip(",.;:")
            if re.fullmatch(r"--[a-z][a-z0-9-]*", flag) and flag not in known:
                names = "/".join(c.name or "?" for c in cmds)
                problems.append(f"{command}: {names} has no option {flag}")
    return problems
