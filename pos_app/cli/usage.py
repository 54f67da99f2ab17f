"""click's own errors (a missing option, a bad value, an unknown option or command) in Chinese
and English, like every other error of the till.

click words these in English only.  They are rebuilt here from the exception's fields (its
class, parameter, option name, value), not by translating click's text, so a new click wording
cannot leave a message half translated; a type's failure text is matched against the few
types the till's commands use, and anything unknown still gets a Chinese sentence and the way
to the command's help.
"""

from __future__ import annotations

import re

import click

from pos_app.domain.errors import InvalidInput


class UsageProblem(InvalidInput):
    """The command line itself is wrong (README: exit 2, `{"error": {"code": "usage", …}}`)."""

    code = "usage"

    def __init__(self, message: str, message_zh: str, usage: str = "") -> None:
        super().__init__(message, message_zh)
        self.usage = usage  # click's usage line of the command, e.g. "guitai sale [OPTIONS]"


_NUMBER_ZH = {"integer": "整数", "float": "数字", "UUID": "UUID", "boolean": "开关值（true/false）"}
_PATH_ZH = {"file": "文件", "directory": "目录", "path": "路径"}
_PATH_PROBLEM_ZH = {
    "does not exist": "不存在",
    "is a file": "是文件，不是目录",
    "is a directory": "是目录，不是文件",
    "is not readable": "不可读",
    "is not writable": "不可写",
    "is not executable": "不可执行",
}


def _value_zh(message: str) -> str:
    """A parameter type's failure (click.types) in Chinese."""
    m = re.match(r"^(.*) is not a valid (integer|float|UUID|boolean)\b", message)
    if m:
        return f"{m[1]} 不是有效的{_NUMBER_ZH[m[2]]}"
    m = re.match(r"^(.*) is not (?:one of )?(.+)\.$", message)
    if m and "range" not in message:
        return f"{m[1]} 不是可选的值，可选：{m[2]}"
    m = re.match(r"^(.*) is not in the range (.+)\.$", message)
    if m:
        return f"{m[1]} 超出允许范围（{m[2]}）"
    problems = "|".join(_PATH_PROBLEM_ZH)
    m = re.match(rf"^(file|directory|path) (.+?) ({problems})\.$", message, re.IGNORECASE)
    if m:
        return f"{_PATH_ZH[m[1].lower()]} {m[2]} {_PATH_PROBLEM_ZH[m[3]]}"
    m = re.match(r"^(.*) does not match the formats? (.+)\.$", message)
    if m:
        return f"{m[1]} 不符合格式 {m[2]}"
    return f"值无效（{message}）"


def _negative(name: str) -> bool:
    return re.fullmatch(r"-[0-9][0-9.,]*", name) is not None


def _explain(err: click.ClickException) -> tuple[str, str]:
    """(English, Chinese) of what is wrong, without the way to the help."""
    ctx = getattr(err, "ctx", None)
    if isinstance(err, click.MissingParameter):
        hint = err.param.get_error_hint(ctx) if err.param is not None and ctx else ""
        kind = err.param_type or (err.param.param_type_name if err.param else "parameter")
        zh_kind = {"option": "选项", "argument": "参数"}.get(kind, "参数")
        return f"Missing {kind} {hint}".rstrip(), f"缺少{zh_kind} {hint}".rstrip()
    if isinstance(err, click.BadParameter):
        where = err.param_hint if isinstance(err.param_hint, str) else None
        if where is None and err.param is not None and ctx is not None:
            where = err.param.get_error_hint(ctx)
        where = where or "a value"
        return (
            f"Invalid value for {where}: {err.message}",
            f"{where} 的值无效：{_value_zh(err.message)}",
        )
    if isinstance(err, click.NoSuchOption):
        name = err.option_name
        if _negative(name):
            return (
                f"{name} was read as an option: amounts and numbers are never negative here",
                f"{name} 被当作选项：这里的金额和数量不能为负数",
            )
        maybe = ", ".join(err.possibilities or [])
        return (
            f"No such option {name!r}" + (f" (did you mean {maybe}?)" if maybe else ""),
            f"没有选项 {name}" + (f"（您是否想用 {maybe}？）" if maybe else ""),
        )
    if isinstance(err, click.NoSuchCommand):
        maybe = ", ".join(err.possibilities or [])
        return (
            f"No such command {err.command_name!r}"
            + (f" (did you mean {maybe}?)" if maybe else ""),
            f"没有命令 {err.command_name}" + (f"（您是否想用 {maybe}？）" if maybe else ""),
        )
    if isinstance(err, click.BadOptionUsage):
        name = err.option_name
        if "does not take a value" in err.message:
            return f"Option {name} does not take a value", f"选项 {name} 不接受值"
        if "requires" in err.message:
            return f"Option {name} needs a value", f"选项 {name} 需要一个值"
        return err.format_message(), f"选项 {name} 用法有误（{err.format_message()}）"
    if isinstance(err, click.FileError):
        return err.format_message(), f"无法打开文件 {err.ui_filename}（{err.message}）"
    message = err.format_message()
    m = re.match(r"^Got unexpected extra arguments? \((.*)\)$", message)
    if m:
        return f"Unexpected extra argument(s): {m[1]}", f"多余的参数：{m[1]}"
    if message.startswith("Missing command"):
        return "Missing command", "缺少子命令"
    return message, f"命令用法有误（{message}）"


def usage_problem(err: click.ClickException) -> UsageProblem:
    """click's error as the till's: bilingual, with the command's help to turn to."""
    en, zh = _explain(err)
    en, zh = en.rstrip("."), zh.rstrip("。.")
    ctx = getattr(err, "ctx", None)
    path = ctx.command_path if ctx is not None else "guitai"
    usage = ctx.get_usage() if ctx is not None else ""
    return UsageProblem(
        f"{en}. Run `{path} --help` to see how to use it",
        f"{zh}。运行 {path} --help 查看用法",
        usage,
    )
