"""Upgrades: every older schema migrates with every sale intact, a backup is taken first, each
migration is one transaction, and a database from a newer program is refused untouched."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from pathlib import Path

import pytest
from ops_cli import FIXTURES

from pos_app.adapters.db.backup import check_backup
from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.migrations import KNOWN, migrations
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.domain.errors import GuitaiError, StateError
from pos_app.services.journal import verify

SCHEMA_FIXTURES = sorted(FIXTURES.glob("till-schema-*.db"))


def _rows(path: Path) -> dict[str, list[tuple]]:
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            "sales": c.execute("SELECT * FROM sales ORDER BY receipt_no").fetchall(),
            "sale_lines": c.execute(
                "SELECT * FROM sale_lines ORDER BY sale_id, line_no"
            ).fetchall(),
            "payments": c.execute("SELECT * FROM payments ORDER BY sale_id, seq").fetchall(),
            "journal": c.execute("SELECT * FROM journal ORDER BY seq").fetchall(),
            "outbox": c.execute("SELECT id, type, payload FROM outbox ORDER BY seq").fetchall(),
        }
    finally:
        c.close()


def _applied(path: Path) -> list[str]:
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in c.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    finally:
        c.close()


def _home_with(fixture: Path, tmp_path: Path) -> Path:
    home = tmp_path / "till"
    home.mkdir()
    shutil.copyfile(fixture, home / "till.db")
    return home / "till.db"


def test_there_is_a_fixture_for_every_older_schema() -> None:
    have = {p.name for p in SCHEMA_FIXTURES}
    assert {f"till-schema-{name[:4]}.db" for name in KNOWN[:-1]} <= have


@pytest.mark.parametrize("fixture", SCHEMA_FIXTURES, ids=lambda p: p.stem)
def test_migration_preserves_every_sale_and_backs_up_first(fixture: Path, tmp_path: Path) -> None:
    db_path = _home_with(fixture, tmp_path)
    before = _rows(db_path)
    old_schema = _applied(db_path)
    assert before["sales"] and set(old_schema) <= set(KNOWN)

    db = open_database(db_path)
    try:
        assert [m.name for m in migrations.applied(db.db)] == KNOWN
        result = verify(SqliteUnitOfWork(db.conn))
        assert result.ok, result.problems
        assert result.receipts == len(before["sales"])  # sales and refunds
    finally:
        db.close()
    after = _rows(db_path)
    # Every sale, line, payment, journal entry and event (a later migration may add columns).
    for table, rows in before.items():
        assert [r[: len(rows[0])] for r in after[table]] == rows if rows else not after[table]

    backups = list((db_path.parent / "backups").glob("till-*.db"))
    if old_schema == KNOWN:  # the newest schema: nothing to migrate, nothing to back up
        assert backups == []
        return
    first_pending = KNOWN[len(old_schema)]
    assert [b.name.endswith(f"-before-{first_pending}.db") for b in backups] == [True]
    check_backup(backups[0])
    assert _applied(backups[0]) == old_schema  # the copy is the database as it was
    assert _rows(backups[0]) == before

    # Opening again: nothing pending, no second backup.
    open_database(db_path).close()
    assert len(list((db_path.parent / "backups").glob("till-*.db"))) == 1


def test_a_new_database_or_one_without_sales_gets_no_backup(tmp_path: Path) -> None:
    open_database(tmp_path / "new" / "till.db").close()
    assert not (tmp_path / "new" / "backups").exists()


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    fixture = FIXTURES / f"till-schema-{KNOWN[-2][:4]}.db"  # one step behind
    db_path = _home_with(fixture, tmp_path)
    before = _rows(db_path)
    idx = len(KNOWN) - 1
    last = migrations._migrations[idx]

    def broken(db):  # type: ignore[no-untyped-def]
        db.execute("CREATE TABLE half_done (x INTEGER)")
        db.execute("INSERT INTO sales_that_do_not_exist VALUES (1)")

    migrations._migrations[idx] = dataclasses.replace(last, fn=broken)
    try:
        with pytest.raises(sqlite3.OperationalError):
            open_database(db_path)
    finally:
        migrations._migrations[idx] = last
    c = sqlite3.connect(db_path)
    try:
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        c.close()
    assert "half_done" not in tables  # the migration's transaction rolled back
    assert _applied(db_path) == KNOWN[:-1]
    assert _rows(db_path) == before
    # …and the next start with a good program migrates it.
    open_database(db_path).close()
    assert _applied(db_path) == KNOWN


def test_no_migration_without_a_backup(tmp_path: Path) -> None:
    db_path = _home_with(SCHEMA_FIXTURES[0], tmp_path)
    (db_path.parent / "backups").write_text("a file where the folder should be")
    with pytest.raises((GuitaiError, OSError)):
        open_database(db_path)
    assert _applied(db_path) == _applied(SCHEMA_FIXTURES[0])
    assert _rows(db_path) == _rows(SCHEMA_FIXTURES[0])


def test_a_database_from_a_newer_program_is_refused_untouched(tmp_path: Path) -> None:
    db_path = tmp_path / "till.db"
    open_database(db_path).close()
    c = sqlite3.connect(db_path)
    c.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
        "VALUES('guitai', '0099_from_the_future', '2030-01-01')"
    )
    c.commit()
    c.close()
    tables_before = _tables(db_path)
    with pytest.raises(StateError) as err:
        open_database(db_path)
    assert "newer Guitai" in err.value.message and "0099_from_the_future" in err.value.message
    assert "更新版本" in err.value.message_zh
    assert _tables(db_path) == tables_before
    assert not (tmp_path / "backups").exists()


def test_the_refusal_reaches_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pos_app.cli import main

    home = tmp_path / "till"
    home.mkdir()
    open_database(home / "till.db").close()
    c = sqlite3.connect(home / "till.db")
    c.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
        "VALUES('guitai', '0099_from_the_future', '2030-01-01')"
    )
    c.commit()
    c.close()
    assert main(["--home", str(home), "journal", "verify"]) == 2
    err = capsys.readouterr().err
    assert "newer Guitai" in err and "Install that version or newer" in err


def _tables(path: Path) -> set[str]:
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
    finally:
        c.close()
