"""Liveness and readiness for an orchestrator (issue 18, item 4): /healthz answers while the
process serves; /readyz answers 503 with the error body while the database does not answer,
and 200 again once it does, on both backends."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest


def kit() -> Any:
    """tests/sync/sync_fixtures, loaded by pytest as a plugin (importing it at the top would
    load it before pytest can rewrite its asserts)."""
    import sync_fixtures

    return sync_fixtures


def assert_ready(url: str, dialect: str) -> None:
    resp = httpx.get(f"{url}/readyz")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"status": "ready", "database": dialect}


def assert_not_ready(url: str) -> None:
    resp = httpx.get(f"{url}/readyz")
    assert resp.status_code == 503, resp.text
    err = resp.json()["error"]
    assert err["code"] == "database_unavailable"
    assert "does not answer" in err["message"]
    # the process itself still serves: an orchestrator must not restart it for this
    alive = httpx.get(f"{url}/healthz")
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}


def test_health_and_readiness_answer_unsigned_on_both_backends(cloud: Any) -> None:
    alive = httpx.get(f"{cloud.url}/healthz")
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    assert_ready(cloud.url, cloud.service.db.dialect)


def test_sqlite_readiness_fails_while_the_database_file_is_gone(tmp_path: Path) -> None:
    db_file = tmp_path / "cloud.db"
    cloud = kit().Cloud(str(db_file)).start()
    try:
        assert_ready(cloud.url, "sqlite")
        moved = tmp_path / "elsewhere.db"
        db_file.rename(moved)  # the volume unmounted, the file removed by mistake
        assert_not_ready(cloud.url)
        moved.rename(db_file)
        assert_ready(cloud.url, "sqlite")
    finally:
        cloud.stop()


class OwnPostgres:
    """A PostgreSQL server of this test's own, so stopping it disturbs no other test."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="guitai-pg-ready-"))
        self.port = kit()._free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
        self._pg(
            "initdb",
            ["-D", str(self.tmp / "data"), "-U", "postgres", "--auth=trust", "--no-locale"],
        )

    def _pg(self, tool: str, args: list[str]) -> None:
        subprocess.run(
            kit()._as_pg([str(kit().PG_BIN / tool), *args]),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        opts = f"-k {self.tmp} -h 127.0.0.1 -p {self.port} -c fsync=off"
        self._pg(
            "pg_ctl",
            ["-D", str(self.tmp / "data"), "-l", str(self.tmp / "log"), "-w", "-o", opts, "start"],
        )

    def stop(self) -> None:
        self._pg("pg_ctl", ["-D", str(self.tmp / "data"), "-m", "fast", "-w", "stop"])


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    pg_bin = kit().PG_BIN
    if not (pg_bin / "initdb").exists():
        pytest.skip("PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin/initdb)")
    pg = OwnPostgres()
    pg.start()
    try:
        yield pg
    finally:
        subprocess.run(
            kit()._as_pg(
                [str(pg_bin / "pg_ctl"), "-D", str(pg.tmp / "data"), "-m", "immediate", "stop"]
            ),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(pg.tmp, ignore_errors=True)


@pytest.mark.postgres
def test_postgres_readiness_fails_while_the_server_is_stopped(own_postgres: OwnPostgres) -> None:
    cloud = kit().Cloud(own_postgres.url).start()
    try:
        assert_ready(cloud.url, "postgres")
        own_postgres.stop()
        assert_not_ready(cloud.url)
        own_postgres.start()
        assert_ready(cloud.url, "postgres")
    finally:
        cloud.stop()
