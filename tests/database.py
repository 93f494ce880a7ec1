"""The tests' PostgreSQL: the server (embedded, or ``TEST_DATABASE_URL``), and databases on it
that live as long as a run or a test. Each is named after the process that made it, so runs
sharing a server (the CI's) never meet, and each is dropped when done, also when the test
fails: a shared server keeps nothing of a run."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from service.db.embedded import start_embedded

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "cylinders_"


def server_url() -> str:
    """``TEST_DATABASE_URL``, or the embedded server of the checkout (started if need be)."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        return external
    return start_embedded(ROOT / ".data" / "test-pg", "postgres")


def dsn(url: str) -> str:
    """Any of our URLs as plain asyncpg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def on_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _execute(url: str, *statements: str) -> list[str]:
    conn = await asyncpg.connect(dsn(url))
    try:
        for statement in statements:
            await conn.execute(statement)
        rows = await conn.fetch("SELECT datname FROM pg_database ORDER BY datname")
        return [row["datname"] for row in rows]
    finally:
        await conn.close()


def databases(server: str) -> list[str]:
    """The names of every database on ``server``."""
    return asyncio.run(_execute(server))


def left_by(server: str, pid: int) -> list[str]:
    """The databases on ``server`` that the test process ``pid`` made."""
    return [
        name for name in databases(server) if name.startswith(PREFIX) and name.endswith(f"_{pid}")
    ]


@contextmanager
def temporary_database(server: str, purpose: str) -> Iterator[str]:
    """An empty database ``cylinders_<purpose>_<pid>`` on ``server`` (any leftover of an
    earlier process with the same pid replaced); its URL; dropped afterwards, come what may."""
    name = f"{PREFIX}{purpose}_{os.getpid()}"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(_execute(server, drop, f'CREATE DATABASE "{name}"'))
    try:
        yield on_database(server, name)
    finally:
        asyncio.run(_execute(server, drop))
