"""A secret flag takes env:VAR or @FILE, never the secret itself (issue 19)."""

from __future__ import annotations

import pytest

from pos_app.domain.errors import InvalidInput
from pos_app.domain.secret_refs import resolve_secret


def files(path: str) -> str:
    if path == "/run/secret":
        return "s3cret\nignored second line\n"
    if path == "/run/empty":
        return "\n"
    raise FileNotFoundError(2, "No such file or directory")


def test_env_and_file_references_are_read() -> None:
    assert resolve_secret("--secret", "env:WX", {"WX": "abc"}, files) == "abc"
    assert resolve_secret("--secret", "@/run/secret", {}, files) == "s3cret"


@pytest.mark.parametrize(
    "value, zh",
    [
        ("literal-secret", "不接受密钥本身"),
        ("env:WX", "未设置或为空"),
        ("env:", "未设置或为空"),
        ("@/run/empty", "文件为空"),
        ("@/run/none", "无法读取"),
        ("", "不接受密钥本身"),
    ],
)
def test_anything_else_is_refused_saying_how(value: str, zh: str) -> None:
    with pytest.raises(InvalidInput) as err:
        resolve_secret("--secret", value, {"OTHER": "x"}, files)
    assert zh in err.value.message_zh and str(err.value).strip()
    if not value.startswith("@"):  # says how to pass it
        assert "env:VAR" in str(err.value) and "env:变量名" in err.value.message_zh
    assert "literal-secret" not in str(err.value)
