"""guitai diagnostics -o FILE.zip: what a technician sends to support, with no secrets."""

from __future__ import annotations

import json
import platform
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import click

from pos_app import __version__

from .common import obj

SECRET_WORDS = ("key", "secret", "password", "pin", "token", "credential", "pepper")


def _settings(till: Any) -> dict[str, str]:
    from pos_app.logs import mask

    return {
        k: ("<hidden>" if any(w in k.lower() for w in SECRET_WORDS) else mask(v))
        for k, v in till.settings().items()
    }


def collect(app: Any) -> dict[str, Any]:
    from pos_app.adapters.db.connection import sqlite_warning
    from pos_app.services.journal import verify

    till = app.till
    conn = till.database.conn
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("sales", "journal", "outbox", "users", "skus", "members")
    }
    pending = conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
    dead = conn.execute("SELECT count(*) FROM outbox WHERE state = 'dead'").fetchone()[0]
    result = verify(till.store)
    import importlib.metadata as md

    versions = {}
    for pkg in (
        "pyside6-essentials",
        "python-escpos",
        "sqlite-utils",
        "httpx",
        "apscheduler",
        "cryptography",
        "qrcode",
        "pillow",
    ):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    return {
        "guitai": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "sqlite_warning": sqlite_warning(),
        "packages": versions,
        "settings": _settings(till),
        "counts": counts,
        "sync": {"pending": pending, "dead_letters": dead},
        "journal": {
            "ok": result.ok,
            "entries": result.entries,
            "problems": [p.problem for p in result.problems[:20]],
        },
        "key_id": till.signer.key_id.hex(),
    }


@click.command()
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The zip file to write."
)
@click.pass_context
def diagnostics(ctx: click.Context, output: str) -> None:
    """Versions, settings without secrets, sync and journal state, recent logs (masked)."""
    from pos_app.logs import mask

    app = obj(ctx)
    info = collect(app)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("diagnostics.json", json.dumps(info, ensure_ascii=False, indent=2))
        logs = sorted(Path(app.paths.logs_dir).glob("guitai.log*"))[:3]
        for log in logs:
            z.writestr(f"logs/{log.name}", mask(log.read_text("utf-8", errors="replace")))
    warn = info["sqlite_warning"]
    click.echo(f"diagnostics written to {output}" + (f"\nwarning: {warn}" if warn else ""))
