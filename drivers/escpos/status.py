"""ESC/POS real-time status (DLE EOT n) decoding.

Bit meanings from the Epson ESC/POS reference, HPRT TP80K and emupos' escpos-status.md
(see ../shared/reference/hardware-notes.md §1.7, §2, §5).  Every DLE EOT reply has fixed bits
0xx1xx10 (bit0=0, bit1=1, bit4=1, bit7=0): a byte that does not match is noise or a stale
reply and is treated as "no answer".  "No answer" is *unknown*, never "OK": python-escpos 3.1's
`paper_status()` returns 2 ("paper adequate") when the printer is silent (verified on a pty).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER = 1, 2, 3, 4

FIXED_MASK = 0x93
FIXED_VALUE = 0x12


def valid_reply(byte: int) -> bool:
    return 0 <= byte <= 0xFF and (byte & FIXED_MASK) == FIXED_VALUE


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """One reading.  None means the printer did not (validly) answer that question."""

    online: bool | None = None
    drawer_pin3_high: bool | None = None
    cover_open: bool | None = None
    paper_out: bool | None = None
    paper_near_end: bool | None = None
    error: bool | None = None  # cutter / unrecoverable / auto-recoverable error
    cutter_error: bool | None = None
    raw: tuple[int | None, int | None, int | None, int | None] = (None, None, None, None)

    @property
    def answered(self) -> bool:
        return self.online is not None

    @property
    def fault(self) -> str | None:
        """The reason printing cannot go on, or None if it can (or we do not know)."""
        if self.paper_out:
            return "paper_out"
        if self.cover_open:
            return "cover_open"
        if self.cutter_error:
            return "cutter_error"
        if self.online is False:
            return "error" if self.error else "offline"
        return None

    @property
    def state(self) -> str:
        """ok | paper_near_end | paper_out | cover_open | cutter_error | offline | error |
        unknown"""
        if not self.answered:
            return "unknown"
        fault = self.fault
        if fault:
            return fault
        if self.paper_near_end:
            return "paper_near_end"
        return "ok"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["raw"] = [None if b is None else f"{b:02x}" for b in self.raw]
        d["state"] = self.state
        return d


def decode(replies: dict[int, int | None]) -> PrinterStatus:
    """Decode the replies to DLE EOT 1..4 (missing or invalid → unknown fields)."""
    r = {n: (b if b is not None and valid_reply(b) else None) for n, b in replies.items()}
    p, o, e, s = (r.get(PRINTER), r.get(OFFLINE_CAUSE), r.get(ERROR_CAUSE), r.get(PAPER))
    online = None if p is None else not bool(p & 0x08)
    drawer = None if p is None else bool(p & 0x04)
    cover = None if o is None else bool(o & 0x04)
    paper_stop = None if o is None else bool(o & 0x20)
    error = None if o is None else bool(o & 0x40)
    cutter = None if e is None else bool(e & 0x08)
    if e is not None and (e & 0x60):
        error = True
    near = None if s is None else bool(s & 0x0C)
    paper_end = None if s is None else bool(s & 0x60)
    paper_out: bool | None
    if paper_end is None and paper_stop is None:
        paper_out = None
    else:
        paper_out = bool(paper_end) or bool(paper_stop)
    return PrinterStatus(
        online=online,
        drawer_pin3_high=drawer,
        cover_open=cover,
        paper_out=paper_out,
        paper_near_end=near,
        error=error,
        cutter_error=cutter,
        raw=(p, o, e, s),
    )
