"""How the virtual printer is reached: TCP (port 9100 or any), a pseudo-terminal, and the
JSON-lines control socket (with its client, `control_request`); a slow line (baud) and the
one-shot dropped connection live here too.  Mixed into `printer.VirtualPrinter`, which holds
the state and the device model these call (`feed`, `hang_up`, `control`)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.common.pty_link import PtyPair

from .state import PrinterState


class PrinterLinks(ABC):
    """Transports of a VirtualPrinter (set up by its __init__)."""

    state: PrinterState
    _lock: threading.RLock
    _stop: threading.Event
    _threads: list[threading.Thread]
    _servers: list[socket.socket]
    _ptys: list[PtyPair]
    _reply_sink: Callable[[bytes], object] | None  # where replies (GS r) go: socket or pty

    @abstractmethod
    def feed(self, data: bytes) -> bytes:
        """Bytes from the till in, the printer's answers (status, GS r) out."""

    @abstractmethod
    def hang_up(self) -> None:
        """The link dropped: forget half-read commands."""

    @abstractmethod
    def control(self, request: dict[str, Any]) -> dict[str, Any]:
        """A test's control request (faults, state): the answer as JSON."""

    # -- transports ----------------------------------------------------------------------------
    def _chunk_size(self) -> int:
        baud = self.state.baud
        return 4096 if not baud else max(1, baud // 10 // 20)  # ~50 ms of line time per read

    def _throttle(self, n: int) -> None:
        baud = self.state.baud
        if baud:
            time.sleep(min(2.0, n * 10 / baud))

    def _take(self, data: bytes) -> tuple[bytes, bool]:
        """Apply the one-shot drop: the bytes to process and whether to hang up after them."""
        with self._lock:
            limit = self.state.drop_after_bytes
            if limit is None:
                return data, False
            if len(data) < limit:
                self.state.drop_after_bytes = limit - len(data)
                return data, False
            self.state.drop_after_bytes = None
            return data[:limit], True

    def _listen(
        self, host: str, port: int, serve: Callable[[socket.socket], None], name: str
    ) -> int:
        """A listening socket whose connections `serve` takes one at a time, on its own thread;
        the port it got (0 asks for a free one)."""
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((host, port))
        srv.listen(4)
        self._servers.append(srv)
        self._spawn(self._accept_loop, srv, serve, name=name)
        return int(srv.getsockname()[1])

    def _accept_loop(self, srv: socket.socket, serve: Callable[[socket.socket], None]) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([srv], [], [], 0.1)
            if not ready:
                continue
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            serve(conn)

    def serve_tcp(self, port: int = 9100, host: str = "127.0.0.1") -> int:
        return self._listen(host, port, self._print_conn, "emu-printer-tcp")

    def _print_conn(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Like a real printer: one connection at a time, served to its end.
        try:
            self._serve_conn(conn)
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            self.hang_up()

    def _serve_conn(self, conn: socket.socket) -> None:
        with self._lock:
            self._reply_sink = conn.sendall
        while not self._stop.is_set():
            ready, _, _ = select.select([conn], [], [], 0.1)
            if not ready:
                continue
            try:
                data = conn.recv(self._chunk_size())
            except OSError:
                return
            if not data:
                return
            data, drop = self._take(data)
            self._throttle(len(data))
            reply = self.feed(data)
            if drop:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                return
            if reply:
                try:
                    conn.sendall(reply)
                except OSError:
                    return

    def serve_pty(self, link: str | Path | None = None) -> str:
        pair = PtyPair(link)
        self._ptys.append(pair)
        self._spawn(self._pty_loop, pair, name="emu-printer-pty")
        return pair.device

    def _pty_loop(self, pair: PtyPair) -> None:
        with self._lock:
            self._reply_sink = lambda data: os.write(pair.master, data)
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([pair.master], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(pair.master, self._chunk_size())
            except OSError:
                return
            if not data:
                continue
            data, drop = self._take(data)
            self._throttle(len(data))
            with self._lock:
                if self._reply_sink is None:
                    self._reply_sink = lambda out: os.write(pair.master, out)
            reply = self.feed(data)
            if drop:
                self.hang_up()
                continue  # a pty cannot be unplugged; the rest of this chunk is lost
            if reply:
                with contextlib.suppress(OSError):
                    os.write(pair.master, reply)

    def serve_control(self, port: int = 0, host: str = "127.0.0.1") -> int:
        return self._listen(host, port, self._control_conn, "emu-printer-control")

    def _control_conn(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2.0)
            buf = b""
            try:
                while b"\n" not in buf and len(buf) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    buf += chunk
                try:
                    request = json.loads(buf.decode("utf-8") or "{}")
                    if not isinstance(request, dict):
                        raise ValueError("send a JSON object")
                    answer = self.control(request)
                except ValueError as err:
                    answer = {"ok": False, "error": f"bad request: {err}"}
                conn.sendall(json.dumps(answer, ensure_ascii=False).encode() + b"\n")
            except OSError:
                return  # the client went away: wait for the next one

    def _spawn(self, target: Callable[..., object], *args: object, name: str) -> None:
        t = threading.Thread(target=target, args=args, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def close(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(3.0)
        for srv in self._servers:
            with contextlib.suppress(OSError):
                srv.close()
        for pair in self._ptys:
            pair.close()
        self._threads.clear()
        self._servers.clear()
        self._ptys.clear()


def control_request(
    port: int, request: dict[str, Any], host: str = "127.0.0.1", timeout: float = 3.0
) -> dict[str, Any]:
    """Client side of the control socket (for `guitai emulate` users and tests)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(json.dumps(request).encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    answer: dict[str, Any] = json.loads(buf.decode("utf-8"))
    return answer
