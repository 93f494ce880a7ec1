"""Per-station daily counters for what has no cylinder to hang an event on."""

from __future__ import annotations

import uuid
from datetime import date

from service.db.engine import RawConnection

_BUMP = (
    "INSERT INTO station_tally (org_id, day, metric, count) VALUES ($1, $2, $3, 1) "
    "ON CONFLICT (org_id, day, metric) DO UPDATE SET count = station_tally.count + 1"
)


async def bump(driver: RawConnection, org_id: uuid.UUID, day: date, metric: str) -> None:
    """``driver``: the asyncpg connection of the caller's transaction."""
    await driver.execute(_BUMP, org_id, day, metric)
