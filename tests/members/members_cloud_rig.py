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
        payload = till.store.sale_payload(receipt_no=receipt_no)
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
        rc = main(["cloud", *args, "--db", rig.db_path, "--json"])
    assert rc == 0, out.getvalue()
    return json.loads(out.getvalue())


class Rig:
    def __init__(self, tmp: Path) -> None:
        self.db_path = str(tmp / "cloud.db")
        self.db = CloudDB(self.db_path)
        self.svc = CloudService(self.db, ereceipt_base_url="")
        cfg = CloudConfig(brand_name="青衫", account_name="青衫服饰", join_url="")
        self.server = ThreadedServer(create_app(self.svc, config=cfg)).start()
        self.url = self.server.url
        self.svc.ereceipt_base_url = self.url.upper() + "/R/"
        self.svc.add_store("S001", "静安嘉里店")
        self.a = init_till(tmp / "a", 1)
        self.b = init_till(tmp / "b", 2)
        for home in (self.a, self.b):
            code = self.svc.enrollment_code("S001")["code"]
            run(home, "enroll", "--cloud", self.url, "--code", code)
            run(home, "sync", "run")
            run(home, "shift", "open", "--user", "admin", "--float", "500")

    def offline(self, home: Path) -> None:
        set_setting(home, "cloud_url", dead_url())

    def online(self, home: Path) -> None:
        set_setting(home, "cloud_url", self.url)

    def sync(self, home: Path) -> Any:
        return run(home, "sync", "run")

    def device(self, home: Path) -> str:
        return setting(home, "device_id")

    def close(self) -> None:
        self.server.stop()
        self.db.close()


def open_rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    """The body of each test module's `rig` fixture (yield from it)."""
    monkeypatch.setenv("GUITAI_PIN", "7391")
    r = Rig(tmp_path)
    try:
        yield r
    finally:
        r.close()
