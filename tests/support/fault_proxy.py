"""A fault-injecting HTTP/1.1 proxy on loopback, between the till and the cloud.

Per request it picks (seeded, so a failure reproduces): pass through, drop the connection
before the request reaches the cloud, drop it after the cloud answered, hold the request past
the client's timeout and deliver it late, answer 500 itself, cut the response in half, or
deliver the request to the cloud twice at once.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections import Counter

FAULTS = {
    "pass": 45,
    "drop_before": 9,
    "drop_after": 9,
    "delay": 6,
    "error_500": 9,
    "cut": 9,
    "dup": 13,
}


def _read_message(sock: socket.socket, buf: bytearray) -> bytes | None:
    """One HTTP message (headers + Content-Length body) from sock; None at EOF."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head_end = buf.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buf[:head_end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(buf) < head_end + length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    msg = bytes(buf[: head_end + length])
    del buf[: head_end + length]
    return msg


class FaultProxy:
    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        seed: int = 1,
        delay_s: float = 1.0,
        faults: dict[str, int] | None = None,
    ) -> None:
        self.upstream = upstream
        self.rng = random.Random(seed)
        self.delay_s = delay_s
        self.weights = faults or FAULTS
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._accept.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._accept.join(timeout=5)
        for t in self._threads:
            t.join(timeout=5)
        self._listener.close()

    def _pick(self) -> str:
        with self._lock:
            fault = self.rng.choices(list(self.weights), weights=list(self.weights.values()))[0]
            self.counts[fault] += 1
            return fault

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._client, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _forward(self, request: bytes) -> bytes | None:
        try:
            with socket.create_connection(self.upstream, timeout=30) as up:
                up.sendall(request)
                return _read_message(up, bytearray())
        except OSError:
            return None

    def _forward_into(self, request: bytes, answers: list[bytes | None]) -> None:
        answers.append(self._forward(request))

    def _client(self, conn: socket.socket) -> None:
        buf = bytearray()
        conn.settimeout(30)
        with contextlib.closing(conn):
            try:
                while not self._stop.is_set():
                    request = _read_message(conn, buf)
                    if request is None:
                        return
                    fault = self._pick()
                    if fault == "drop_before":
                        return
                    if fault == "error_500":
                        body = b'{"error":{"code":"proxy_error","message":"injected"}}'
                        conn.sendall(
                            b"HTTP/1.1 500 Internal Server Error\r\n"
                            b"Content-Type: application/json\r\nContent-Length: "
                            + str(len(body)).encode()
                            + b"\r\n\r\n"
                            + body
                        )
                        continue
                    if fault == "delay":
                        time.sleep(self.delay_s)
                    if fault == "dup":
                        answers: list[bytes | None] = []
                        twin = threading.Thread(target=self._forward_into, args=(request, answers))
                        twin.start()
                        first = self._forward(request)
                        twin.join(timeout=30)
                        candidates = [a for a in [first, *answers] if a]
                        ok = [a for a in candidates if a.startswith(b"HTTP/1.1 200")]
                        response = (ok or candidates or [None])[0]
                    else:
                        response = self._forward(request)
                    if response is None or fault == "drop_after":
                        return
                    if fault == "cut":
                        conn.sendall(response[: len(response) // 2])
                        return
                    conn.sendall(response)
            except OSError:
                return
