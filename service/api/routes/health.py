"""Liveness and readiness: no auth, for load balancers and Kubernetes probes."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.api.deps import Ctx
from service.api.errors import problem

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="the process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="the database answers",
    responses={503: {"description": "database unreachable"}},
)
async def readyz(ctx: Ctx) -> JSONResponse:
    try:
        async with asyncio.timeout(2):
            async with ctx.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return problem(
            503, "DB_UNAVAILABLE", f"数据库不可用 / database unavailable ({type(exc).__name__})"
        )
    return JSONResponse({"status": "ready"})
