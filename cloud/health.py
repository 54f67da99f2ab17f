"""Liveness and readiness for an orchestrator (systemd, Kubernetes, a load balancer).

/healthz: the process serves (200 while it answers at all; it touches nothing).
/readyz: the database answers a trivial query within READY_TIMEOUT_S; else 503 with the error
body, so the balancer sends the tills elsewhere instead of into 500s.  Both unauthenticated
and cheap: they say nothing about any till or member."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from .api_docs import CRASH, errors
from .api_models import Health, Ready
from .db import CloudDB
from .errors import error

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 2


def add_health_routes(app: FastAPI, db: CloudDB) -> None:
    @app.get(
        "/healthz",
        summary="Liveness: the process serves (touches nothing)",
        response_model=Health,
        responses=CRASH,
    )
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get(
        "/readyz",
        summary=f"Readiness: the database answers a trivial query within {READY_TIMEOUT_S} s",
        response_model=Ready,
        responses={
            **errors({503: "database_unavailable: the database does not answer"}),
            **CRASH,
        },
    )
    async def readyz() -> Response:
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
