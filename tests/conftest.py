"""Test fixtures: a real PostgreSQL (embedded, or ``TEST_DATABASE_URL``), migrated by Alembic
once per run, emptied before each test. Never a mock of the database, never ``create_all``."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from service.app import create_app
from service.db.embedded import start_embedded
from service.db.engine import create_driver_pool, create_engine
from service.db.migrate import upgrade
from service.domain.models import ModelTable
from service.settings import Settings
from service.use_cases.context import Context
from tests.world import World, build_world

ROOT = Path(__file__).resolve().parent.parent
# One database per test run, so that parallel runs on one server never meet.
TEST_DB = f"cylinders_test_{os.getpid()}"
TABLES = (
    "event", "cylinder_alias", "blacklist", "entrustment", "org_event", "station_tally",
    "cylinder", "app_user", "organization",
)  # fmt: skip


def _server_url() -> str:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        return external
    return start_embedded(ROOT / ".data" / "test-pg", "postgres")


def _on_server(server_url: str, *statements: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(_dsn(server_url))
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


def _dsn(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A new database on the server for this run, migrated from empty; dropped afterwards."""
    server = _server_url()
    _on_server(
        server, f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)', f'CREATE DATABASE "{TEST_DB}"'
    )
    url = make_url(server).set(database=TEST_DB).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    _on_server(server, f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')


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
async def clean_db(database_url: str) -> str:
    """Empty every table before the test (as the superuser, with triggers off: the service's
    own role could not)."""
    conn = await asyncpg.connect(_dsn(database_url))
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
    return _dsn(database_url)


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
