"""The members tests' loopback cloud: uvicorn on 127.0.0.1 over SQLite, two enrolled tills
(a uniquely named module; never import conftest)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from members_kit import dead_url, init_till, run, set_setting, setting

from cloud.app import create_app
from cloud.db import CloudDB
from cloud.ereceipt import CloudConfig
from cloud.server import ThreadedServer
from cloud.service import CloudService


def ereceipt_url_of(home: Path, receipt_no: int) -> str:
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.receipt_docs import ereceipt_url
    from pos_app.bootstrap import build
    from pos_app.config import Paths

    db = open_database(home / "till.db")
    try:
        till = build(Paths(home), db)
        payload = till.uow.sales.payload(receipt_no=receipt_no)
        return ereceipt_url(payload, till.signer(), setting(home, "ereceipt_base_url"))
    finally:
        db.close()


def run_cloud(rig: Rig, *args: str) -> Any:
    """`guitai cloud … --db FILE --json` against the cloud's database."""
    import contextlib
    import io

    from pos_app.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["cloud", *args, *rig.db_args, "--json"])
    assert rc == 0, out.getvalue()
    return json.loads(out.getvalue())


class Rig:
    """The cloud on SQLite in a thread; or, given `workers` (tests/sync's Workers, not yet
    started), two `guitai cloud serve` processes on one PostgreSQL, till A talking to the
    first and till B to the second (issue 18: several workers share only the database)."""

    def __init__(self, tmp: Path, workers: Any = None) -> None:
        self.server: ThreadedServer | None = None
        self.workers = workers
        if workers is None:
            self.db_path = str(tmp / "cloud.db")
            self.db_args = ["--db", self.db_path]
            self.db = CloudDB(self.db_path)
            self.svc = CloudService(self.db, ereceipt_base_url="")
            cfg = CloudConfig(brand_name="青衫", account_name="青衫服饰", join_url="")
            self.server = ThreadedServer(create_app(self.svc, config=cfg)).start()
            self.url = self.server.url
            self.svc.ereceipt_base_url = self.url.upper() + "/R/"
            urls = [self.url, self.url]
        else:
            workers.start()
            self.db_args = ["--database-url", workers.db_url]
            self.db, self.svc, self.url = workers.db, workers.service, workers.url
            urls = workers.urls
        self.svc.admin.add_store("S001", "静安嘉里店")
        self.a = init_till(tmp / "a", 1)
        self.b = init_till(tmp / "b", 2)
        self.till_url = {self.a: urls[0], self.b: urls[1]}
        for home in (self.a, self.b):
            code = self.svc.admin.enrollment_code("S001")["code"]
            run(home, "enroll", "--cloud", self.till_url[home], "--code", code)
            run(home, "sync", "run")
            run(home, "shift", "open", "--user", "admin", "--float", "500")

    def offline(self, home: Path) -> None:
        set_setting(home, "cloud_url", dead_url())

    def online(self, home: Path) -> None:
        set_setting(home, "cloud_url", self.till_url[home])

    def sync(self, home: Path) -> Any:
        return run(home, "sync", "run")

    def device(self, home: Path) -> str:
        return setting(home, "device_id")

    def close(self) -> None:
        if self.workers is not None:
            self.workers.stop()  # closes the database too
            return
        if self.server is not None:
            self.server.stop()
        self.db.close()


def open_rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: Any = None) -> Iterator[Rig]:
    """The body of each test module's `rig` fixture (yield from it)."""
    monkeypatch.setenv("GUITAI_PIN", "7391")
    try:
        r = Rig(tmp_path, workers)
    except BaseException:
        if workers is not None:
            workers.stop()
        raise
    try:
        yield r
    finally:
        r.close()
