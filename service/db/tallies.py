"""Per-station daily counters for what has no cylinder to hang an event on."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection

_BUMP = (
    "INSERT INTO station_tally (org_id, day, metric, count) VALUES ($1, $2, $3, 1) "
    "ON CONFLICT (org_id, day, metric) DO UPDATE SET count = station_tally.count + 1"
)


async def bump(driver: Any, org_id: uuid.UUID, day: date, metric: str) -> None:
    """``driver``: the asyncpg connection of the caller's transaction."""
    await driver.execute(_BUMP, org_id, day, metric)


async def read(conn: AsyncConnection, org_ids: list[uuid.UUID], since: date) -> list[Row[Any]]:
    result = await conn.execute(
        text(
            "SELECT org_id, day, metric, count FROM station_tally "
            "WHERE org_id = ANY(:orgs) AND day >= :since ORDER BY day, metric"
        ),
        {"orgs": org_ids, "since": since},
    )
    return list(result.all())
