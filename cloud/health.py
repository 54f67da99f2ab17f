"""Liveness and readiness for an orchestrator (systemd, Kubernetes, a load balancer).

/healthz: the process serves (200 while it answers at all; it touches nothing).
/readyz: the database answers a trivial query within READY_TIMEOUT_S; else 503 with the error
body, so the balancer sends the tills elsewhere instead of into 500s.  Both unauthenticated
and cheap: they say nothing about any till or member."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .db import CloudDB
from .errors import error

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 2


def health_routes(db: CloudDB) -> list[Route]:
    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await run_in_threadpool(db.ping, READY_TIMEOUT_S)
        except Exception as err:  # any failure of the probe means: not ready
            log.warning("readiness: the database does not answer: %s", err)
            return error(
                503,
                "database_unavailable",
                f"The database does not answer ({type(err).__name__}): check that "
                f"{'PostgreSQL' if db.dialect == 'postgres' else 'the SQLite file'} is up "
                "and reachable; tills keep their events and retry",
            )
        return JSONResponse({"status": "ready", "database": db.dialect})

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
