"""guitai diagnostics -o FILE.zip: what a technician sends to support, with no secrets."""

from __future__ import annotations

import json
import platform
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pos_app import __version__

from .common import obj

if TYPE_CHECKING:
    from pos_app.bootstrap import App

SECRET_WORDS = ("key", "secret", "password", "pin", "token", "credential", "pepper")

# Defence in depth: the till never logs a PIN, but a PIN typed into a free-text field (a
# reason, a note) could reach a log line; "pin 1234", "PIN=1234", "密码：1234" are blanked.
_PIN_TEXT = re.compile(r"(?i)(\bpin|passcode|password|密码)(\W{0,3})\d{4,8}(?!\d)")


def scrub(text: str) -> str:
    """Phone and card numbers masked (pos_app.logs.mask), PIN-like values blanked."""
    from pos_app.logs import mask

    return _PIN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}****", mask(text))


def _settings(till: App) -> dict[str, str]:
    from pos_app.logs import mask

    return {
        k: ("<hidden>" if any(w in k.lower() for w in SECRET_WORDS) else mask(v))
        for k, v in till.uow.settings.all().items()
    }


def collect(app: Any) -> dict[str, Any]:
    from pos_app.adapters.db.connection import sqlite_note
    from pos_app.services.journal import verify

    till = app.till
    conn = till.database.conn
    note = sqlite_note()
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("sales", "journal", "outbox", "users", "skus", "members")
    }
    pending = conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
    dead = conn.execute("SELECT count(*) FROM outbox WHERE state = 'dead'").fetchone()[0]
    result = verify(till.uow)
    import importlib.metadata as md

    versions: dict[str, str | None] = {}
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
        "sqlite_warning": note[0] if note else None,
        "sqlite_warning_zh": note[1] if note else None,
        "packages": versions,
        "settings": _settings(till),
        "counts": counts,
        "sync": {"pending": pending, "dead_letters": dead},
        "journal": {
            "ok": result.ok,
            "entries": result.entries,
            "problems": [p.problem for p in result.problems[:20]],
        },
        "key_id": till.signer().key_id.hex(),
        "schema": _schema(conn),
        "backups": _backups(app),
        "devices": _devices(till),
        "sync_status": _sync_status(conn),
    }


def _schema(conn: sqlite3.Connection) -> dict[str, Any]:
    from pos_app.adapters.db.migrations import KNOWN

    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    return {"applied": applied, "known": KNOWN}


def _backups(app: Any) -> dict[str, Any]:
    from pos_app.adapters.db.backup_schedule import newest_backup

    folder = Path(app.paths.backups_dir)
    names = sorted(p.name for p in folder.glob("till-*.db")) if folder.is_dir() else []
    newest = newest_backup(folder)
    return {
        "count": len(names),
        "newest": names[-5:],
        "newest_at": newest.isoformat() if newest else None,
        "second_location": app.till.uow.settings.get("backup_second_location") or None,
    }


def _devices(till: App) -> list[dict[str, Any]] | dict[str, str]:
    """Each device's live report (App.hardware), addresses without credentials."""
    from pos_app.services.provisioning import clean_uri, is_secret

    try:
        hw = till.hardware()
        out = []
        for rec in hw.store.list_devices():
            try:
                report = dict(hw.device_report(rec))
            except Exception as err:  # one broken device must not cost the whole bundle
                report = {"name": rec.name, "kind": rec.kind, "error": f"{type(err).__name__}"}
            report["uri"] = clean_uri(str(report.get("uri", rec.uri)))
            if isinstance(report.get("settings"), dict):
                report["settings"] = {
                    k: ("<hidden>" if is_secret(k) else v) for k, v in report["settings"].items()
                }
            report.pop("serial_number", None)
            out.append(report)
        return out
    except Exception as err:
        return {"error": f"{type(err).__name__}: {err}"}


def _sync_status(conn: sqlite3.Connection) -> dict[str, Any]:
    """What `guitai sync status` shows (pos_app.cli.sync_cmds), or why it is not available."""
    try:
        from pos_app.adapters.db.repositories.outbox import (
            SqliteOutbox,
            SqliteSyncState,
            settings_get,
        )
        from pos_app.domain.ports import SystemClock
        from sync.relay import sync_status

        status: dict[str, Any] = sync_status(
            SqliteOutbox(conn), SqliteSyncState(conn), SystemClock()
        )
        status["enrolled"] = bool(settings_get(conn, "device_id"))
        return status
    except Exception as err:  # an edition without sync, or an older database
        return {"error": f"{type(err).__name__}: {err}"}


@click.command()
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The zip file to write."
)
@click.pass_context
def diagnostics(ctx: click.Context, output: str) -> None:
    """Versions, settings without secrets, devices, sync and journal state, recent logs
    (phone and card numbers masked)."""
    app = obj(ctx)
    info = collect(app)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as z:
        # A last pass over the whole document: a phone or card number that reached a device
        # report, a sync error or a setting is masked like in the logs.
        z.writestr(
            "diagnostics.json", scrub(json.dumps(info, ensure_ascii=False, indent=2, default=str))
        )
        logs = sorted(Path(app.paths.logs_dir).glob("guitai.log*"))[:3]
        for log in logs:
            z.writestr(f"logs/{log.name}", scrub(log.read_text("utf-8", errors="replace")))
    note = info["sqlite_warning"]
    click.echo(
        f"诊断包已写入 {output}\ndiagnostics written to {output}"
        + (f"\n说明：{info['sqlite_warning_zh']}\nnote: {note}" if note else "")
    )
