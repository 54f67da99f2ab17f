"""What the `guitai cloud …` commands share: the `cloud` group itself, --db/--database-url,
running a call against the cloud service, durations like 24h, --json output, and the check
that the `cloud` extra's server packages are installed."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
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


def db_options(f: F) -> F:
    f = click.option(
        "--database-url",
        envvar="GUITAI_CLOUD_DATABASE_URL",
        help="postgresql://user@host:port/db (PostgreSQL backend).",
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
    need_packages("sqlalchemy", "alembic")  # the schema and its migrations, on every engine
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
