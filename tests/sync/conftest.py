"""Fixtures for the sync tests: a throwaway PostgreSQL cluster on loopback (once per session),
the cloud on either backend under uvicorn in a thread, and an enrolled till."""

from __future__ import annotations

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

from sync.cloud.app import create_app
from sync.cloud.db import CloudDB
from sync.cloud.ereceipt import CloudConfig
from sync.cloud.server import ThreadedServer
from sync.cloud.service import CloudService

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """postgresql://… of a cluster started for this session, or a skip with the reason."""
    if os.environ.get("GUITAI_TEST_PG_URL"):
        yield os.environ["GUITAI_TEST_PG_URL"]
        return
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin/initdb)")
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
        pytest.skip(f"PostgreSQL could not be started on loopback: {err} {detail[-300:]!r}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_pg([str(PG_BIN / "pg_ctl"), "-D", str(tmp / "data"), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(tmp, ignore_errors=True)


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
