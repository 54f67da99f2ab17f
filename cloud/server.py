"""Running the cloud under uvicorn: in the foreground (`guitai cloud serve`) or in a thread."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn


def uvicorn_config(
    app: Any, host: str = "127.0.0.1", port: int = 8700, **kw: Any
) -> uvicorn.Config:
    # date_header=False: the app adds `Date` itself (also on its own error pages).
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",
        ws="none",
        date_header=False,
        server_header=False,
        access_log=False,
        log_level=kw.pop("log_level", "warning"),
        **kw,
    )


class ThreadedServer:
    """uvicorn in a background thread; `url` after start(); stop() joins it."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, **kw: Any) -> None:
        self.server = uvicorn.Server(uvicorn_config(app, host, port, **kw))
        # uvicorn installs signal handlers only on the main thread: a thread is left alone.
        self._thread = threading.Thread(target=self.server.run, name="cloud", daemon=True)
        self.url = ""

    def start(self, timeout_s: float = 10.0) -> ThreadedServer:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the cloud server did not start")
            time.sleep(0.01)
        sock = self.server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
