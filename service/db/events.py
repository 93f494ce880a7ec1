"""Queries on the event history. Events are only ever inserted and read.

``append_event`` writes the event and moves the cylinder's projection (status, dates, chain
head) in ONE statement, so the two can never disagree and a write costs one round trip.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Row, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

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


async def get_by_event_id(conn: AsyncConnection, event_id: uuid.UUID) -> Row[Any] | None:
    query = (
        select(event_t, cyl_t.c.code)
        .join(cyl_t, cyl_t.c.id == event_t.c.cylinder_id)
        .where(event_t.c.event_id == event_id)
    )
    return (await conn.execute(query)).first()


async def append_event(
    conn: AsyncConnection,
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
    unknown = set(changes) - PROJECTED_COLUMNS
    if unknown:
        raise ValueError(f"events may not set {sorted(unknown)}")
    sets = "".join(f", {column} = :c_{column}" for column in changes)
    # Column names come from PROJECTED_COLUMNS (checked above), values are bound parameters.
    statement = text(
        "WITH e AS"  # noqa: S608
        " (INSERT INTO event (cylinder_id, seq, event_id, type, occurred_at, recorded_at, "
        "actor_id, org_id, payload, request_hash, prev_hash, hash) VALUES (:cid, :seq, :eid, :type, "
        ":occurred, :recorded, :actor, :org, CAST(:payload AS jsonb), :rhash, :prev, :hash)) "
        "UPDATE cylinder SET event_count = :seq, last_event_hash = :hash, "
        f"last_event_at = :recorded{sets} WHERE id = :cid"
    )
    params = {
        "cid": cylinder_id,
        "seq": seq,
        "eid": event_id,
        "type": type_,
        "occurred": occurred_at,
        "recorded": recorded_at,
        "actor": actor_id,
        "org": org_id,
        "payload": orjson.dumps(payload).decode(),
        "rhash": request_hash,
        "prev": prev_hash,
        "hash": digest,
        **{f"c_{column}": value for column, value in changes.items()},
    }
    await conn.execute(statement, params)


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
