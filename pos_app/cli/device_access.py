"""What the device commands share: the device registry and the hardware facade for a command,
and `--set key=value` parsing."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from pos_app.cli.common import obj
from pos_app.domain.errors import InvalidInput

if TYPE_CHECKING:
    from pos_app.adapters.db.devices import DeviceStore
    from pos_app.adapters.hardware import Hardware

KINDS = ("printer", "drawer", "scanner", "terminal")


def device_store(ctx: click.Context) -> DeviceStore:
    from pos_app.adapters.db.devices import DeviceStore

    return DeviceStore(obj(ctx).database().conn)


def hardware(ctx: click.Context) -> Hardware:
    from pos_app.adapters.hardware import Hardware

    hw = Hardware(device_store(ctx))
    ctx.call_on_close(hw.close)
    return hw


def parse_settings(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise InvalidInput(
                f"--set {pair!r}: write key=value, e.g. --set drawer_pin=5",
                f"--set {pair}：请写成 key=value，例如 --set drawer_pin=5",
            )
        key, value = pair.split("=", 1)
        try:
            out[key.strip()] = json.loads(value)
        except ValueError:
            out[key.strip()] = value
    return out
