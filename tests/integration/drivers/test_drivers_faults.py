"""Printer faults: the job stays queued, the cashier is told what to do in Chinese and
English, and a reprint succeeds once the fault clears.  The sale is never touched."""

from __future__ import annotations

import pytest
from device_fixtures import chinese_receipt

from pos_app.adapters.hardware import Hardware, PrintFailed

PAPER_OUT_EN = "Paper out: replace the roll, then Reprint"
PAPER_OUT_ZH = "纸用完了：请换纸卷，然后重印"


@pytest.fixture
def printer(store, tcp_uri):
    store.add_device("front", "printer", tcp_uri, {"status_timeout": 2.0})
    return "front"


def _fail(hw: Hardware, data: bytes) -> PrintFailed:
    with pytest.raises(PrintFailed) as info:
        hw.enqueue_and_print("front", data, "receipt", "sale-42")
    return info.value


def _assert_kept_and_reprinted(hw, store, vprinter, err: PrintFailed, jobs_before: int) -> None:
    job = store.job(err.job_id)
    assert job.state == "failed" and job.ref == "sale-42" and job.attempts == 1
    assert [j.id for j in store.open_jobs("front")] == [err.job_id]
    vprinter.clear_faults()
    outcome = hw.reprint(err.job_id)
    assert outcome.state == "done"
    assert store.job(err.job_id).state == "done" and store.job(err.job_id).attempts == 2
    assert store.open_jobs("front") == []
    jobs = vprinter.wait_for_jobs(jobs_before + 1)
    assert jobs[-1]["complete"] and jobs[-1]["text_lines"][0] == "柜台旗舰店"
    assert jobs[-1]["qr"] == ["HTTPS://R.EXAMPLE.COM/R/ABCDEF234567"]


def test_paper_out_before_the_job(hw, store, vprinter, printer, database) -> None:
    sales_before = database.conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    vprinter.set(paper_out=True)
    err = _fail(hw, chinese_receipt())
    assert err.reason == "paper_out" and not err.mid_job
    assert err.message == f"front: {PAPER_OUT_EN}"
    assert err.message_zh == f"front：{PAPER_OUT_ZH}"
    assert vprinter.jobs == []  # nothing was printed
    _assert_kept_and_reprinted(hw, store, vprinter, err, 0)
    assert database.conn.execute("SELECT count(*) FROM sales").fetchone()[0] == sales_before


def test_paper_out_in_the_middle_of_the_job(hw, store, vprinter, printer) -> None:
    vprinter.set(paper_out_after_bytes=60)
    err = _fail(hw, chinese_receipt())
    assert err.reason == "paper_out" and err.mid_job
    assert PAPER_OUT_ZH in err.message_zh and "小票打印不完整" in err.message_zh
    assert PAPER_OUT_EN in err.message and "incomplete" in err.message
    _assert_kept_and_reprinted(hw, store, vprinter, err, 0)


def test_cover_open(hw, store, vprinter, printer) -> None:
    vprinter.set(cover_open=True)
    err = _fail(hw, chinese_receipt())
    assert err.reason == "cover_open"
    assert (
        "请合上盖子，然后重印" in err.message_zh and "close the cover, then Reprint" in err.message
    )
    _assert_kept_and_reprinted(hw, store, vprinter, err, 0)


def test_printer_offline(hw, store, vprinter, printer) -> None:
    vprinter.set(offline=True)
    err = _fail(hw, chinese_receipt())
    assert err.reason == "offline"
    assert "打印机离线" in err.message_zh and "Printer offline" in err.message
    _assert_kept_and_reprinted(hw, store, vprinter, err, 0)


def test_connection_dropped_mid_job(hw, store, vprinter, printer) -> None:
    vprinter.set(drop_after_bytes=200)
    err = _fail(hw, chinese_receipt())
    assert err.reason == "disconnected"
    assert "打印机连接断开" in err.message_zh and "check the cable or network" in err.message
    # The emulator saw a partial job without its cut.
    partial = vprinter.wait_for_jobs(1)
    assert partial and not partial[0]["complete"]
    _assert_kept_and_reprinted(hw, store, vprinter, err, 1)


