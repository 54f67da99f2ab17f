"""The status board is pure: it reports per kind, turns a failing probe into an error line and,
when the till closes, waits only for probes that check in the background (the threads are an
adapter behind the BackgroundProbe port, pos_app/adapters/probe_threads.py)."""

from __future__ import annotations

import pytest

from pos_app.services.device_status import (
    DEVICE_KINDS,
    BackgroundProbe,
    DeviceState,
    DeviceStatus,
    DeviceStatusBoard,
)


class FakeBackground:
    """A BackgroundProbe whose 'thread' is a list of join calls."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.joins: list[float] = []

    def __call__(self) -> DeviceStatus:
        return DeviceStatus(self.kind, DeviceState.OK, "ready", "就绪")

    def join(self, timeout: float = 5.0) -> None:
        self.joins.append(timeout)


def test_a_kind_without_a_probe_says_not_configured_and_how_to_set_it_up() -> None:
    board = DeviceStatusBoard()
    st = board.status("drawer")
    assert not board.configured("drawer")
    assert st.kind == "drawer" and st.state is DeviceState.NOT_CONFIGURED
    assert "guitai device" in st.fix and "guitai device" in st.fix_zh
    assert st.reason_for("zh-CN") == "本机尚未配置该设备"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown device kind 'fax'"):
        DeviceStatusBoard().register("fax", lambda: DeviceStatus("fax", DeviceState.OK))


def test_a_probe_that_raises_becomes_an_error_line_in_both_languages() -> None:
    def broken() -> DeviceStatus:
        raise OSError("port busy")

    board = DeviceStatusBoard()
    board.register("scanner", broken)
    st = board.status("scanner")
    assert st.state is DeviceState.ERROR
    assert st.reason == "The scanner check failed: port busy"
    assert st.reason_zh == "设备检查失败：port busy"
    assert st.fix.startswith("Restart the till") and st.fix_zh.startswith("请重启收银机")


def test_all_lists_every_kind_in_the_status_bar_order() -> None:
    board = DeviceStatusBoard()
    board.register("sync", lambda: DeviceStatus("sync", DeviceState.OK, pending=3))
    lines = board.all()
    assert [s.kind for s in lines] == list(DEVICE_KINDS)
    assert lines[-1].pending == 3
    assert {s.state for s in lines[:-1]} == {DeviceState.NOT_CONFIGURED}


def test_close_waits_for_background_probes_only() -> None:
    printer, network = FakeBackground("printer"), FakeBackground("network")
    assert isinstance(printer, BackgroundProbe)
    board = DeviceStatusBoard()
    board.register("printer", printer)
    board.register("network", network)
    board.register("drawer", lambda: DeviceStatus("drawer", DeviceState.OK))  # plain: no join
    assert board.status("printer").reason == "ready"
    board.close(timeout=2.5)
    assert printer.joins == [2.5] and network.joins == [2.5]
