"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pos_app.domain.errors import InvalidInput

if TYPE_CHECKING:
    from .context import AppContext

F = TypeVar("F", bound=Callable[..., Any])

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the answer as JSON (for automation)."
)


def user_option(f: F) -> F:
    return click.option(
        "--user",
        "user",
        required=True,
        help="Who is acting; the PIN is read from GUITAI_PIN or asked.",
    )(f)


def read_secret(env: str, prompt: str, *, confirm: bool = False) -> str:
    """A secret from the environment (automation) or a hidden prompt (a person at a terminal).

    Without a terminal a prompt cannot be answered (click would only say "aborted"), so say
    which variable to set instead."""
    value = os.environ.get(env)
    if value is None:
        if not sys.stdin.isatty():
            raise InvalidInput(
                f"{prompt} is needed and there is no terminal to ask it in: set {env} or run "
                "the command in a terminal",
                f"需要输入“{prompt}”，但当前没有终端可供输入：请设置环境变量 {env}，或在终端中运行此命令",
            )
        value = click.prompt(prompt, hide_input=True, err=True, confirmation_prompt=confirm)
    return value.strip()


def read_pin(env: str = "GUITAI_PIN", prompt: str = "PIN", *, confirm: bool = False) -> str:
    """A PIN from the environment (automation) or a hidden prompt (a person)."""
    pin = read_secret(env, prompt, confirm=confirm)
    if not pin:
        raise InvalidInput(
            f"No PIN given: set {env} or type it at the prompt",
            f"未输入 PIN：请设置环境变量 {env} 或在提示时输入",
        )
    return pin


def emit(data: Any, as_json: bool, text: Callable[[Any], str] | str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    elif callable(text):
        click.echo(text(data))
    elif text is not None:
        click.echo(text)
    else:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def obj(ctx: click.Context) -> AppContext:
    """The AppContext `main` puts on the root context (click types ctx.obj as Any)."""
    app: AppContext = ctx.find_root().obj
    return app
