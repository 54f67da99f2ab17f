"""What the `guitai cloud …` commands share: the `cloud` group itself, --db/--database-url,
running a call against the cloud service, durations like 24h, --json output, and the check
that the `cloud` extra's server packages are installed."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from pos_app.domain.errors import GuitaiError, InvalidInput

F = TypeVar("F", bound=Callable[..., Any])


class CloudCommandError(GuitaiError):
    code = "cloud_error"


class CloudExtraMissing(GuitaiError):
    code = "cloud_extra_missing"


def need_packages(*names: str) -> None:
    """Refuse, saying how to install them, when the `cloud` extra's server packages are absent
    (a till installs guitai without them; its admin commands on SQLite need none)."""
    missing = []
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            missing.append(name)
    if missing:
        listed = ", ".join(missing)
        raise CloudExtraMissing(
            f"The cloud's server packages are not installed ({listed} missing). Install them "
            "with: pip install 'guitai[cloud]'",
            f"未安装云端服务所需的软件包（缺少 {listed}）。请运行：pip install 'guitai[cloud]'",
        )


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the answer as JSON (for automation)."
)


def emit(data: Any, as_json: bool, text: Callable[[Any], str] | str | None = None) -> None:
    # The same output as the till's commands (pos_app.cli.common.emit), which the cloud may
    # not import.
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    elif callable(text):
        click.echo(text(data))
    elif text is not None:
        click.echo(text)
    else:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# The URL carries the database password: from a file or the environment it stays out of the
# process list and the shell's history, where --database-url shows it.
DATABASE_URL_ENV = ["GUITAI_CLOUD_DATABASE_URL", "GUITAI_DATABASE_URL"]
_URL_FILE = "guitai.database_url_file"


def read_database_url(path: str) -> str:
    """The URL in a file (its first line; the password stays out of every message)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInput(
            f"--database-url-file {path}: cannot read it ({type(err).__name__}). Give a file "
            "holding the URL (postgresql://user:password@host:port/db) on its first line",
            f"--database-url-file {path}：无法读取（{type(err).__name__}）。"
            "请给出第一行为数据库地址（postgresql://用户:密码@主机:端口/库）的文件",
        ) from None
    url = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not url:
        raise InvalidInput(
            f"--database-url-file {path} is empty: write the URL "
            "(postgresql://user:password@host:port/db) on its first line",
            f"--database-url-file {path} 为空：请在第一行写入数据库地址"
            "（postgresql://用户:密码@主机:端口/库）",
        )
    return url


def _keep_url_file(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_URL_FILE] = value


def _database_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    path = ctx.meta.get(_URL_FILE)
    if path is None:
        return value
    if value is not None and ctx.get_parameter_source(param.name or "") is (
        click.core.ParameterSource.COMMANDLINE
    ):
        raise InvalidInput(
            "Give --database-url or --database-url-file, not both",
            "--database-url 与 --database-url-file 只能选一个",
        )
    return read_database_url(path)  # the file, given on this command, over the environment


def db_options(f: F) -> F:
    f = click.option(
        "--database-url",
        envvar=DATABASE_URL_ENV,
        callback=_database_url,
        help="postgresql://user@host:port/db (PostgreSQL backend). A password here shows in "
        "the process list: use --database-url-file or GUITAI_DATABASE_URL.",
    )(f)
    f = click.option(
        "--database-url-file",
        is_eager=True,  # read before --database-url's callback, which takes it
        expose_value=False,
        callback=_keep_url_file,
        metavar="PATH",
        help="A file whose first line is the PostgreSQL URL (keeps its password off the "
        "command line).",
    )(f)
    return click.option(
        "--db",
        "db_file",
        envvar="GUITAI_CLOUD_DB",
        type=click.Path(dir_okay=False),
        help="SQLite file of the cloud (default ./guitai-cloud.db).",
    )(f)


def _service(
    db_file: str | None, database_url: str | None, base_url: str = "", **db_kw: Any
) -> Any:
    if db_file and database_url:
        raise InvalidInput(
            "Give --db or --database-url, not both", "--db 与 --database-url 只能选一个"
        )
    if database_url:
        need_packages("psycopg", "psycopg_pool")
    # the schema and its migrations, and the ingest's JSON writer (sorted_json), on every engine
    need_packages("sqlalchemy", "alembic", "orjson")
    from cloud.db import CloudDB
    from cloud.service import CloudService

    db = CloudDB(database_url or db_file or "guitai-cloud.db", **db_kw)
    return CloudService(db, ereceipt_base_url=base_url or "HTTP://127.0.0.1:8700/R/")


def _run(fn: Callable[[Any], Any], db_file: str | None, database_url: str | None) -> Any:
    from cloud.service import ApiError

    svc = _service(db_file, database_url)
    try:
        return fn(svc)
    except ApiError as err:
        raise CloudCommandError(
            f"{err.message} ({err.code})",
            f"{err.message_zh} ({err.code})" if err.message_zh else None,
        ) from err
    finally:
        svc.db.close()


def parse_ttl(text: str) -> timedelta:
    m = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", text)
    if not m:
        raise InvalidInput(f"{text!r} is not a duration like 30m, 24h or 7d", "时长格式如 24h")
    n, unit = int(m.group(1)), m.group(2)
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: n})


@click.group("cloud")
def cloud() -> None:
    """The reference cloud CRM (云端): serve it and administer stores, tills and members."""
