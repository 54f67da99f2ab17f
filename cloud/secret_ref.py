"""A secret named on a command line by reference, never by value: `env:VAR` (read from the
environment) or `@FILE` (the file's first line).  A literal is refused: a long-running
server's command line stays in the process list (and in shell history) for as long as it runs.

The reference, not the secret, is what the serve settings carry to worker processes."""

from __future__ import annotations

import os
from pathlib import Path

from pos_app.domain.errors import InvalidInput


def check_ref(flag: str, ref: str) -> str:
    """`ref` if it is a reference, else the bilingual refusal saying how to pass it."""
    if ref.startswith("env:") and len(ref) > 4:
        return ref
    if ref.startswith("@") and len(ref) > 1:
        return ref
    raise InvalidInput(
        f"{flag} takes a reference, not the secret itself (a secret on the command line shows "
        f"in the process list): pass {flag} env:VAR with the secret in the environment "
        f"variable VAR, or {flag} @FILE with it in a file only the service can read",
        f"{flag} 只接受引用，不接受密钥本身（命令行中的密钥会出现在进程列表中）：请使用 "
        f"{flag} env:变量名（密钥放在该环境变量中），或 {flag} @文件路径（密钥放在仅服务可读的文件中）",
    )


def resolve(flag: str, ref: str) -> str:
    """The secret a reference names (checked first); a missing variable or file is refused."""
    check_ref(flag, ref)
    if ref.startswith("env:"):
        value = os.environ.get(ref[4:], "")
        where_en, where_zh = f"the environment variable {ref[4:]}", f"环境变量 {ref[4:]}"
    else:
        path = Path(ref[1:])
        try:
            value = path.read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError, UnicodeDecodeError):
            value = ""
        where_en, where_zh = f"the file {path}", f"文件 {path}"
    if not value:
        raise InvalidInput(
            f"{flag} {ref}: {where_en} is missing or empty; put the secret there and start again",
            f"{flag} {ref}：{where_zh}不存在或为空；请写入密钥后重新启动",
        )
    return value
