"""What the status bar shows: one line per peripheral or link, polled by the till's UI.

The real probes (printer, drawer, scanner, card terminal, network, sync queue) are provided
by the drivers, payments and sync packages and wired in `pos_app.bootstrap`; until one is
wired, its line says "not configured" — the till never claims a device is fine when it
cannot know.  This module is the pure part (states, messages, the board); the threads that
run slow checks in the background are an adapter (pos_app/adapters/probe_threads.py) behind
the `BackgroundProbe` port.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


class DeviceState(StrEnum):
    OK = "ok"
    WARNING = "warning"  # works, but needs attention soon (paper low, queue growing)
    ERROR = "error"  # does not work: selling may continue, the fix text says what to do
    NOT_CONFIGURED = "not_configured"


DEVICE_KINDS = ("printer", "drawer", "scanner", "terminal", "network", "sync")


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    kind: str  # one of DEVICE_KINDS
    state: DeviceState
    reason: str = ""
    reason_zh: str = ""
    fix: str = ""
    fix_zh: str = ""
    pending: int | None = None  # sync only: events waiting to be sent
    # A word for the status bar instead of the state's own ("未注册" for a till not enrolled)
    label: str = ""
    label_zh: str = ""

    def label_for(self, lang: str) -> str:
        return self.label_zh if lang.startswith("zh") and self.label_zh else self.label

    def reason_for(self, lang: str) -> str:
        return self.reason_zh if lang.startswith("zh") and self.reason_zh else self.reason

    def fix_for(self, lang: str) -> str:
        return self.fix_zh if lang.startswith("zh") and self.fix_zh else self.fix


Probe = Callable[[], DeviceStatus]


def not_configured(kind: str) -> DeviceStatus:
    return DeviceStatus(
        kind,
        DeviceState.NOT_CONFIGURED,
        reason=f"No {kind} is set up on this till",
        reason_zh="本机尚未配置该设备",
        fix="A technician sets it up with `guitai device` (see docs/ui.md)",
        fix_zh="请技术人员用 guitai device 配置（见 docs/ui.md）",
    )


def checking(kind: str) -> DeviceStatus:
    return DeviceStatus(
        kind,
        DeviceState.WARNING,
        reason="Being checked",
        reason_zh="正在检查",
        fix="Wait a few seconds",
        fix_zh="请稍候几秒",
        label="checking",
        label_zh="检查中",
    )


def probe_failed(kind: str, err: Exception) -> DeviceStatus:
    """A probe raised: the line says so and what to do; the status bar never goes down."""
    return DeviceStatus(
        kind,
        DeviceState.ERROR,
        reason=f"The {kind} check failed: {err}",
        reason_zh=f"设备检查失败：{err}",
        fix="Restart the till; if it persists call the technician",
        fix_zh="请重启收银机；如仍有问题请联系技术人员",
    )


@runtime_checkable
class BackgroundProbe(Protocol):
    """A probe whose check runs off the caller's thread and that answers at once from its last
    result (port: the threads live in pos_app/adapters/probe_threads.py, wired at composition).
    The status bar asks every few seconds and must never wait for a printer or the network;
    the board waits for the checks still running when the till closes."""

    def __call__(self) -> DeviceStatus: ...

    def join(self, timeout: float = 5.0) -> None: ...


class DeviceStatusBoard:
    """The status read model: a probe per kind; a failing probe is reported, never raised."""

    def __init__(self) -> None:
        self._probes: dict[str, Probe] = {}

    def register(self, kind: str, probe: Probe) -> None:
        if kind not in DEVICE_KINDS:
            raise ValueError(f"unknown device kind {kind!r}")
        self._probes[kind] = probe

    def configured(self, kind: str) -> bool:
        return kind in self._probes

    def status(self, kind: str) -> DeviceStatus:
        probe = self._probes.get(kind)
        if probe is None:
            return not_configured(kind)
        try:
            return probe()
        except Exception as err:  # a probe bug must not take the status bar down
            return probe_failed(kind, err)

    def all(self) -> list[DeviceStatus]:
        return [self.status(k) for k in DEVICE_KINDS]

    def close(self, timeout: float = 5.0) -> None:
        """Wait for background checks still running (the till is closing)."""
        for probe in self._probes.values():
            if isinstance(probe, BackgroundProbe):
                probe.join(timeout)
