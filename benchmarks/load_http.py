"""A load client that costs little: raw HTTP/1.1 keep-alive over asyncio streams.

bench_cloud runs its load client on the same 2 cores as the cloud.  httpx spent ~230 ms of
CPU per 1,000 ingested events (its request model, header objects and connection pool walked
per request), more than the cloud's workers and PostgreSQL together, so the client, not the
server, set the pace.  Here a request is one pre-built `bytes` (request line, headers, body)
written to a kept-alive socket, and the answer is read by its Content-Length: the client's
work per request is a write, two reads and a header scan.  uvloop runs the loop when present
(the cloud's extra installs it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

# Below uvicorn's 5 s keep-alive: a connection idle this long is dropped and opened again
# before it is used, so a request is never written into a socket the server is closing.
KEEPALIVE_S = 4.0


def request_bytes(
    method: str, url: str, headers: Mapping[str, str] | None = None, body: bytes = b""
) -> bytes:
    """The whole HTTP/1.1 request as sent on the wire (Host from the URL, keep-alive)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Answer:
    __slots__ = ("body", "head", "status")

    def __init__(self, status: int, head: bytes, body: bytes) -> None:
        self.status = status
        self.head = head  # the status line and headers, as received
        self.body = body

    def header(self, name: str) -> str | None:
        """The first header `name` (lower-case) as text, or None."""
        key = b"\r\n" + name.encode("latin-1") + b":"
        i = self.head.lower().find(key)
        if i < 0:
            return None
        end = self.head.find(b"\r\n", i + len(key))
        return self.head[i + len(key) : end].strip().decode("latin-1")


class Connection:
    """One kept-alive HTTP/1.1 connection, one request at a time (as a till or a phone)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._last = 0.0
        self.reconnects = 0

    async def _open(self) -> None:
        self.close()
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def send(self, request: bytes) -> Answer:
        """Write one request and read its answer.  Raises ConnectionError when the server
        closed the connection first (the caller decides whether to send again)."""
        if self._writer is None or time.monotonic() - self._last > KEEPALIVE_S:
            await self._open()
        reader, writer = self._reader, self._writer
        assert reader is not None and writer is not None
        try:
            writer.write(request)
            if len(request) > 65536:
                await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, OSError) as err:
            self.close()
            raise ConnectionError(f"the server closed the connection: {err}") from err
        answer = await self._body(reader, head)
        self._last = time.monotonic()
        return answer

    async def _body(self, reader: asyncio.StreamReader, head: bytes) -> Answer:
        status = int(head[9:12])
        lower = head.lower()
        i = lower.find(b"\r\ncontent-length:")
        if i < 0:
            self.close()
            raise RuntimeError(f"an answer without Content-Length: {head[:300]!r}")
        end = lower.find(b"\r\n", i + 17)
        body = await reader.readexactly(int(lower[i + 17 : end]))
        if b"\r\nconnection: close" in lower:
            self.close()
        return Answer(status, head, body)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def run(main: Callable[[], Awaitable[T]]) -> T:
    """asyncio.run on uvloop when it is installed (a cheaper loop for the client too)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_call(main))
    return uvloop.run(_call(main))


async def _call(main: Callable[[], Awaitable[T]]) -> T:
    return await main()


def reuse(pool: dict[Any, Connection], key: Any, url: str) -> Connection:
    """The kept-alive connection `key` (a till's first or second, a phone's) to `url`."""
    conn = pool.get(key)
    if conn is None:
        conn = pool[key] = Connection(url)
    return conn
