"""The cloud's schema comes from its Alembic migrations (issue 18, item 3): on an empty
database they make exactly the schema the hand-rolled code made, on SQLite and PostgreSQL; a
database that code made upgrades in place with its data; one a newer cloud wrote is refused
untouched; and processes starting together on one empty PostgreSQL database migrate it once.

The reference schema and the old databases were written by the code before Alembic
(cloud/db.py at e6f3d7b): tests/fixtures/cloud-schema-pre-alembic.json (the inspected schema
on both engines), cloud-pre-alembic.db (SQLite) and cloud-pre-alembic.pg.sql (pg_dump)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import paths
import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cloud_schema_shape import sa_url, schema_shape

from cloud.db import CloudDB
from cloud.storage.migrate import head
from cloud.storage.schema import metadata
from pos_app.cli import main

FIXTURES = paths.FIXTURES
BEFORE = json.loads((FIXTURES / "cloud-schema-pre-alembic.json").read_text(encoding="utf-8"))


def assert_schema_of_before(url: str, engine: str) -> None:
    """The tables of before exactly as that code made them; besides them only the tables
    later revisions add (held to cloud/storage/schema.py by the `alembic check` below)."""
    shape = schema_shape(sa_url(url))
    before = BEFORE[engine]
    assert {t: s for t, s in shape.items() if t in before} == before
    assert set(shape) - set(before) == set(metadata.tables) - set(before)


def engine_of(url: str) -> str:
    return "postgres" if url.startswith("postgresql://") else "sqlite"


def db_args(url: str) -> list[str]:
    return ["--database-url", url] if engine_of(url) == "postgres" else ["--db", url]


def migrate(capsys: pytest.CaptureFixture[str], url: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    rc = main(["cloud", "migrate", *db_args(url), "--json"])
    return rc, json.loads(capsys.readouterr().out)


def set_revision(url: str, revision: str) -> None:
    if engine_of(url) == "postgres":
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("UPDATE alembic_version SET version_num = %s", (revision,))
        return
    lite = sqlite3.connect(url)
    with lite:
        lite.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    lite.close()


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    if engine_of(url) == "postgres":
        with psycopg.connect(url) as conn:
            return list(conn.execute(sql).fetchall())
    lite = sqlite3.connect(url)
    try:
        return list(lite.execute(sql).fetchall())
    finally:
        lite.close()


def revision_of(url: str) -> str:
    return str(rows(url, "SELECT version_num FROM alembic_version")[0][0])


def assert_old_data_kept_and_usable(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert rows(url, "SELECT store_id, name FROM stores") == [("S001", "南京西路店")]
    assert rows(url, "SELECT phone, name FROM members") == [("13800000001", "王芳")]
    assert rows(url, "SELECT count(*) FROM enrollment_codes") == [(1,)]
    capsys.readouterr()
    assert main(["cloud", "enrollment-code", "--store", "S001", *db_args(url), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["store_id"] == "S001"
    assert rows(url, "SELECT count(*) FROM enrollment_codes") == [(2,)]


def test_migrate_makes_the_schema_of_before_on_an_empty_database(
    cloud_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, first = migrate(capsys, cloud_db_url)
    assert rc == 0
    assert first == {
        "dialect": engine_of(cloud_db_url),
        "from_revision": None,
        "to_revision": head(),
        "head": head(),
        "changed": True,
        "adopted": False,
    }
    assert_schema_of_before(cloud_db_url, engine_of(cloud_db_url))
    rc, again = migrate(capsys, cloud_db_url)
    assert rc == 0
    assert (again["from_revision"], again["to_revision"], again["changed"]) == (
        head(),
        head(),
        False,
    )
    capsys.readouterr()
    assert main(["cloud", "migrate", *db_args(cloud_db_url)]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_the_migrations_make_the_tables_schema_py_defines(cloud_db_url: str) -> None:
    # A change to cloud/storage/schema.py without its migration fails here (`alembic check`).
    CloudDB(cloud_db_url).close()
    engine = sa.create_engine(sa_url(cloud_db_url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            # SQLite reports a DOUBLE PRECISION column as REAL (its affinity): types are held
            # to the tables on PostgreSQL, and to the schema of before on both (above).
            opts = {"compare_type": engine_of(cloud_db_url) == "postgres"}
            assert compare_metadata(MigrationContext.configure(conn, opts=opts), metadata) == []
    finally:
        engine.dispose()


def test_a_sqlite_database_of_the_code_before_migrations_upgrades_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cloud.db"
    shutil.copyfile(FIXTURES / "cloud-pre-alembic.db", db)
    rc, out = migrate(capsys, str(db))
    assert rc == 0
    assert (out["from_revision"], out["to_revision"], out["adopted"]) == (None, head(), True)
    assert_schema_of_before(str(db), "sqlite")
    assert_old_data_kept_and_usable(str(db), capsys)


@pytest.mark.postgres
def test_a_postgres_database_of_the_code_before_migrations_upgrades_in_place(
    pg_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import sync_fixtures

    url = sync_fixtures.fresh_pg_database(pg_server)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute((FIXTURES / "cloud-pre-alembic.pg.sql").read_text(encoding="utf-8"))
    rc, out = migrate(capsys, url)
    assert rc == 0
    assert (out["from_revision"], out["to_revision"], out["adopted"]) == (None, head(), True)
    assert_schema_of_before(url, "postgres")
    assert_old_data_kept_and_usable(url, capsys)


def test_a_database_written_by_a_newer_cloud_is_refused_untouched(
    cloud_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert migrate(capsys, cloud_db_url)[0] == 0
    set_revision(cloud_db_url, "9f00newer")
    rc, out = migrate(capsys, cloud_db_url)
    assert rc == 2
    err = out["error"]
    assert err["code"] == "cloud_schema_too_new"
    assert "newer Guitai cloud" in err["message"] and "Upgrade the cloud" in err["message"]
    assert "9f00newer" in err["message"] and "请在每个工作进程上升级云端" in err["message_zh"]
    # every command opening it is refused the same way, and nothing was written
    capsys.readouterr()
    assert main(["cloud", "store", "add", "S009", "--name", "x", *db_args(cloud_db_url)]) == 2
    assert "更新版本的柜台云端" in capsys.readouterr().err
    assert revision_of(cloud_db_url) == "9f00newer"


def _guitai(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pos_app.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.mark.postgres
def test_workers_starting_together_on_one_empty_postgres_migrate_it_once(
    pg_server: str,
) -> None:
    import sync_fixtures

    url = sync_fixtures.fresh_pg_database(pg_server)
    port = sync_fixtures._free_port()
    serve = _guitai("cloud", "serve", "--database-url", url, "--port", str(port))
    migrates = [_guitai("cloud", "migrate", "--database-url", url, "--json") for _ in range(3)]
    try:
        answers = []
        for p in migrates:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            answers.append(json.loads(out))
        # the server is up once it says on which schema it serves
        line = ""
        deadline = time.monotonic() + 120
        while "cloud on" not in line:
            assert serve.poll() is None and time.monotonic() < deadline, serve.stderr
            assert serve.stderr is not None
            line = serve.stderr.readline()
    finally:
        serve.terminate()
        serve.communicate(timeout=60)
    served_from = line.split("schema ", 1)[1].split(" -> ", 1)[0]
    froms = [a["from_revision"] for a in answers] + [None if served_from == "none" else served_from]
    assert froms.count(None) == 1, (froms, line)  # exactly one of the four migrated
    assert all(a["to_revision"] == head() for a in answers)
    assert revision_of(url) == head()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
