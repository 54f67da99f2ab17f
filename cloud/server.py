"""Running the cloud under uvicorn: in the foreground (`guitai cloud serve`), as several
worker processes on one socket (`--workers N`), or in a thread (tests, the live demo).

Several workers are uvicorn's own supervisor (`uvicorn.supervisors.Multiprocess`): the
parent binds the port once and starts N spawned processes that accept on it (the kernel
spreads connections), restarts a worker that dies, and stops them all on SIGINT/SIGTERM.  We
use it rather than a supervisor of our own because it is the code path uvicorn's users run
in production and it needs nothing but the socket and an app factory; each worker builds
its app with `app_from_env`, from settings the parent put in the environment.  The workers
share nothing but the database (docs/cloud.md)."""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import threading
import time
from typing import Any

import uvicorn

# The serve settings a spawned worker reads (JSON): its own process has no click context.
SERVE_ENV = "GUITAI_CLOUD_SERVE"


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


def serve_settings(
    database_url: str, config: Any, pool_size: int, statement_timeout_ms: int
) -> dict[str, Any]:
    """What a worker needs to build the app; the WeChat token stays in its own variable
    (GUITAI_WECHAT_TOKEN, which the workers inherit), never copied into another one."""
    cfg = dataclasses.asdict(config)
    cfg.pop("wechat_token", None)
    cfg.pop("wechat_secret", None)  # each worker reads it from wechat_secret_ref
    return {
        "database_url": database_url,
        "config": cfg,
        "pool_size": pool_size,
        "statement_timeout_ms": statement_timeout_ms,
    }


TIERS_AT_ENV = "GUITAI_TIERS_AT"  # `guitai cloud serve --tiers-at`, inherited by the workers


def app_from_env() -> Any:
    """uvicorn's app factory in each worker process (`cloud.server:app_from_env`)."""
    from .app import create_app
    from .db import CloudDB
    from .ereceipt import CloudConfig
    from .follow_qr import read_secret
    from .service import CloudService

    settings = json.loads(os.environ[SERVE_ENV])
    cfg = CloudConfig(**settings["config"], wechat_token=os.environ.get("GUITAI_WECHAT_TOKEN", ""))
    if cfg.wechat_secret_ref:
        cfg = dataclasses.replace(cfg, wechat_secret=read_secret(cfg.wechat_secret_ref))
    db = CloudDB(
        settings["database_url"],
        pool_size=settings["pool_size"],
        statement_timeout_ms=settings["statement_timeout_ms"],
    )
    # lifespan is off (uvicorn_config): the pool is closed when the worker exits.
    atexit.register(db.close)
    svc = CloudService(db, ereceipt_base_url=cfg.base_url())
    from .jobs import start_worker_jobs
    from .tiers.nightly import DEFAULT_AT

    # Each worker's one scheduler: one of them claims each night's tier run, the triggers'
    # daily pass takes a lease.  Stopped before the pool closes (atexit: last in, first out).
    jobs = start_worker_jobs(svc, cfg, os.environ.get(TIERS_AT_ENV, DEFAULT_AT))
    atexit.register(jobs.stop)
    return create_app(svc, config=cfg)


def run_workers(settings: dict[str, Any], workers: int, host: str, port: int, **kw: Any) -> None:
    """Serve with `workers` processes on one socket until SIGINT/SIGTERM (blocks)."""
    from uvicorn.supervisors import Multiprocess

    os.environ[SERVE_ENV] = json.dumps(settings)
    config = uvicorn_config(
        "cloud.server:app_from_env", host, port, factory=True, workers=workers, **kw
    )
    sock = config.bind_socket()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
