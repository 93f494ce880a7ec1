"""Queries on the event history. Events are only ever inserted and read.

``append_event`` writes the event and moves the cylinder's projection (status, dates, chain
head) in ONE statement, so the two can never disagree and a write costs one round trip.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.engine import Record
from service.db.tables import Cylinder, Event

EVENT_TABLE = "event"
event_t = Event.__table__  # type: ignore[attr-defined]
cyl_t = Cylinder.__table__  # type: ignore[attr-defined]

# Cylinder columns an event may move; anything else is a programming error.
PROJECTED_COLUMNS = frozenset({
    "status", "hold_reason", "is_inspection_failed", "needs_purge", "last_inspected_on",
    "next_inspection_due", "extension_years", "scrap_on", "last_fill_at", "last_fill_org_id",
    "last_fill_net_kg", "last_seen_at", "last_seen_org_id", "owner_id",
})  # fmt: skip


_BY_EVENT_ID = (
    "SELECT e.*, c.code FROM event e JOIN cylinder c ON c.id = e.cylinder_id WHERE e.event_id = $1"
)


async def get_by_event_id(driver: Any, event_id: uuid.UUID) -> Record | None:
    record: Record | None = await driver.fetchrow(_BY_EVENT_ID, event_id, record_class=Record)
    return record


_INSERT = (
    "WITH e AS (INSERT INTO event (cylinder_id, seq, event_id, type, occurred_at, recorded_at, "
    "actor_id, org_id, payload, request_hash, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, "
    "$7, $8, CAST($9 AS jsonb), $10, $11, $12)) "
    "UPDATE cylinder SET event_count = $2, last_event_hash = $12, last_event_at = $6"
)


async def append_event(
    driver: Any,
    *,
    cylinder_id: int,
    seq: int,
    event_id: uuid.UUID,
    type_: str,
    occurred_at: datetime,
    recorded_at: datetime,
    actor_id: uuid.UUID | None,
    org_id: uuid.UUID | None,
    payload: dict[str, Any],
    request_hash: bytes,
    prev_hash: bytes | None,
    digest: bytes,
    changes: dict[str, Any],
) -> None:
    """Insert the event and move the cylinder's projection, in one statement (``driver`` is
    the asyncpg connection, inside the caller's transaction)."""
    unknown = set(changes) - PROJECTED_COLUMNS
    if unknown:
        raise ValueError(f"events may not set {sorted(unknown)}")
    columns = sorted(changes)
    # Column names come from PROJECTED_COLUMNS (checked above); values are bound parameters.
    sets = "".join(f", {column} = ${13 + i}" for i, column in enumerate(columns))
    statement = f"{_INSERT}{sets} WHERE id = $1"
    await driver.execute(
        statement,
        cylinder_id, seq, event_id, type_, occurred_at, recorded_at, actor_id, org_id,
        orjson.dumps(payload).decode(), request_hash, prev_hash, digest,
        *(changes[column] for column in columns),
    )  # fmt: skip


_PAGE = "SELECT * FROM event WHERE cylinder_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"


async def page_of(driver: Any, cylinder_id: int, *, after_seq: int, limit: int) -> list[Record]:
    """One page of a cylinder's history, oldest first: a range scan of the primary key
    ``(cylinder_id, seq)`` (asyncpg)."""
    rows: list[Record] = await driver.fetch(
        _PAGE, cylinder_id, after_seq, limit, record_class=Record
    )
    return rows


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


async def chains_of(conn: AsyncConnection, cylinder_ids: list[int]) -> dict[int, list[Row[Any]]]:
    """Every event of these cylinders, in chain order, for verification: one query."""
    query = (
        select(event_t)
        .where(event_t.c.cylinder_id.in_(cylinder_ids))
        .order_by(event_t.c.cylinder_id, event_t.c.seq)
    )
    chains: dict[int, list[Row[Any]]] = {cid: [] for cid in cylinder_ids}
    for row in await conn.execute(query):
        chains[row.cylinder_id].append(row)
    return chains
