"""The ASGI application. ``create_app()`` builds everything; nothing runs at import time.

    uvicorn --factory service.app:create_app

reads its settings from the environment (``DATABASE_URL`` must be set: ``cylinders serve``
starts the embedded PostgreSQL and sets it).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from service.api.errors import install_error_handlers
from service.api.limits import RequestLimits
from service.api.routes import cylinders, gate, health, labels, lifecycle, organizations
from service.api.routes import public as public_api
from service.db.engine import DriverPool, create_driver_pool, create_engine
from service.domain.clock import Clock, system_clock
from service.settings import Settings
from service.use_cases.auth import TokenCache
from service.use_cases.context import Context
from service.use_cases.users import ensure_admin
from service.web import public as public_web

log = logging.getLogger("cylinders")

API_PREFIX = "/api/v1"

DESCRIPTION = """
一瓶一码 气瓶追溯服务 / gas-cylinder traceability service.

Every call under `/api/v1` needs `Authorization: Bearer <token>`, except
`/api/v1/public/...`, which anyone may read (no personal data). Errors are
`application/problem+json` with a stable `code`.
"""


def build_context(settings: Settings, clock: Clock = system_clock) -> Context:
    if not settings.database_url:
        raise RuntimeError(
            "DATABASE_URL is not set (`cylinders serve` starts an embedded PostgreSQL)"
        )
    engine = create_engine(
        settings.database_url, role=settings.db_role, pool_size=settings.db_pool_size
    )
    return Context(
        engine=engine,
        clock=clock,
        models=settings.model_table(),
        label_keys=settings.label_keys(),
        public_url=settings.public_url,
        zone=ZoneInfo(settings.timezone),
        max_batch_rows=settings.max_batch_rows,
        rapid_refill_hours=settings.rapid_refill_hours,
        seen_elsewhere_minutes=settings.seen_elsewhere_minutes,
    )


async def open_driver_pool(settings: Settings) -> DriverPool:
    """The hot path's asyncpg pool (see ``service.db.engine.create_driver_pool``)."""
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set")
    return await create_driver_pool(
        settings.database_url,
        role=settings.db_role,
        size=settings.db_pool_size,
        timezone=settings.timezone,
    )


def freeze_startup_heap() -> None:
    """Move everything alive after start-up (modules, routes, models: ~140,000 objects) out of
    the garbage collector's sight. A full collection of that heap took over 70 ms, and under load it
    landed inside whichever requests were running: the fill gate's p99. Requests allocate short-
    lived objects, which the young generations still collect."""
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None, clock: Clock = system_clock, context: Context | None = None
) -> FastAPI:
    """``context`` lets tests hand in their own (fake clock, test database); the app then
    leaves its engine to them."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = context or build_context(settings, clock)
        if context is None:
            ctx.pool = await open_driver_pool(settings)
        app.state.ctx = ctx
        app.state.token_cache = TokenCache(settings.token_cache_seconds)
        if settings.admin_token is not None:
            await ensure_admin(ctx, settings.admin_token.get_secret_value())
        if context is None:  # a test's app shares its process with the test suite
            freeze_startup_heap()
        try:
            yield
        finally:
            if context is None:
                if ctx.pool is not None:
                    await ctx.pool.close()
                await ctx.engine.dispose()

    app = FastAPI(
        title="一瓶一码 Cylinder traceability",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(organizations.router, prefix=API_PREFIX)
    app.include_router(gate.router, prefix=API_PREFIX)
    app.include_router(labels.router, prefix=API_PREFIX)
    # Before ``cylinders``: its ``/cylinders/{code:path}`` would swallow ``.../events``.
    app.include_router(lifecycle.router, prefix=API_PREFIX)
    app.include_router(cylinders.router, prefix=API_PREFIX)
    app.include_router(public_api.router, prefix=API_PREFIX)
    app.include_router(public_web.router)
    app.add_middleware(RequestLimits)
    return app
