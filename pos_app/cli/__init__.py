"""The `guitai` command.

Each command group lives in its own module under pos_app/cli/ and is imported only when it is
used (start-up stays fast).  Groups of other packages (the cloud's `guitai cloud …`) are found
through the `guitai.commands` entry points, also imported only when used.  Errors a person sees are printed in Chinese and English with what
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
    "demo-data": "pos_app.cli.catalog_cmds:demo_data",
    "catalog": "pos_app.cli.catalog_cmds:catalog",
    "sale": "pos_app.cli.sale_cmds:sale",
    "return": "pos_app.cli.sale_cmds:return_",
    "exchange": "pos_app.cli.exchange_cmd:exchange",
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
    "member": "pos_app.cli.member_cmds:member",
}


# Other packages add command groups under this entry-point group (the cloud, installed with
# the `cloud` extra, adds `cloud` and `cloud-stock`): the till's code never imports them.
ENTRY_POINT_GROUP = "guitai.commands"


def plugin_commands() -> dict[str, str]:
    """command name -> "module:attribute" of the installed `guitai.commands` entry points.

    Read only when a name is not one of ours or help lists them: scanning the installed
    distributions costs milliseconds a till command does not need to pay."""
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS) | set(plugin_commands()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name) or plugin_commands().get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attr = target.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name is None or not (module == err.name or module.startswith(err.name + ".")):
                raise
            if cmd_name in COMMANDS:
                return None  # a command group not built into this edition
            return _not_installed(cmd_name)
        cmd = getattr(mod, attr)
        assert isinstance(cmd, click.Command)
        return cmd

    def invoke(self, ctx: click.Context) -> Any:
        # The till's commands run on the database thread of this process (cli/db_thread.py).
        from pos_app.cli.db_thread import invoke_on_db_thread

        return invoke_on_db_thread(ctx, frozenset(COMMANDS), lambda: click.Group.invoke(self, ctx))


class NotInstalled(GuitaiError):
    code = "not_installed"


def _not_installed(name: str) -> click.Command:
    """A command whose package an entry point names is missing (a till built without the
    cloud, metadata and all): say how to get it instead of "no such command"."""

    def refuse(args: tuple[str, ...]) -> None:
        raise NotInstalled(
            f"`guitai {name}` is not installed here: it comes with the cloud. Install it with "
            "pip install 'guitai[cloud]' on the cloud's server",
            f"此处未安装 `guitai {name}`：它属于云端。请在云端服务器上运行 pip install 'guitai[cloud]'",
        )

    return click.Command(
        name,
        callback=refuse,
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        context_settings={"ignore_unknown_options": True, "help_option_names": []},
        help="Not installed here: pip install 'guitai[cloud]'.",
        add_help_option=False,
    )


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
    from pos_app.cli.db_thread import thread_of

    ctx.obj = AppContext(home, thread=thread_of(ctx))
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
        click.echo("已取消 / aborted", err=True)
        return 130
    except click.exceptions.NoArgsIsHelpError as err:
        err.show()  # a group named alone: its help, which lists what it can do
        return err.exit_code
    except click.ClickException as err:
        from pos_app.cli.usage import usage_problem

        problem = usage_problem(err)
        as_json = _wants_json(args)
        if problem.usage and not as_json:
            click.echo(problem.usage.replace("Usage:", "用法 Usage:", 1), err=True)
        report_error(problem, as_json)
        return 2
    except click.exceptions.Exit as err:
        return int(err.exit_code or 0)
    except Exception as err:  # a bug: say so plainly, keep the details for the technician
        import os
        import traceback

        if os.environ.get("GUITAI_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"内部错误：{type(err).__name__}: {err}。除非上面的输出另有说明，否则没有任何改动；"
            "请设置 GUITAI_DEBUG=1 重新运行，并把输出发给技术支持\n"
            f"internal error: {type(err).__name__}: {err}. Nothing was changed "
            "unless the output above said so; run again with GUITAI_DEBUG=1 and send the "
            "output to support",
            err=True,
        )
        return 70
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":
    sys.exit(main())
