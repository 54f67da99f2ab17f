"""Adding a device to the till: the device's set-up flow (drivers/<device>/flow.py) driven with
the till's ports — its registry-aware probe and the registry that persists — and the flow's
errors turned into the technician's messages."""

from __future__ import annotations

from collections.abc import Callable

from drivers.common.errors import ConfigError, DeviceUriError
from drivers.common.flow import (
    DeviceEntry,
    NotResponding,
    Probe,
    ProbeResult,
    SetupFlow,
    SetupResult,
)
from drivers.drawer.flow import DrawerFlow
from drivers.escpos.flow import PrinterFlow
from drivers.scanner.flow import ScannerFlow
from drivers.zvt.flow import TerminalFlow
from pos_app.domain.devices import DeviceRecord, DeviceRegistry
from pos_app.domain.errors import InvalidInput

from .messages import DeviceProblem, invalid_setting

FLOWS: dict[str, type[SetupFlow]] = {
    "printer": PrinterFlow,
    "drawer": DrawerFlow,
    "scanner": ScannerFlow,
    "terminal": TerminalFlow,
}


def setup_flow(kind: str) -> SetupFlow:
    flow = FLOWS.get(kind)
    if flow is None:
        raise InvalidInput(
            f"Unknown device kind {kind!r}: use {', '.join(FLOWS)}",
            f"未知设备类型 {kind}：可用 {', '.join(FLOWS)}",
        )
    return flow()


def add_device(
    registry: DeviceRegistry,
    entry: DeviceEntry,
    *,
    probe: Probe | None,
    replace: bool = False,
) -> SetupResult[DeviceRecord]:
    """Run the entry's flow and save it; `probe=None` saves without testing (--no-test).

    Raises InvalidInput (address, setting, name) or DeviceProblem (no answer: nothing saved)."""

    def persist(e: DeviceEntry) -> DeviceRecord:
        return registry.add_device(
            e.name, e.kind, e.uri, e.settings, e.serial_number, replace=replace
        )

    flow = setup_flow(entry.kind)
    try:
        # No probe (--no-test): saved as given; otherwise as the kind is set up by default.
        return flow.run(entry, persist, test=None if probe is not None else False, probe=probe)
    except DeviceUriError as err:
        raise InvalidInput(f"Device address {err.detail}", f"设备地址有误：{err.detail}") from err
    except ConfigError as err:
        raise invalid_setting(err) from err
    except NotResponding as err:
        raise DeviceProblem(
            f"{entry.name} ({entry.uri}) does not respond ({err.detail}): nothing was "
            "saved. Check power, cable and address, or add it with --no-test",
            f"{entry.name}（{entry.uri}）无响应：未保存。请检查电源、连线和地址，或加 --no-test 保存",
            reason=err.reason,
            device=entry.name,
        ) from err


def record_probe(probe: Callable[[DeviceRecord], ProbeResult], added_at: str) -> Probe:
    """The till's probe of a record (Hardware.probe_unsaved) as the flow's probe of an entry."""

    def run(e: DeviceEntry) -> ProbeResult:
        return probe(DeviceRecord(e.name, e.kind, e.uri, e.settings, e.serial_number, added_at))

    return run
