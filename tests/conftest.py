"""Test fixtures: a real PostgreSQL (embedded, or ``TEST_DATABASE_URL``), migrated by Alembic
once per run, emptied before each test. Never a mock of the database, never ``create_all``.

What the fixtures are made of lives in modules of its own: ``tests/database.py`` (the server
and the databases), ``tests/context.py`` (the fake clock, the context, the app on it),
``tests/world.py`` (the test county), ``tests/factories.py`` (cylinders, bodies, actors),
``tests/servers.py`` (the service on a socket) and ``tests/access.py`` (access matrices)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest

from service.db.migrate import upgrade
from service.use_cases.context import Context
from tests import database
from tests.context import FakeClock, app_on, open_context
from tests.servers import LiveServer
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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def clean_db(database_url: str) -> str:
    """Empty every table before the test (as the superuser, with triggers off: the service's
    own role could not)."""
    conn = await asyncpg.connect(database.dsn(database_url))
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()
    return database_url


@pytest.fixture
async def ctx(clean_db: str, clock: FakeClock) -> AsyncIterator[Context]:
    async with open_context(clean_db, clock) as context:
        yield context


@pytest.fixture
def superuser_dsn(database_url: str) -> str:
    return database.dsn(database_url)


@pytest.fixture
async def world(ctx: Context) -> World:
    return await build_world(ctx)


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process (no socket), on the test's context."""
    app = app_on(ctx)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


@pytest.fixture
async def live_server(ctx: Context) -> AsyncIterator[LiveServer]:
    """The app on the test's context, served on a localhost port (``.url``); a test may stop
    and start it again on the same port."""
    server = LiveServer(ctx)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
