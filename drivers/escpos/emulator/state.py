"""The virtual printer's settable state: paper, cover, offline, drawer, silence, speed and the
one-shot faults (`VirtualPrinter.set(...)`, the control socket's `{"set": {...}}`)."""

from __future__ import annotations

from dataclasses import dataclass

STATE_FIELDS = (
    "paper_out",
    "paper_near_end",
    "cover_open",
    "offline",
    "drawer_open",
    "silent",
    "no_gs_r",
    "baud",
    "drop_after_bytes",
    "paper_out_after_bytes",
    "drawer_open_level",
    "auto_close_drawer",
    "print_speed",
)


@dataclass
class PrinterState:
    paper_out: bool = False
    paper_near_end: bool = False
    cover_open: bool = False
    offline: bool = False  # e.g. an error or the printer's own offline button
    drawer_open: bool = False
    silent: bool = False  # never answers status (Star mode, or a dumb printer)
    no_gs_r: bool = False  # answers DLE EOT but never GS r (never confirms a job printed)
    baud: int = 0  # 0: as fast as the host sends; else bytes/s = baud / 10
    drop_after_bytes: int | None = None  # one-shot: hang up after this many more bytes
    paper_out_after_bytes: int | None = None  # one-shot: run out of paper mid-job
    drawer_open_level: str = "high"  # pin 3 level when the drawer is open
    auto_close_drawer: bool = False  # the drawer is pushed shut right after each kick
    # 0: print as bytes arrive.  > 0: a real printer's model: bytes go into a buffer that the
    # print mechanism works through at this many bytes/s, while DLE EOT / DLE DC4 are answered
    # the moment they arrive (real-time), ahead of the buffered job.
    print_speed: int = 0
