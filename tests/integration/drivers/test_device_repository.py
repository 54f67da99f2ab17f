"""The device tables' statements are a repository on the unit of work like the others
(adapters/db/repositories/devices.py); DeviceStore, the device threads' registry, only runs
them in units of work on the database thread."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b")


def test_the_device_store_holds_no_sql() -> None:
    from pos_app.adapters.db import devices

    tree = ast.parse(inspect.getsource(devices))
    strings = [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    docstrings = {ast.get_docstring(n) for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert [s for s in strings if SQL.search(s) and s not in docstrings] == []


def test_the_repository_writes_in_the_callers_unit_of_work(tmp_path: Path) -> None:
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.devices import DeviceStore
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork

    od = open_database(tmp_path / "till.db")
    try:
        uow = SqliteUnitOfWork(od.conn)
        with uow:  # left without commit: the repository's writes roll back with it
            uow.devices.put("front", "printer", "tcp://127.0.0.1:9100", {"b": 1}, "SN1", "t0")
            job = uow.devices.reserve_job("front", "t0", "receipt", "7")
            assert uow.devices.reserved("receipt", "7") == job
            uow.devices.add_status_event("e-1", "t0", {"device": "front", "state": "ok"})
        assert uow.devices.get("front") is None and uow.devices.unrendered() == []
        assert od.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0

        store = DeviceStore(od.conn)  # each of its writes is one unit of work
        store.add_device("front", "printer", "tcp://127.0.0.1:9100", {"b": 1}, "SN1")
        job_id = store.enqueue("front", b"\x1b@hi", "receipt", "7")
        assert store.mark_printing(job_id).state == "printing"
        store.mark_unconfirmed(job_id, "no_status")
        assert store.job(job_id).state == "unconfirmed"
        assert store.confirm(job_id).state == "done"
        assert uow.devices.get("front") == store.get_device("front")
        assert store.get_device("front").settings == {"b": 1}
    finally:
        od.close()