def test_printer_switched_off(hw, store, vprinter, printer) -> None:
    # Nothing listens on the port any more: connection refused.
    vprinter.close()
    err = _fail(hw, chinese_receipt())
    assert err.reason in ("not_found", "disconnected")
    assert "重印" in err.message_zh and "Reprint" in err.message
    assert store.job(err.job_id).state == "failed"


def test_silent_printer_prints_but_status_is_unknown(hw, store, vprinter, printer) -> None:
    vprinter.set(silent=True)
    outcome = hw.enqueue_and_print("front", chinese_receipt(), "receipt", "sale-42")
    assert outcome.state == "unconfirmed" and "status_unknown" in outcome.warnings
    report = hw.device_report(store.get_device("front"))
    assert report["state"] == "unknown"  # never "ok" on silence


def test_near_end_prints_with_a_warning(hw, store, vprinter, printer) -> None:
    vprinter.set(paper_near_end=True)
    outcome = hw.enqueue_and_print("front", chinese_receipt(), "receipt", "sale-42")
    assert outcome.state == "done" and outcome.warnings == ["paper_near_end"]


def test_crash_while_printing_leaves_an_unconfirmed_job_not_a_resend(
    store, vprinter, printer
) -> None:
    job_id = store.enqueue("front", chinese_receipt(), "receipt", "sale-7")
    store.mark_printing(job_id)  # the till died here
    queued = store.enqueue("front", chinese_receipt(), "receipt", "sale-8")
    hw = Hardware(store)
    try:
        assert hw.resume() == {"front": [job_id]}
        # Some bytes may be on paper: listed for a look at the paper, never taken as printed.
        job = store.job(job_id)
        assert job.state == "unconfirmed" and job.last_error == "unconfirmed:interrupted"
        assert job_id in [j.id for j in store.open_jobs()]
        vprinter.wait_for_jobs(1)
        from pos_app.adapters.hardware import wait_for

        assert wait_for(lambda: store.job(queued).state == "done", 10)
    finally:
        hw.close()


def test_buffered_printer_paper_out_after_the_status_check(store, vprinter, tcp_uri) -> None:
    """A real printer answers DLE EOT at once, ahead of its buffer: a paper-out halfway
    through the job shows only later.  The driver waits for GS r 1 (answered only after
    printing) while watching DLE EOT, so the job is failed, not wrongly marked done."""
    vprinter.set(print_speed=4000, paper_out_after_bytes=700)
    store.add_device("front", "printer", tcp_uri)
    hw = Hardware(store)
    try:
        with pytest.raises(PrintFailed) as info:
            hw.enqueue_and_print("front", chinese_receipt(), "receipt", "sale-9")
        assert info.value.reason == "paper_out" and info.value.mid_job
        vprinter.clear_faults()
        assert hw.reprint(info.value.job_id).state == "done"
        # confirmed printed: the emulator has the whole job the moment the call returns
        assert vprinter.jobs[-1]["complete"] and vprinter.jobs[-1]["qr"]
    finally:
        hw.close()


def test_without_print_confirmation_a_late_paper_out_is_missed(store, vprinter, tcp_uri) -> None:
    """Why confirm_printed is on by default: with it off, DLE EOT right after sending still
    says OK while the printer runs out of paper on the buffered job."""
    vprinter.set(print_speed=4000, paper_out_after_bytes=700)
    store.add_device("front", "printer", tcp_uri, {"confirm_printed": False})
    hw = Hardware(store)
    try:
        outcome = hw.enqueue_and_print("front", chinese_receipt(), "receipt", "sale-9")
        assert outcome.state == "done"  # wrong, and the reason the default is True
    finally:
        hw.close()
