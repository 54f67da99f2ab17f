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
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cloud.app import create_app
from cloud.db import CloudDB
from cloud.ereceipt import CloudConfig
from cloud.server import ThreadedServer
from cloud.service import CloudService

PG_BIN = Path("/usr/lib/postgresql/15/bin")
ROOT = Path(__file__).resolve().parents[2]


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

    @property
    def urls(self) -> list[str]:
        """The addresses that serve it (one here; see Workers)."""
        return [self.url]

    def via(self, i: int) -> tuple[str, dict[str, str]]:
        """Where the `i`-th of several racing requests goes (here: the one server)."""
        return self.url, {}

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


class Workers:
    """`guitai cloud serve` as `n` real processes of their own on one PostgreSQL database, each
    on its own port, as several workers behind a load balancer (issue 18, item 4).

    `url` is the public address (the first worker's): a request sent to another worker by
    `via(i)` carries its Host, as a balancer forwards it, so one signed request can be sent to
    every worker.  `service` is this process's own CloudService on the same database, for
    setting up and for counting from the database."""

    def __init__(self, db_url: str, n: int = 2) -> None:
        self.db_url = db_url
        self.db = CloudDB(db_url, pool_size=2)
        self.service = CloudService(self.db, ereceipt_base_url="")
        self.urls = [f"http://127.0.0.1:{_free_port()}" for _ in range(n)]
        self.url = self.urls[0]
        self.procs: list[subprocess.Popen[bytes]] = []
        self._logs = Path(tempfile.mkdtemp(prefix="guitai-workers-"))

    def start(self) -> Workers:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        for i, url in enumerate(self.urls):
            port = url.rsplit(":", 1)[1]
            cmd = [sys.executable, "-m", "pos_app.cli", "cloud", "serve"]
            cmd += ["--database-url", self.db_url, "--port", port, "--public-url", self.url]
            with open(self._logs / f"worker{i}.log", "wb") as log:
                self.procs.append(
                    subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
                )
        for i, url in enumerate(self.urls):
            wait_ready(url, self.procs[i], self._logs / f"worker{i}.log")
        self.service.ereceipt_base_url = self.url.upper() + "/R/"
        return self

    def via(self, i: int) -> tuple[str, dict[str, str]]:
        """(base URL to connect to, headers) for worker `i`: its socket, the public Host."""
        return self.urls[i % len(self.urls)], {"host": self.url.removeprefix("http://")}

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        self.db.close()
        shutil.rmtree(self._logs, ignore_errors=True)


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 90) -> None:
    """Until `url`/readyz answers 200; fails with the process's log if it exited or never did."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{url} did not become ready: {log.read_text()[-2000:]}")
        time.sleep(0.2)


@pytest.fixture
def two_workers(pg_server: str) -> Iterator[Workers]:
    """Two `guitai cloud serve` processes on one fresh PostgreSQL database."""
    w = Workers(fresh_pg_database(pg_server)).start()
    try:
        yield w
    finally:
        w.stop()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("two_workers", marks=pytest.mark.postgres),
    ]
)
def racing_cloud(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cloud | Workers]:
    """The cloud a race is run against: one server on either backend (as `cloud`), or two
    worker processes on one PostgreSQL with the racing requests spread over both."""
    if request.param == "sqlite":
        c: Cloud | Workers = Cloud(str(tmp_path / "cloud.db")).start()
    elif request.param == "postgres":
        c = Cloud(fresh_pg_database(request.getfixturevalue("pg_server"))).start()
    else:
        c = Workers(fresh_pg_database(request.getfixturevalue("pg_server"))).start()
    try:
        yield c
    finally:
        c.stop()
