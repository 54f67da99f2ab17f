"""Status pollers: a change becomes one device.status event in the outbox (docs/events.md),
and a device that cannot be reached is one 'unavailable' state with its reason."""

from __future__ import annotations

import json
import threading
import uuid

from pos_app.adapters.hardware import Hardware, wait_for


def _events(database) -> list[dict]:
    rows = database.conn.execute(
        "SELECT seq, id, type, schema, state, payload FROM outbox ORDER BY seq"
    ).fetchall()
    return [
        {
            "seq": r[0],
            "id": r[1],
            "type": r[2],
            "schema": r[3],
            "row_state": r[4],
            "payload": json.loads(r[5]),
        }
        for r in rows
    ]


def test_changes_become_outbox_events(hw, store, vprinter, tcp_uri, database) -> None:
    rec = store.add_device("front", "printer", tcp_uri)
    assert hw.poll_once(rec) is True
    assert hw.poll_once(rec) is False  # no change, no event
    vprinter.set(paper_out=True)
    assert hw.poll_once(rec) is True
    vprinter.set(paper_out=False, paper_near_end=True)
    assert hw.poll_once(rec) is True
    vprinter.close()  # switched off / cable pulled
    assert hw.poll_once(rec) is True
    events = _events(database)
    assert [e["row_state"] for e in events] == ["pending"] * 4
    assert [(e["payload"]["state"], e["payload"]["reason"]) for e in events][:3] == [
        ("ok", None),
        ("paper_out", "paper_out"),
        ("paper_near_end", "paper_near_end"),
    ]
    last = events[3]["payload"]
    assert last["state"] == "unavailable" and last["reason"] in ("not_found", "disconnected")
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    for e in events:
        assert e["type"] == "device.status" and e["schema"] == 1 and uuid.UUID(e["id"])
        p = e["payload"]
        assert set(p) == {"device", "kind", "state", "reason", "at"}
        assert p["device"] == "front" and p["kind"] == "printer" and p["at"].endswith("Z")


def test_poller_thread_calls_back_on_change(store, vprinter, tcp_uri, database) -> None:
    store.add_device("front", "printer", tcp_uri, {"status_timeout": 2.0})
    seen: list[tuple[str, str, str | None]] = []
    lock = threading.Lock()

    def on_change(name: str, state: str, reason: str | None) -> None:
        with lock:
            seen.append((name, state, reason))

    hw = Hardware(store)
    try:
        hw.start_pollers(0.05, on_change)
        assert wait_for(lambda: len(seen) >= 1, 5)
        vprinter.set(cover_open=True)
        assert wait_for(lambda: len(seen) >= 2, 5)
    finally:
        hw.close()
    assert seen[:2] == [("front", "ok", None), ("front", "cover_open", "cover_open")]
    assert len(_events(database)) >= 2


def test_poll_and_jobs_share_the_printer_thread(hw, store, vprinter, tcp_uri) -> None:
    """A status poll never interleaves with a job's bytes (one owner per printer)."""
    from device_fixtures import chinese_receipt

    store.add_device("front", "printer", tcp_uri)
    rec = store.get_device("front")
    done = []
    threads = [threading.Thread(target=lambda: done.append(hw.poll_once(rec))) for _ in range(5)]
    for t in threads:
        t.start()
    for i in range(5):
        hw.enqueue_and_print("front", chinese_receipt(), "receipt", f"s{i}")
    for t in threads:
        t.join(10)
    jobs = vprinter.wait_for_jobs(5)
    assert len(jobs) == 5 and all(j["text_lines"][0] == "柜台旗舰店" for j in jobs)
    assert all(j["unknown_commands"] == [] for j in jobs)


def test_status_bar_lines_in_both_languages(hw, store, vprinter, tcp_uri) -> None:
    from pos_app.adapters.hardware import describe_state

    store.add_device("front", "printer", tcp_uri)
    vprinter.set(paper_near_end=True)
    report = hw.device_report(store.get_device("front"))
    assert report["message_zh"] == "纸快用完了：请准备新纸卷"
    assert report["message"] == "Paper running low: have a new roll ready"
    assert describe_state("unavailable", "disconnected") == (
        "Printer disconnected: check the cable or network",
        "打印机连接断开：请检查数据线或网络",
    )
