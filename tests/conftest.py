"""Test fixtures: a real PostgreSQL (embedded, or ``TEST_DATABASE_URL``), migrated by Alembic
once per run, emptied before each test. Never a mock of the database, never ``create_all``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.db.engine import create_driver_pool, create_engine
from service.db.migrate import upgrade
from service.domain.models import ModelTable
from service.settings import Settings
from service.use_cases.context import Context
from tests import database
from tests.world import World, build_world

TABLES = (
    "event", "cylinder_alias", "blacklist", "entrustment", "org_event", "station_tally",
    "cylinder", "app_user", "organization",
)  # fmt: skip


@pytest.fixture(scope="session")
def server_url() -> str:
    """The PostgreSQL server of the run (embedded, or ``TEST_DATABASE_URL``)."""
    return database.server_url()


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A new database on the server for this run, migrated from empty; dropped afterwards."""
    with database.temporary_database(server_url, "test") as url:
        upgrade(url)
        yield url


@dataclass
class FakeClock:
    """The injected clock: tests move it; rules never read the real one."""

    now: datetime = field(default_factory=lambda: datetime(2026, 6, 15, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def clean_db(database_url: str) -> AsyncIterator[str]:
    """Empty every table before the test (as the superuser, with triggers off: the service's
    own role could not)."""
    conn = await asyncpg.connect(database.dsn(database_url))
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()
    return database_url


LABEL_KEYS = {1: bytes.fromhex("11" * 32)}


@pytest.fixture
async def ctx(clean_db: str, clock: FakeClock) -> AsyncIterator[Context]:
    engine = create_engine(clean_db, role="cylinders_app", pool_size=5)
    context = Context(
        engine=engine,
        clock=clock,
        models=ModelTable(),
        label_keys=dict(LABEL_KEYS),
        public_url="https://cyl.example.cn",
    )
    context.pool = await create_driver_pool(clean_db, role="cylinders_app", size=5)
    try:
        yield context
    finally:
        await context.pool.close()
        await engine.dispose()


@pytest.fixture
def superuser_dsn(database_url: str) -> str:
    return database.dsn(database_url)


@pytest.fixture
async def world(ctx: Context) -> World:
    return await build_world(ctx)


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(database_url="postgresql://unused/unused", token_cache_seconds=0), context=ctx
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http
