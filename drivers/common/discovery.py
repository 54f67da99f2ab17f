"""Finding devices of every kind: serial ports (printers, scanners, drawer boxes and card
terminals all sit on them), and the one shape every discovery answers in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Found:
    kind: str  # printer | serial | tcp
    uri: str
    description: str
    serial_number: str | None = None
    status: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_serial_ports() -> tuple[list[Found], list[str]]:
    try:
        from serial.tools import list_ports
    except ImportError:
        return [], ["pyserial is not installed"]
    found = []
    try:
        ports = list(list_ports.comports())
    except OSError as err:
        return [], [f"serial ports could not be listed ({err})"]
    for p in ports:
        found.append(
            Found(
                "serial",
                f"serial://{p.device}",
                p.description or p.device,
                getattr(p, "serial_number", None),
                details={"hwid": p.hwid, "vid": p.vid, "pid": p.pid},
            )
        )
    if not ports:
        return [], ["no serial ports found"]
    return found, []
