"""A virtual ESC/POS receipt printer on TCP (port 9100 or any) and on a pseudo-terminal.

Renders each job (ended by a cut) to PNG, decodes its QR codes, logs it as JSON, answers
DLE EOT from a state you set (paper out / near end, cover open, offline, drawer open, silent,
no GS r confirmation),
can be slow (a baud rate) and can drop the connection or run out of paper mid-job.

Control: in-process (`VirtualPrinter.set(...)`) or a JSON-lines control socket on 127.0.0.1
(`{"set": {"paper_out": true}}`, `{"get": "state"}`, `{"get": "jobs"}`, `{"clear": true}`).
Status bytes follow emupos' escpos-status.md: idle = 12 12 12 12; paper out = 1a 32 12 7e;
near end: n=4 → 1e; cover open = 1a 16 12 12; drawer pin 3 high adds 04 to n=1.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from drivers.common.pty_link import PtyPair

# The state and the transports are in their own modules; every name this module has always
# offered is still importable from here.
from .links import PrinterLinks, control_request
from .parser import EscposParser, Job
from .render import PAPER_DOTS, job_record
from .state import STATE_FIELDS, PrinterState

__all__ = ["STATE_FIELDS", "PrinterState", "VirtualPrinter", "control_request"]


class VirtualPrinter(PrinterLinks):
    def __init__(
        self,
        *,
        out_dir: str | Path | None = None,
        cjk_codec: str = "gb18030",
        chinese_at_power_on: bool = True,
        width: int = PAPER_DOTS,
        render: bool = True,
    ) -> None:
        self.state = PrinterState()
        self.out_dir = Path(out_dir) if out_dir else None
        self.width = width
        self.render = render
        self.jobs: list[dict[str, Any]] = []
        self.kicks: list[dict[str, int]] = []
        self.status_queries = 0
        self._lock = threading.RLock()
        self._jobs_changed = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._servers: list[socket.socket] = []
        self._ptys: list[PtyPair] = []
        self._replies = bytearray()
        self._buffer = bytearray()  # received, not yet printed (print_speed > 0)
        self._buffer_changed = threading.Condition(self._lock)
        self._printer_thread: threading.Thread | None = None
        # where the print mechanism's replies (GS r) go
        self._reply_sink: Callable[[bytes], object] | None = None
        self._rt_tail = b""
        self._hangup_pending = False
        self.parser = EscposParser(
            cjk_codec=cjk_codec,
            chinese_at_power_on=chinese_at_power_on,
            status=self._status_byte,
            printing_stopped=self._stopped,
            on_job=self._on_job,
            on_kick=self._on_kick,
            on_reply=self._replies.extend,
            on_print_bytes=self._on_print_bytes,
            answers_gs_r=lambda: not self.state.no_gs_r,
        )

    # -- control -----------------------------------------------------------------------------
    def set(self, **changes: Any) -> dict[str, Any]:
        with self._lock:
            for key, value in changes.items():
                if key not in STATE_FIELDS:
                    raise ValueError(f"unknown printer state {key!r}; known: {STATE_FIELDS}")
                setattr(self.state, key, value)
            return asdict(self.state)

    def clear_faults(self) -> None:
        self.set(
            paper_out=False,
            paper_near_end=False,
            cover_open=False,
            offline=False,
            silent=False,
            no_gs_r=False,
            drop_after_bytes=None,
            paper_out_after_bytes=None,
        )

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "state": asdict(self.state),
                "jobs": len(self.jobs),
                "kicks": len(self.kicks),
                "status_queries": self.status_queries,
            }

    def wait_for_jobs(self, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        """The jobs once there are `count`; the timeout only bounds a hang (a loaded box may
        take seconds to print), it never paces the caller."""
        end = time.monotonic() + timeout
        with self._jobs_changed:
            while len(self.jobs) < count:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._jobs_changed.wait(left)
            return list(self.jobs)

    # -- printer behaviour -------------------------------------------------------------------
    def _stopped(self) -> bool:
        s = self.state
        return s.paper_out or s.cover_open or s.offline

    def _status_byte(self, n: int) -> int | None:
        with self._lock:
            s = self.state
            self.status_queries += 1
            if s.silent:
                return None
            stopped = self._stopped()
            if n == 1:
                pin3_high = s.drawer_open == (s.drawer_open_level == "high")
                # bit 5, "waiting for online recovery", is how a bare offline shows
                offline_bits = 0x20 if s.offline else 0
                return 0x12 | (0x08 if stopped else 0) | (0x04 if pin3_high else 0) | offline_bits
            if n == 2:
                return 0x12 | (0x04 if s.cover_open else 0) | (0x20 if s.paper_out else 0)
            if n == 3:
                return 0x12
            if n == 4:
                return (
                    0x12
                    | (0x0C if s.paper_near_end or s.paper_out else 0)
                    | (0x60 if s.paper_out else 0)
                )
            return None

    def _on_kick(self, kick: dict[str, int]) -> None:
        with self._lock:
            self.kicks.append(kick)
            self.state.drawer_open = not self.state.auto_close_drawer

    def _on_print_bytes(self, n: int) -> None:
        s = self.state
        if s.paper_out_after_bytes is not None:
            s.paper_out_after_bytes -= n
            if s.paper_out_after_bytes <= 0:
                s.paper_out_after_bytes = None
                s.paper_out = True

    def _on_job(self, job: Job, complete: bool = True) -> None:
        with self._lock:
            no = len(self.jobs) + 1
        png = self.out_dir / f"job-{no:04d}.png" if (self.out_dir and self.render) else None
        if self.render:
            record = job_record(job, no, png, self.width, complete)
        else:
            record = {
                "job": no,
                "complete": complete,
                "text_lines": job.text_lines,
                "cuts": job.cuts,
                "drawer_kicks": job.drawer_kicks,
                "bytes": job.nbytes,
            }
        if self.out_dir:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            with open(self.out_dir / "jobs.jsonl", "a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        with self._jobs_changed:
            self.jobs.append(record)
            self._jobs_changed.notify_all()

    def feed(self, data: bytes) -> bytes:
        """Process bytes from the host; return what the printer answers at once."""
        if self.state.print_speed:
            return self._feed_buffered(data)
        with self._lock:
            self.parser.realtime_elsewhere = False
            self._replies.clear()
            self.parser.feed(data)
            out = bytes(self._replies)
            self._replies.clear()
            return out

    def _feed_buffered(self, data: bytes) -> bytes:
        with self._lock:
            out = self._scan_realtime(data)
            self._buffer += data
            self._buffer_changed.notify_all()
            if self._printer_thread is None:
                self._printer_thread = threading.Thread(
                    target=self._print_mechanism, name="emu-printer-head", daemon=True
                )
                self._printer_thread.start()
                self._threads.append(self._printer_thread)
            return out

    def _scan_realtime(self, data: bytes) -> bytes:
        """Answer DLE EOT n and run DLE DC4 1 as they arrive (real printers scan the raw
        stream for them, which is also why such bytes inside image data misfire)."""
        buf = self._rt_tail + data
        out = bytearray()
        i, n = 0, len(buf)
        while i < n:
            if buf[i] == 0x10:
                if i + 2 >= n:
                    break
                if buf[i + 1] == 0x04:
                    reply = self._status_byte(buf[i + 2])
                    if reply is not None:
                        out.append(reply)
                    i += 3
                    continue
                if buf[i + 1] == 0x14:
                    if i + 4 >= n:
                        break
                    if buf[i + 2] == 1:
                        pin = 2 if buf[i + 3] in (0, 48) else 5
                        self._on_kick(
                            {
                                "pin": pin,
                                "on_ms": buf[i + 4] * 100,
                                "off_ms": buf[i + 4] * 100,
                                "realtime": 1,
                            }
                        )
                    i += 5
                    continue
            i += 1
        self._rt_tail = bytes(buf[i:])
        return bytes(out)

    def _print_mechanism(self) -> None:
        while not self._stop.is_set():
            with self._buffer_changed:
                if not self._buffer:
                    if self._hangup_pending:
                        self._hangup_pending = False
                        self._finish_hang_up()
                    self._buffer_changed.wait(0.05)
                    continue
                speed = max(1, self.state.print_speed)
                size = max(1, speed // 20)
                chunk = bytes(self._buffer[:size])
                del self._buffer[:size]
            # Parse outside the lock (rendering a finished job takes a while) so real-time
            # status keeps being answered meanwhile; only this thread touches the parser now.
            self.parser.realtime_elsewhere = True
            self._replies.clear()
            self.parser.feed(chunk)
            replies = bytes(self._replies)
            self._replies.clear()
            sink = self._reply_sink
            if replies and sink is not None:
                with contextlib.suppress(OSError):
                    sink(replies)
            time.sleep(len(chunk) / speed)

    def hang_up(self) -> None:
        """The connection ended: a job without its cut is logged as incomplete (once the
        buffered printer has printed what it had)."""
        with self._lock:
            self._reply_sink = None
            self._rt_tail = b""
            if self._buffer:
                self._hangup_pending = True
                return
        self._finish_hang_up()

    def _finish_hang_up(self) -> None:
        with self._lock:
            job = self.parser.take_incomplete()
        if job is not None and job.has_content:
            self._on_job(job, complete=False)

    def printed_everything(self) -> bool:
        with self._lock:
            return not self._buffer

    def control(self, request: dict[str, Any]) -> dict[str, Any]:
        """One control request (also what the control socket serves)."""
        try:
            if "set" in request:
                return {"ok": True, "state": self.set(**dict(request["set"]))}
            if request.get("clear_faults"):
                self.clear_faults()
                return {"ok": True, "state": self.snapshot()["state"]}
            if request.get("clear"):
                with self._lock:
                    self.jobs.clear()
                    self.kicks.clear()
                return {"ok": True}
            what = request.get("get", "state")
            if what == "jobs":
                with self._lock:
                    return {"ok": True, "jobs": list(self.jobs)}
            if what == "kicks":
                with self._lock:
                    return {"ok": True, "kicks": list(self.kicks)}
            return {"ok": True, **self.snapshot()}
        except (ValueError, TypeError) as err:
            return {"ok": False, "error": str(err)}

    def __enter__(self) -> VirtualPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
