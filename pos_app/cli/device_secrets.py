"""A device's password (the ZVT terminal's) kept off the command line and out of what the
`guitai devices` commands print: `--password-file PATH` (or `-`: standard input) puts it into
the stored address, and every address shown has it taken out (services.provisioning.clean_uri),
as the shell's history, `ps` and a pasted listing would otherwise show it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pos_app.domain.errors import InvalidInput
from pos_app.services.provisioning import clean_uri


def read_password(path: str) -> str:
    """The first line of the file (`-`: of standard input), without its line end."""
    try:
        text = sys.stdin.readline() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInput(
            f"--password-file {path}: cannot read it ({type(err).__name__}). Give a file "
            "holding the terminal's password on its first line, or - to read it from input",
            f"--password-file {path}：无法读取（{type(err).__name__}）。请给出第一行为终端密码的"
            "文件，或用 - 从标准输入读取",
        ) from None
    lines = text.strip().splitlines()
    if not lines or not lines[0].strip():
        raise InvalidInput(
            f"--password-file {path} is empty: write the terminal's password on its first line",
            f"--password-file {path} 为空：请在第一行写入终端密码",
        )
    return lines[0].strip()


def with_password(uri: str, password: str) -> str:
    """The ZVT address with `password=` added (the one way the driver reads it)."""
    parts = urlsplit(uri)
    if not parts.scheme.startswith("zvt+"):
        raise InvalidInput(
            "--password-file is for a ZVT card terminal (zvt+tcp://…, zvt+serial://…); "
            "this device's address has no password",
            "--password-file 仅用于 ZVT 刷卡终端（zvt+tcp://…、zvt+serial://…）；此设备地址不需要密码",
        )
    if any(k == "password" for k, _v in parse_qsl(parts.query)):
        raise InvalidInput(
            "The address already has ?password=…: give the password in the file only "
            "(the address stays in the shell's history)",
            "地址中已含 ?password=…：请只在文件中给出密码（地址会留在命令历史中）",
        )
    return uri + ("&" if parts.query else "?") + urlencode({"password": password})


def shown(device: dict[str, Any]) -> dict[str, Any]:
    """A device's record or report as printed: its address without credentials."""
    if "uri" not in device:
        return device
    return {**device, "uri": clean_uri(str(device["uri"]))}
