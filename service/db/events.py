"""Queries on the event history. Events are only ever inserted and read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.tables import Event

EVENT_TABLE = "event"
event_t = Event.__table__  # type: ignore[attr-defined]


async def list_events(
    conn: AsyncConnection, cylinder_id: int, *, after_seq: int, limit: int
) -> list[Row[Any]]:
    query = (
        select(event_t)
        .where(event_t.c.cylinder_id == cylinder_id, event_t.c.seq > after_seq)
        .order_by(event_t.c.seq)
        .limit(limit)
    )
    return list((await conn.execute(query)).all())
