"""The baseline of quality.md: a bare FastAPI endpoint doing one indexed SELECT on the same
cylinder table, served with the same server settings as the service.

    DATABASE_URL=... uvicorn --factory bench.baseline_app:create_app --port 8101

Every path the benchmark drives (``POST /api/v1/fill-checks``, ``POST /api/v1/fills``,
``GET /api/v1/cylinders/{code}/events``) lands on the same query: one primary-key-like lookup
of the code read from the request, no auth, no rules, no writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
from fastapi import FastAPI, Request, Response

CODE_IN_URL = re.compile(r"/C/([0-9A-Z]+)")
QUERY = "SELECT code, status, owner_id, next_inspection_due, scrap_on FROM cylinder WHERE code = $1"


def create_app() -> FastAPI:
    url = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(url, min_size=2, max_size=10)
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    async def lookup(request: Request, code: str) -> Response:
        # Serialised with orjson, as the service's hot routes are (``service.api.responses``).
        row = await request.app.state.pool.fetchrow(QUERY, code)
        body = orjson.dumps(dict(row) if row else {"code": None}, default=str)
        return Response(body, media_type="application/json")

    @app.post("/api/v1/fill-checks")
    @app.post("/api/v1/fills")
    async def by_body(request: Request) -> Response:
        body = await request.json()
        text = body.get("scan") or body.get("code") or ""
        match = CODE_IN_URL.search(text)
        return await lookup(request, match.group(1) if match else text)

    @app.get("/api/v1/cylinders/{code}/events")
    async def by_path(request: Request, code: str) -> Response:
        return await lookup(request, code)

    return app
