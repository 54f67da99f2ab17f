"""Fixtures for the sync tests: a throwaway PostgreSQL cluster on loopback (one per test
process), the cloud on either backend under uvicorn in a thread.

Test modules load this with `pytest_plugins = ["sync_fixtures"]`.  It is deliberately not a
conftest.py: tests elsewhere do `from conftest import …`, which picks whichever conftest was
imported last, and a second conftest.py would break them."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloud.app import create_app
from cloud.db import CloudDB
from cloud.ereceipt import CloudConfig
from cloud.server import ThreadedServer
from cloud.service import CloudService

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class _Cluster:
    """One throwaway PostgreSQL cluster per test process, stopped at exit.

    A module-level singleton rather than a session fixture in conftest.py: the sync tests
    import their fixtures from this module (no conftest.py of ours, so other areas' tests
    that do `from conftest import …` keep finding their own), and a fixture imported into
    several modules would otherwise start one cluster per module.
    """

    url: str | None = None
    skip_reason: str | None = None
    tmp: Path | None = None

    @classmethod
    def get(cls) -> str:
        if cls.url is None and cls.skip_reason is None:
            cls._start()
        if cls.url is None:
            pytest.skip(cls.skip_reason or "PostgreSQL is not available")
        return cls.url

    @classmethod
    def _start(cls) -> None:
        if os.environ.get("GUITAI_TEST_PG_URL"):
            cls.url = os.environ["GUITAI_TEST_PG_URL"]
            return
        if not (PG_BIN / "initdb").exists():
            cls.skip_reason = "PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin/initdb)"
            return
        tmp = Path(tempfile.mkdtemp(prefix="guitai-pg-"))
        port = _free_port()
        try:
            if os.geteuid() == 0:
                shutil.chown(tmp, "postgres")
            subprocess.run(
                _as_pg(
                    [
                        str(PG_BIN / "initdb"),
                        "-D",
                        str(tmp / "data"),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--no-locale",
                    ]
                ),
                check=True,
                capture_output=True,
                timeout=120,
            )
            subprocess.run(
                _as_pg(
                    [
                        str(PG_BIN / "pg_ctl"),
                        "-D",
                        str(tmp / "data"),
                        "-l",
                        str(tmp / "log"),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        f"-k {tmp} -h 127.0.0.1 -p {port} -c fsync=off -c max_connections=100",
                        "start",
                    ]
                ),
                check=True,
                capture_output=True,
                timeout=90,
            )
        except (subprocess.SubprocessError, OSError, LookupError) as err:
            shutil.rmtree(tmp, ignore_errors=True)
            detail = getattr(err, "stderr", b"") or b""
            cls.skip_reason = (
                f"PostgreSQL could not be started on loopback: {err} {detail[-300:]!r}"
            )
            return
        cls.tmp = tmp
        cls.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        atexit.register(cls.stop)

    @classmethod
    def stop(cls) -> None:
        if cls.tmp is not None:
            subprocess.run(
                _as_pg(
                    [str(PG_BIN / "pg_ctl"), "-D", str(cls.tmp / "data"), "-m", "immediate", "stop"]
                ),
                capture_output=True,
                timeout=60,
            )
            shutil.rmtree(cls.tmp, ignore_errors=True)
            cls.tmp = None


@pytest.fixture(scope="session")
def pg_server() -> str:
    """postgresql://… of the cluster started for this test process, or a skip with why."""
    return _Cluster.get()


def fresh_pg_database(server_url: str) -> str:
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cloud_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "cloud.db")
    return fresh_pg_database(request.getfixturevalue("pg_server"))


class Cloud:
    def __init__(self, db_url: str, **app_kw: Any) -> None:
        self.db = CloudDB(db_url)
        self.service = CloudService(self.db, ereceipt_base_url="")
        self.app_kw = app_kw
        self.server: ThreadedServer | None = None
        self.url = ""

    def start(self) -> Cloud:
        cfg = self.app_kw.pop("config", None) or CloudConfig(
            brand_name="青衫", account_name="青衫服饰", join_url=""
        )
        self.server = ThreadedServer(create_app(self.service, config=cfg, **self.app_kw))
        self.server.start()
        self.url = self.server.url
        self.service.ereceipt_base_url = self.url.upper() + "/R/"
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.db.close()


@pytest.fixture
def cloud(cloud_db_url: str) -> Iterator[Cloud]:
    c = Cloud(cloud_db_url).start()
    try:
        yield c
    finally:
        c.stop()
