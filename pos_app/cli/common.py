"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pos_app.domain.errors import InvalidInput

F = TypeVar("F", bound=Callable[..., Any])

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the answer as JSON (for automation)."
)


def user_option(f: F) -> F:
    return click.option(
        "--user", "user", required=True, help="Who is acting; the PIN is read from GUITAI_PIN or asked."
    )(f)


def read_pin(env: str = "GUITAI_PIN", prompt: str = "PIN") -> str:
    """A PIN from the environment (automation) or a hidden prompt (a person)."""
    pin = os.environ.get(env)
    if pin is None:
        pin = click.prompt(prompt, hide_input=True, err=True)
    pin = pin.strip()
    if not pin:
        raise InvalidInput(f"No PIN given: set {env} or type it at the prompt", "未输入 PIN")
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


def obj(ctx: click.Context) -> Any:
    return ctx.find_root().obj
