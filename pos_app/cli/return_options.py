"""The options `guitai return` and `guitai exchange` share: how money goes back (--refund), and
what the brand's return rules weigh (--reason, --approve, --quality)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def return_options(modes: Sequence[str], refund_help: str, reason_help: str) -> Callable[[F], F]:
    """--refund MODE (one of `modes`, default cash), --reason, --approve and --quality."""
    options = (
        click.option(
            "--refund",
            "mode",
            type=click.Choice(list(modes)),
            default="cash",
            show_default=True,
            help=refund_help,
        ),
        click.option("--reason", default="", help=reason_help),
        click.option(
            "--approve",
            "approver",
            help="Manager approving a return the brand's rules hold back (PIN from "
            "GUITAI_APPROVER_PIN).",
        ),
        click.option(
            "--quality", is_flag=True, help="Returned for a fault: the longer window applies."
        ),
    )

    def wrap(f: F) -> F:
        for option in reversed(options):
            f = option(f)
        return f

    return wrap
