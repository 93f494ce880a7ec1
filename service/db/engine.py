"""Engines and sessions. The service connects with asyncpg and, when the role exists, acts as
``cylinders_app`` (``SET ROLE`` at connection start-up), a role that may only INSERT and SELECT
events: even a bug in the service cannot rewrite history.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy
from sqlalchemy import Row
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

# The asyncpg connection the hot path talks to: one of the driver pool's, or the one under a
# SQLAlchemy connection (same connection, same transaction). Strings: asyncpg's classes are
# generic only in their stubs.
RawConnection: TypeAlias = (
    "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
)
DriverPool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"


def async_url(url: str) -> str:
    """``postgresql://user@host/db`` (as every tool writes it) → the asyncpg dialect."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, *, role: str | None, pool_size: int = 10) -> AsyncEngine:
    server_settings = {"application_name": "cylinders", "timezone": "UTC"}
    if role:
        server_settings["role"] = role
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        pool_recycle=1800,
        connect_args={"server_settings": server_settings, "command_timeout": 30},
    )


async def _init_driver(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    # The same JSON handling as SQLAlchemy's connections: text in, Python objects out.
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name, schema="pg_catalog", encoder=_json_text, decoder=orjson.loads, format="text"
        )


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


async def create_driver_pool(
    url: str, *, role: str | None, size: int = 10, timezone: str = "Asia/Shanghai"
) -> DriverPool:
    """A plain asyncpg pool for the fill gate's hot path: checking a connection out of it
    costs a fraction of SQLAlchemy's (no greenlet hops), measured 0.13 ms → 0.02 ms."""
    # The session zone only shapes times that PostgreSQL renders as text (the history page's
    # JSON); values travel in binary and are zone-independent.
    server_settings = {"application_name": "cylinders-gate", "timezone": timezone}
    if role:
        server_settings["role"] = role
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.create_pool(
        dsn, min_size=1, max_size=size, server_settings=server_settings, init=_init_driver,
        reset=_keep_session, command_timeout=30,
    )  # fmt: skip


async def _keep_session(_conn: asyncpg.Connection[asyncpg.Record]) -> None:
    """Released connections are not reset with ``RESET ALL; UNLISTEN *; ...`` (a round trip
    per request): the hot path never changes session state. asyncpg still rolls back any
    open transaction before this is called."""


class Record(asyncpg.Record):
    """Rows of the raw (asyncpg) hot path, readable like SQLAlchemy rows: ``row.code``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# A row from either driver, its columns read as attributes (``row.code``): what the mappers
# from rows to the domain's snapshots and the use cases' views take.
AnyRow: TypeAlias = "Row[*tuple[Any, ...]] | Record"


async def driver_connection(conn: AsyncConnection) -> asyncpg.Connection[asyncpg.Record]:
    """The asyncpg connection under SQLAlchemy's: same connection, same transaction, without
    SQLAlchemy's per-statement cost (used on the fill gate's hot path and for COPY)."""
    raw = await conn.get_raw_connection()
    return cast("asyncpg.Connection[asyncpg.Record]", raw.driver_connection)


@asynccontextmanager
async def driver(
    engine: AsyncEngine, pool: DriverPool | None = None
) -> AsyncIterator[RawConnection]:
    """A pooled asyncpg connection, outside any transaction (open one with
    ``connection.transaction()`` when writing): from ``pool`` when there is one, else from
    SQLAlchemy's pool."""
    if pool is not None:
        async with pool.acquire() as conn:
            yield conn
        return
    async with engine.connect() as conn:
        yield await driver_connection(conn)


_NAMED = re.compile(r"(?<!:):([a-z_]+)\b")


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement for asyncpg: its SQL with numbered parameters (``$1``), and their names in
    that order. Written with named ones (``:code``), so one fragment serves SQLAlchemy too."""

    sql: str
    names: tuple[str, ...]

    def args(self, values: Mapping[str, object]) -> list[object]:
        """The parameters, in order, from ``values`` by name."""
        return [values[name] for name in self.names]


def positional(sql: str) -> Statement:
    """``... = :code ...`` → ``... = $1 ...``, with the names in order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return Statement(_NAMED.sub(number, sql), tuple(names))
