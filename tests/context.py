"""The context the tests run the service in: a fake clock they move, fixed label keys, and the
app built on a test's own context (its database, its clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI

from service.app import create_app
from service.db.engine import create_driver_pool, create_engine
from service.domain.models import ModelTable
from service.settings import Settings
from service.use_cases.context import Context

LABEL_KEYS = {1: bytes.fromhex("11" * 32)}
PUBLIC_URL = "https://cyl.example.cn"


@dataclass
class FakeClock:
    """The injected clock: tests move it; rules never read the real one."""

    now: datetime = field(default_factory=lambda: datetime(2026, 6, 15, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@asynccontextmanager
async def open_context(database_url: str, clock: FakeClock) -> AsyncIterator[Context]:
    """The use cases' context on ``database_url``, acting as the service's own role, with
    both pools (SQLAlchemy's and the hot path's); closed afterwards."""
    engine = create_engine(database_url, role="cylinders_app", pool_size=5)
    context = Context(
        engine=engine,
        clock=clock,
        models=ModelTable(),
        label_keys=dict(LABEL_KEYS),
        public_url=PUBLIC_URL,
    )
    try:
        context.pool = await create_driver_pool(database_url, role="cylinders_app", size=5)
        yield context
    finally:
        if context.pool is not None:
            await context.pool.close()
        await engine.dispose()


def app_on(ctx: Context, **settings: Any) -> FastAPI:
    """The app on the test's context (database, clock, keys); token lookups not cached unless
    ``settings`` say otherwise."""
    values: dict[str, Any] = {
        "database_url": "postgresql://unused/unused",
        "token_cache_seconds": 0,
        **settings,
    }
    return create_app(Settings(**values), context=ctx)
