"""Every usage error of every `guitai` command in Chinese and English (README: errors are
printed in both, exit 2, `{"error": {...}}` with --json).

The test walks the real command tree and provokes click's own errors on each command: an
option that does not exist, a required option left out, a value of the wrong kind for each
typed option, and a negative amount where a command takes one.  A message click wrote in
English only, or one the translation did not recognise, fails the test with its command.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from pos_app.cli import cli, main

CJK = re.compile(r"[\u4e00-\u9fff]")
UNRECOGNISED = ("命令用法有误", "值无效（")  # usage.py's fallback: click said something new


def commands() -> Iterator[tuple[list[str], click.Command]]:
    """(path, command) of every command below `guitai`, groups included."""

    def walk(path: list[str], group: click.Group) -> Iterator[tuple[list[str], click.Command]]:
        ctx = click.Context(group, info_name=path[-1] if path else "guitai")
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            yield [*path, name], cmd
            if isinstance(cmd, click.Group):
                yield from walk([*path, name], cmd)

    yield from walk([], cli)


def bad_value(param: click.Parameter) -> str | None:
    """A value the parameter's type refuses, or None for free text."""
    t = param.type
    if isinstance(t, click.Choice):
        return "no-such-choice"
    if isinstance(t, click.IntRange | click.FloatRange):
        return "-999999999"
    if t in (click.INT, click.FLOAT) or isinstance(t, click.types.BoolParamType):
        return "abc"
    if isinstance(t, click.DateTime):
        return "not-a-date"
    if isinstance(t, click.Path) and t.exists:
        return "/no/such/path/here"
    return None


def cases() -> Iterator[tuple[str, list[str]]]:
    for path, cmd in commands():
        yield f"{' '.join(path)}: unknown option", [*path, "--no-such-option"]
        if isinstance(cmd, click.Group):
            continue
        opts = [p for p in cmd.params if isinstance(p, click.Option)]
        args = [p for p in cmd.params if isinstance(p, click.Argument)]
        if any(p.required for p in cmd.params) and not any(p.prompt for p in opts):
            yield f"{' '.join(path)}: nothing given", list(path)
        for p in opts:
            value = bad_value(p)
            if value is not None and not p.is_flag and not p.count:
                yield f"{' '.join(path)} {p.opts[0]}: bad value", [*path, p.opts[0], value]
        if args:
            value = bad_value(args[0])
            if value is not None:
                yield f"{' '.join(path)} {args[0].name}: bad value", [*path, value]
            if args[0].name and "amount" in args[0].name:
                yield f"{' '.join(path)}: negative amount", [*path, "-5"]


CASES = dict(cases())


def test_the_walk_reaches_the_commands_of_the_issue() -> None:
    assert "sale: unknown option" in CASES
    assert "return --receipt: bad value" in CASES
    assert "shift pay-in: negative amount" in CASES
    assert len(CASES) > 100


@pytest.mark.parametrize("name", sorted(CASES))
def test_usage_errors_are_bilingual(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = CASES[name]
    home = ["--home", str(tmp_path / "till")]
    capsys.readouterr()
    rc = main([*home, *argv])
    out = capsys.readouterr()
    assert rc == 2, (name, out.out, out.err)
    zh = [ln for ln in out.err.splitlines() if ln.startswith("错误：")]
    en = [ln for ln in out.err.splitlines() if ln.startswith("error: ")]
    assert zh and en, f"{name}: not in Chinese and English:\n{out.err}"
    assert CJK.search(zh[0]) and not any(u in zh[0] for u in UNRECOGNISED), zh[0]
    assert "--help" in zh[0] and "--help" in en[0]

    rc = main([*home, *argv, "--json"])
    out = capsys.readouterr()
    assert rc == 2
    body = json.loads(out.out)["error"]
    assert body["code"] == "usage" and CJK.search(body["message_zh"]), body
    assert not CJK.search(body["message"]), body


def test_a_negative_amount_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["--home", str(tmp_path), "shift", "pay-in", "-5", "--user", "a", "--reason", "x"])
    err = capsys.readouterr().err
    assert rc == 2 and "不能为负数" in err and "never negative" in err
    assert "No such option" not in err
