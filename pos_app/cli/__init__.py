"""The `guitai` command.

Each command group lives in its own module under pos_app/cli/ and is imported only when it is
used (start-up stays fast).  Errors a person sees are printed in Chinese and English with what
to do next; with --json they are printed as {"error": {...}} on standard output.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

import click

from pos_app import __version__
from pos_app.domain.errors import GuitaiError

# command name -> "module:attribute"; add a line here to add a command group.
COMMANDS: dict[str, str] = {
    "init": "pos_app.cli.setup_cmds:init",
    "device": "pos_app.cli.setup_cmds:device",
    "user": "pos_app.cli.setup_cmds:user",
    "enroll": "pos_app.cli.sync_cmds:enroll",
    "sync": "pos_app.cli.sync_cmds:sync",
    "cloud": "pos_app.cli.cloud_cmds:cloud",
    "demo-data": "pos_app.cli.catalog_cmds:demo_data",
    "catalog": "pos_app.cli.catalog_cmds:catalog",
    "sale": "pos_app.cli.sale_cmds:sale",
    "return": "pos_app.cli.sale_cmds:return_",
    "sales": "pos_app.cli.sale_cmds:sales",
    "shift": "pos_app.cli.shift_cmds:shift",
    "report": "pos_app.cli.shift_cmds:report",
    "journal": "pos_app.cli.journal_cmds:journal",
    "receipt": "pos_app.cli.receipt_cmds:receipt",
    "backup": "pos_app.cli.backup_cmds:backup",
    "restore": "pos_app.cli.backup_cmds:restore",
    "diagnostics": "pos_app.cli.diagnostics_cmd:diagnostics",
    "provision": "pos_app.cli.provision_cmds:provision",
    "settings": "pos_app.cli.provision_cmds:settings",
    "selftest": "pos_app.cli.selftest_cmd:selftest",
    "payments": "pos_app.cli.payments_cmds:payments",
    "devices": "pos_app.cli.devices_cmds:devices",
    "emulate": "pos_app.cli.devices_cmds:emulate",
    "drawer": "pos_app.cli.devices_cmds:drawer",
    "run": "pos_app.cli.run_cmd:run",
    "stock": "pos_app.cli.stock_cmds:stock",
    "cloud-stock": "pos_app.cli.cloud_stock_cmds:cloud_stock",
    "member": "pos_app.cli.member_cmds:member",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module, attr = COMMANDS[cmd_name].split(":")
            try:
                mod = importlib.import_module(module)
            except ModuleNotFoundError as err:
                if err.name != module:
                    raise
                return None  # a command group not built into this edition
            cmd = getattr(mod, attr)
            assert isinstance(cmd, click.Command)
            return cmd
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    help="Data folder of this till (default: $GUITAI_HOME, else the user data folder).",
)
@click.version_option(__version__, prog_name="guitai")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """Guitai (柜台): the till's command line for cashiers, managers and technicians."""
    from pos_app.cli.context import AppContext

    ctx.obj = AppContext(home)
    if ctx.obj.paths.database.exists():
        from pos_app.logs import setup

        setup(ctx.obj.paths.logs_dir)
    ctx.call_on_close(ctx.obj.close)


def _wants_json(argv: list[str]) -> bool:
    return "--json" in argv


def report_error(err: GuitaiError, as_json: bool) -> None:
    if as_json:
        body: dict[str, Any] = {
            "error": {"code": err.code, "message": err.message, "message_zh": err.message_zh}
        }
        click.echo(json.dumps(body, ensure_ascii=False))
    else:
        if err.message_zh != err.message:
            click.echo(f"错误：{err.message_zh}", err=True)
        click.echo(f"error: {err.message}", err=True)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        rc = cli.main(args=args, prog_name="guitai", standalone_mode=False)
    except GuitaiError as err:
        report_error(err, _wants_json(args))
        return 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except click.exceptions.Exit as err:
        return int(err.exit_code or 0)
    except Exception as err:  # a bug: say so plainly, keep the details for the technician
        import os
        import traceback

        if os.environ.get("GUITAI_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"内部错误 / internal error: {type(err).__name__}: {err}. Nothing was changed "
            "unless the output above said so; run again with GUITAI_DEBUG=1 and send the "
            "output to support",
            err=True,
        )
        return 70
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":
    sys.exit(main())
