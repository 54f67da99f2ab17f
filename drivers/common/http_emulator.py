"""The shared part of the HTTP emulators.  `LoopbackServer`: a threaded HTTP server on
loopback, its start, stop and request plumbing, which every HTTP emulator runs on (the payment
providers here, the WeChat official account in drivers/wechat_mp).  `HttpEmulator` adds what
the WeChat Pay, Alipay and aggregator emulators share: the trade book (the ground truth tests
compare the till against) and the scripted faults."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, TypedDict

from .listen import bound_address
from .scenarios import Behaviour, behaviour_for

log = logging.getLogger(__name__)


@dataclass
class Trade:
    out_trade_no: str
    amount_fen: int
    auth_code_tail: str  # last four digits only: the emulator keeps no full payment code either
    state: str  # paying | paid | failed | closed | refunded
    trade_no: str
    behaviour: Behaviour
    queries: int = 0
    refunds: dict[str, int] = field(default_factory=dict)  # out_refund_no → fen


class DropConnection(Exception):
    """Close the connection without any answer."""


class EmulatorOptions(TypedDict, total=False):
    """HttpEmulator's keyword settings, which the WeChat Pay and Alipay emulators pass through."""

    behaviour: Behaviour | None
    faults: dict[str, Behaviour] | None
    paying_queries: int
    no_answer_limit: float


Reply = tuple[int, str, bytes, dict[str, str]]  # status, content type, body, more headers


class LoopbackServer(ABC):
    """One HTTP server on loopback (port 0 picks a free one), served on its own thread between
    `start()` and `stop()`.  Subclasses implement `handle(method, target, body, headers)`; a
    handler that raises DropConnection closes the connection without an answer."""

    name = "emulator"
    max_body = 1 << 20  # a request body is read up to this many bytes

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.stopping = threading.Event()
        emu = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("%s: %s", emu.name, emu.log_text(format % args))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, emu.max_body)) if length else b""
                self._send(lambda: emu.handle("POST", self.path, body, dict(self.headers)))

            def do_GET(self) -> None:
                self._send(lambda: emu.handle("GET", self.path, b"", dict(self.headers)))

            def _send(self, call: Callable[[], Reply]) -> None:
                try:
                    status, ctype, content, more = call()
                except DropConnection:
                    self.close_connection = True
                    return
                self.send_response(status)
                for k, v in more.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(content)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(content)
                self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self._server = Server((host, port), Handler)
        self.host, self.port = bound_address(self._server)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.name,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_text(self, line: str) -> str:
        """A request's log line as logged (a subclass hides secrets in it)."""
        return line

    @abstractmethod
    def handle(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> Reply:
        """The answer to one GET or POST (target: the path with its query string)."""


class HttpEmulator(LoopbackServer):
    """Subclasses implement `answer(path, body, headers) -> (status, content_type, bytes)`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        behaviour: Behaviour | None = None,
        faults: dict[str, Behaviour] | None = None,
        paying_queries: int = 2,
        no_answer_limit: float = 30.0,
    ) -> None:
        self.behaviour = behaviour
        self.faults = dict(faults or {})
        self.paying_queries = paying_queries
        self.no_answer_limit = no_answer_limit
        self.trades: dict[str, Trade] = {}
        self.calls: list[str] = []
        self.rejected_signatures = 0
        self.lock = threading.RLock()
        self._seq = 0
        super().__init__(host, port)

    def handle(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> Reply:
        if method == "GET":
            return (*self.answer_get(target, headers), {})
        return (*self.answer(target, body, headers), {})

    @abstractmethod
    def answer(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        """(status, content type, body) for one request to the provider's API."""

    def answer_get(self, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        """A GET request (path with its query string): not part of most providers' APIs."""
        return 501, "text/plain", b"GET is not supported: POST the request"

    # ---- helpers for subclasses ------------------------------------------------------------------

    def next_trade_no(self, prefix: str) -> str:
        with self.lock:
            self._seq += 1
            return f"{prefix}{self._seq:010d}"

    def pay_behaviour(self, code: str) -> Behaviour:
        return self.faults.get("pay") or self.behaviour or behaviour_for(code)

    def step_fault(self, step: str) -> Behaviour | None:
        return self.faults.get(step)

    def no_answer(self) -> None:
        """Hold the request without answering (until the limit or the emulator stops)."""
        self.stopping.wait(self.no_answer_limit)
        raise DropConnection

    def paid_total(self) -> int:
        """Fen captured and not given back: for tests."""
        total = 0
        for t in self.trades.values():
            if t.state in ("paid", "refunded"):
                total += t.amount_fen - sum(t.refunds.values())
        return total
