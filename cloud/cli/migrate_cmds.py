"""`guitai cloud migrate [--db|--database-url] [--json]`: bring the cloud's database to this
program's schema (the Alembic migrations in cloud/migrations) and say from which revision to
which.  `guitai cloud serve` does the same at start, under the same lock."""

from __future__ import annotations

from typing import Any

from cloud.cli.common import _run, cloud, db_options, emit, json_option


@cloud.command("migrate")
@db_options
@json_option
def migrate(db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Upgrade the cloud's database to this version's schema (升级云端数据库结构).

    Safe to run while other workers start: the upgrade holds a lock (PostgreSQL: an advisory
    lock; SQLite: an exclusive transaction), so it runs once.  A database written by a newer
    cloud is refused untouched."""

    def run(svc: Any) -> dict[str, Any]:
        return {"dialect": svc.db.dialect, **svc.db.migrated.as_dict()}

    emit(_run(run, db_file, database_url), as_json, render)


def render(d: dict[str, Any]) -> str:
    before = d["from_revision"] or "none / 无"
    if not d["changed"]:
        return f"schema at {d['to_revision']}, nothing to do (数据库结构已是最新，无需升级)"
    adopted = (
        " (adopted the schema of a cloud before migrations / 接管了旧版云端建立的结构)"
        if d["adopted"]
        else ""
    )
    return (
        f"schema upgraded from {before} to {d['to_revision']}{adopted} "
        f"(数据库结构已从 {before} 升级到 {d['to_revision']})"
    )
