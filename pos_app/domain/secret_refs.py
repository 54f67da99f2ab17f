"""A secret given to a command as a reference, never as its value: `env:VAR` (read from the
environment variable VAR) or `@FILE` (the file's first line).  A long-running server's or
emulator's command line shows in the process list and in shell history for as long as it
runs, so a literal secret on it is refused with a message that says how to pass it.

Pure: the caller hands in the environment and a file reader (the till's and the cloud's CLIs
both use it; the cloud may import the domain, not the till's CLI)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .errors import InvalidInput


def resolve_secret(
    flag: str,
    value: str,
    environ: Mapping[str, str],
    read_text: Callable[[str], str],
) -> str:
    """The secret `value` refers to (`env:VAR` or `@FILE`); a literal or an empty secret is
    refused (InvalidInput, Chinese and English, saying what to do)."""
    how_en = (
        f"pass {flag} env:VAR (the secret in environment variable VAR) or {flag} @FILE "
        "(the secret on the file's first line)"
    )
    how_zh = (
        f"请使用 {flag} env:变量名（密钥放在该环境变量中）或 {flag} @文件路径（密钥写在文件第一行）"
    )
    if value.startswith("env:"):
        name = value[4:]
        secret = environ.get(name, "") if name else ""
        if not secret:
            raise InvalidInput(
                f"{flag} {value}: the environment variable {name or '(none)'} is not set or "
                f"empty; set it in the service's environment, or {how_en}",
                f"{flag} {value}：环境变量 {name or '（空）'} 未设置或为空；请在服务的环境中设置它，"
                f"或{how_zh}",
            )
        return secret
    if value.startswith("@"):
        path = value[1:]
        try:
            lines = read_text(path).splitlines()
        except OSError as err:
            raise InvalidInput(
                f"{flag} {value}: cannot read {path} ({err.strerror or err}); check the path "
                "and its permissions",
                f"{flag} {value}：无法读取 {path}（{err.strerror or err}）；请检查路径和权限",
            ) from err
        secret = lines[0].strip() if lines else ""
        if not secret:
            raise InvalidInput(
                f"{flag} {value}: the file is empty; write the secret on its first line",
                f"{flag} {value}：文件为空；请把密钥写在文件第一行",
            )
        return secret
    raise InvalidInput(
        f"{flag} does not take the secret itself: a command line shows in the process list "
        f"and in shell history. {how_en[0].upper() + how_en[1:]}",
        f"{flag} 不接受密钥本身：命令行会出现在进程列表和命令历史中。{how_zh}",
    )
