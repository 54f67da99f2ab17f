"""A printer that never answers (the emulator's `silent` fault: no DLE EOT reply, no GS r): the
job is sent but not confirmed.  It is kept as 'unconfirmed', listed by `guitai devices jobs`,
reprintable, and the cashier is told to check the paper, in Chinese and English."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from device_fixtures import chinese_receipt

from pos_app.adapters.hardware import Hardware, PrintUnconfirmed
from pos_app.cli import main
from pos_app.domain.errors import StateError


@pytest.fixture
def hw(store, tcp_uri):  # type: ignore[no-untyped-def]
    store.add_device("front", "printer", tcp_uri, {"status_timeout": 0.2})
    h = Hardware(store)
    try:
        yield h
    finally:
        h.close()


def test_silent_printer_job_is_unconfirmed_kept_and_reprintable(hw, store, vprinter) -> None:  # type: ignore[no-untyped-def]
    vprinter.set(silent=True)
    outcome = hw.enqueue_and_print("front", chinese_receipt(), "receipt", "sale-42")
    assert outcome.state == "unconfirmed" and "status_unknown" in outcome.warnings
    d = outcome.as_dict()
    assert d["confirmed"] is False and d["warnings"] == outcome.warnings
    assert "check" in d["message"].lower() and "Reprint" in d["message"]
    assert "请查看小票是否已打出" in d["message_zh"] and "重印" in d["message_zh"]
    # the bytes did reach the printer: not confirmed is not failed
    assert vprinter.wait_for_jobs(1)[0]["complete"]
    job = store.job(outcome.job_id)
    assert job.state == "unconfirmed" and job.done_at and job.attempts == 1
    assert job.as_dict()["confirmed"] is False and job.as_dict()["state"] == "unconfirmed"
    assert [j.id for j in store.open_jobs("front")] == [outcome.job_id]
    assert store.jobs("front", states=("done",)) == []
    assert hw.diagnostics(store.get_device("front"))["unconfirmed_jobs"] == 1
    # the printer answers again: the reprint is confirmed and the job leaves the open list
    vprinter.clear_faults()
    again = hw.reprint(outcome.job_id)
    assert again.state == "done" and again.as_dict()["confirmed"] is True
    assert "message" not in again.as_dict()
    assert store.job(outcome.job_id).state == "done" and store.job(outcome.job_id).attempts == 2
    assert store.open_jobs("front") == []
    assert [j.id for j in store.jobs("front", states=("done",))] == [outcome.job_id]
    assert len(vprinter.wait_for_jobs(2)) == 2


def test_a_printer_that_never_confirms_with_gs_r_is_unconfirmed_once(
    store, tcp_uri, vprinter
) -> None:  # type: ignore[no-untyped-def]
    """Status answered, GS r 1 never: the first job is 'unconfirmed' (not_confirmed).  The
    driver then knows this printer ignores GS r and relies on DLE EOT after each job."""
    vprinter.set(no_gs_r=True)
    store.add_device("front", "printer", tcp_uri, {"status_timeout": 0.5, "print_timeout": 0.5})
    hw = Hardware(store)
    try:
        first = hw.enqueue_and_print("front", chinese_receipt(), "receipt", "sale-1")
        assert first.state == "unconfirmed" and first.warnings == ["not_confirmed"]
        assert store.job(first.job_id).last_error == "unconfirmed:not_confirmed"
        second = hw.enqueue_and_print("front", chinese_receipt(), "receipt", "sale-2")
        assert second.state == "done" and second.warnings == []
        assert [j.id for j in store.open_jobs("front")] == [first.job_id]
        assert [j["complete"] for j in vprinter.wait_for_jobs(2)] == [True, True]
    finally:
        hw.close()


def test_confirm_marks_an_unconfirmed_job_printed(hw, store, vprinter) -> None:  # type: ignore[no-untyped-def]
    vprinter.set(silent=True)
    job_id = hw.enqueue_and_print("front", chinese_receipt(), "receipt", "sale-1").job_id
    job = store.confirm(job_id)
    assert job.state == "done" and job.last_error is None and store.open_jobs() == []
    with pytest.raises(StateError, match="not waiting for confirmation"):
        store.confirm(job_id)


def test_the_till_tells_the_cashier_to_check_the_paper(till, vprinter) -> None:  # type: ignore[no-untyped-def]
    """After a sale on a printer that never answers, the notice (the till's banner) says the
    receipt is not confirmed and what to do; the status bar's printer line says so too."""
    from pos_app.bootstrap import register_probes
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender
    from pos_app.services.device_status import DeviceState

    port = vprinter.serve_tcp(0)
    till.hardware().store.add_device(
        "front", "printer", f"tcp://127.0.0.1:{port}", {"status_timeout": 0.2}
    )
    vprinter.set(silent=True)
    notices: list[Any] = []
    till.side_effects.wire(notices.append)
    u = till.users.authenticate("admin", "7391")
    till.shifts.open(u, 10000)
    sale = till.sales.new_sale(u)
    till.sales.scan(sale, "6901234567908")
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    payload = till.sales.complete(sale)
    problems = [n for n in notices if isinstance(n, PrintUnconfirmed)]
    assert len(problems) == 1, notices
    p = problems[0]
    no = f"{payload['receipt_no']:06d}"
    assert no in p.message and no in p.message_zh and p.job_id
    assert "Reprint" in p.message and "重印" in p.message_zh
    assert till.hardware().store.job(p.job_id).state == "unconfirmed"
    register_probes(till, ttl_s=600.0)
    till.devices.status("printer")  # "checking…": the probe runs on its own thread
    till.devices.close()  # waits for it
    st = till.devices.status("printer")
    till.hardware().close()
    assert st.state is DeviceState.WARNING
    assert "not confirmed" in st.reason and "未确认" in st.reason_zh


def test_the_status_bar_checks_on_a_machine_booted_less_than_its_ttl_ago(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """time.monotonic() counts from boot.  The probe's "never checked" mark was a time of 0.0,
    which looked fresh for ttl_s seconds after boot: no check ever started and the line said
    "checking" (the test above failed so on a freshly booted CI machine, ttl_s=600)."""
    from types import SimpleNamespace

    from pos_app.adapters import probe_threads
    from pos_app.adapters.probe_threads import CachedProbe
    from pos_app.services.device_status import DeviceState, DeviceStatus

    monkeypatch.setattr(probe_threads, "time", SimpleNamespace(monotonic=lambda: 3.0))
    checks: list[int] = []

    def probe() -> DeviceStatus:
        checks.append(1)
        return DeviceStatus("printer", DeviceState.OK, "ready", "就绪")

    cached = CachedProbe("printer", probe, ttl_s=600.0)
    assert cached().label == "checking"  # the first answer, while the check runs
    cached.join(timeout=60.0)
    assert checks == [1]
    st = cached()
    assert st.state is DeviceState.OK and st.reason == "ready"
    assert checks == [1]  # fresh now: not checked again within the ttl


def _cli(capsys: Any, *args: str) -> tuple[int, Any]:
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr().out
    return rc, json.loads(out) if "--json" in args else out


def test_devices_jobs_lists_unconfirmed_and_confirm_clears_it(
    tmp_path: Path, capsys: Any, monkeypatch: Any, vprinter, tcp_uri
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GUITAI_PIN", "7391")
    h = ["--home", str(tmp_path)]
    init = [*h, "init", "--store-id", "S001", "--store-name", "店", "--till-no", "1"]
    assert _cli(capsys, *init, "--admin-pin", "7391")[0] == 0
    vprinter.set(silent=True)
    rc, added = _cli(
        capsys, *h, "devices", "add", "front", "--kind", "printer", "--uri", tcp_uri,
        "--set", "status_timeout=0.2", "--json",
    )  # fmt: skip
    assert rc == 0, added
    rc, tested = _cli(capsys, *h, "devices", "test", "front", "--json")
    assert rc == 0 and tested["state"] == "unknown"  # the device: it never reports status
    page = tested["test_page"]
    assert page["state"] == "unconfirmed" and page["confirmed"] is False
    rc, jobs = _cli(capsys, *h, "devices", "jobs", "--json")
    assert rc == 0 and [(j["kind"], j["state"], j["confirmed"]) for j in jobs][-1] == (
        "test",
        "unconfirmed",
        False,
    )
    assert {"id", "printer", "state", "attempts", "last_error", "done_at", "bytes"} <= set(jobs[0])
    rc, text = _cli(capsys, *h, "devices", "jobs")
    assert "unconfirmed" in text and "guitai devices confirm" in text and "未确认" in text
    rc, again = _cli(capsys, *h, "devices", "reprint", str(jobs[-1]["id"]))
    assert rc == 0 and "unconfirmed" in again and "重印" in again
    for j in jobs:
        rc, done = _cli(capsys, *h, "devices", "confirm", str(j["id"]), "--json")
        assert rc == 0 and done["state"] == "done" and done["confirmed"] is True
    rc, jobs = _cli(capsys, *h, "devices", "jobs", "--json")
    assert jobs == []
    rc, _ = _cli(capsys, *h, "devices", "confirm", "999", "--json")
    assert rc != 0
