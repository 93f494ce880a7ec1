"""Engines and sessions. The service connects with asyncpg and, when the role exists, acts as
``cylinders_app`` (``SET ROLE`` at connection start-up), a role that may only INSERT and SELECT
events: even a bug in the service cannot rewrite history.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


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


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
