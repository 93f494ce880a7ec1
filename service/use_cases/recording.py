"""Writing an event: idempotent by ``event_id``, serialised per cylinder, hash-chained.

Every event-writing use case goes through ``write_event``:

1. the cylinder's row is locked (``SELECT ... FOR UPDATE``), so events on one cylinder are
   recorded one at a time and each sees the state the previous one left;
2. the same ``event_id`` already stored with the same request → that event, nothing new
   (200); with another request → ``EVENT_ID_REUSED`` (409);
3. ``decide`` (the use case's own rules) looks at the locked row and returns the event to
   write, or raises;
4. the event and the cylinder's new state are written in one statement and committed.

Two requests with the same ``event_id`` racing on two connections: the second one either
finds the first's event in step 2 (after waiting for the lock) or hits the unique index on
``event_id`` (when the two name different cylinders); both paths end at step 2's answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db import events as event_db
from service.db.engine import AnyRow, RawConnection, driver, driver_connection
from service.domain.access import Actor
from service.domain.chain import ChainLink, link_hash, request_hash
from service.domain.errors import Conflict
from service.domain.projection import to_json
from service.use_cases.context import Context

EVENT_ID_CONSTRAINT = "uq_event_event_id"
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_BACKDATE = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class NewEvent:
    type: str
    occurred_at: datetime
    payload: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EventView:
    """One event of a cylinder's history: the fields every event has, times in the deployment's
    zone and hashes in hex, and ``payload``, the fields of its type (``net_kg``, ``result``...,
    and ``changes``: what it did to the cylinder's state)."""

    event_id: uuid.UUID
    type: str
    code: str
    seq: int
    occurred_at: datetime
    recorded_at: datetime
    actor: uuid.UUID | None
    org_id: uuid.UUID | None
    hash: str
    prev_hash: str | None
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Written:
    """The event written, or the one already stored under its ``event_id`` (a replay)."""

    event: EventView
    is_replay: bool


def seen_here(ctx: Context, actor: Actor) -> dict[str, Any]:
    """The changes that say the cylinder was just seen at the caller's organisation: a fill,
    a refusal or a delivery. The gate warns (SEEN_ELSEWHERE) when another station scans it
    soon after."""
    return {"last_seen_at": ctx.clock(), "last_seen_org_id": uuid.UUID(actor.org.id)}


Decide = Callable[[AsyncConnection, Row[Any]], Awaitable[NewEvent]]
Locate = Callable[[AsyncConnection], Awaitable[Row[Any]]]


def event_view(row: AnyRow, zone: ZoneInfo) -> EventView:
    """An ``event`` row joined with its cylinder's ``code``."""
    return EventView(
        event_id=row.event_id,
        type=row.type,
        code=row.code,
        seq=row.seq,
        occurred_at=row.occurred_at.astimezone(zone),
        recorded_at=row.recorded_at.astimezone(zone),
        actor=row.actor_id,
        org_id=row.org_id,
        hash=bytes(row.hash).hex(),
        prev_hash=bytes(row.prev_hash).hex() if row.prev_hash else None,
        payload=row.payload,
    )


async def find_replay(
    conn: RawConnection, ctx: Context, event_id: uuid.UUID, fingerprint: bytes
) -> Written | None:
    stored = await event_db.get_by_event_id(conn, event_id)
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        raise Conflict(
            "EVENT_ID_REUSED",
            "该 event_id 已用于另一条不同的记录 / this event_id was already used with a different body",
        )
    return Written(event_view(stored, ctx.zone), is_replay=True)


def _next_link(
    ctx: Context, actor: Actor | None, cylinder: AnyRow, event_id: uuid.UUID, new: NewEvent
) -> ChainLink:
    """The link ``new`` makes at the end of the locked ``cylinder``'s chain."""
    now = ctx.clock()
    last = cylinder.last_event_at
    # Recorded times follow chain order even if replicas' clocks disagree slightly.
    recorded_at = max(now, last + timedelta(microseconds=1)) if last is not None else now
    # The event carries what it changed, so the history alone rebuilds the state.
    payload = {**new.payload, "changes": to_json(new.changes)} if new.changes else new.payload
    return ChainLink(
        cylinder.code, cylinder.event_count + 1, str(event_id), new.type, new.occurred_at,
        recorded_at, actor.user_id if actor else None, actor.org.id if actor else None, payload,
        cylinder.last_event_hash,
    )  # fmt: skip


async def append(
    driver: RawConnection,
    ctx: Context,
    actor: Actor | None,
    cylinder: AnyRow,
    event_id: uuid.UUID,
    fingerprint: bytes,
    new: NewEvent,
) -> EventView:
    """Append ``new`` to the locked ``cylinder``'s chain (``driver``: the asyncpg connection of
    the caller's transaction)."""
    link = _next_link(ctx, actor, cylinder, event_id, new)
    digest = link_hash(link)
    actor_id = uuid.UUID(link.actor_id) if link.actor_id else None
    org_id = uuid.UUID(link.org_id) if link.org_id else None
    await event_db.append_event(
        driver,
        cylinder_id=cylinder.id,
        seq=link.seq,
        event_id=event_id,
        type_=new.type,
        occurred_at=new.occurred_at,
        recorded_at=link.recorded_at,
        actor_id=actor_id,
        org_id=org_id,
        payload=link.payload,
        request_hash=fingerprint,
        prev_hash=link.prev_hash,
        digest=digest,
        changes=new.changes,
    )
    zone = ctx.zone
    return EventView(
        event_id, new.type, link.code, link.seq, new.occurred_at.astimezone(zone),
        link.recorded_at.astimezone(zone), actor_id, org_id, digest.hex(),
        link.prev_hash.hex() if link.prev_hash else None, link.payload,
    )  # fmt: skip


async def write_event(
    ctx: Context,
    actor: Actor,
    event_id: uuid.UUID,
    body: dict[str, Any],
    locate: Locate,
    decide: Decide,
) -> Written:
    fingerprint = request_hash(body)
    try:
        async with ctx.engine.begin() as conn:
            cylinder = await locate(conn)
            raw = await driver_connection(conn)
            # After the lock: a request with this event_id committed before us is visible now.
            if (replay := await find_replay(raw, ctx, event_id, fingerprint)) is not None:
                return replay
            new = await decide(conn, cylinder)
            event = await append(raw, ctx, actor, cylinder, event_id, fingerprint, new)
            return Written(event, is_replay=False)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name != EVENT_ID_CONSTRAINT:
            raise
    return await replay_after_race(ctx, event_id, fingerprint)


async def replay_after_race(ctx: Context, event_id: uuid.UUID, fingerprint: bytes) -> Written:
    """Another request stored this ``event_id`` between our check and our insert (the two
    named different cylinders, so no lock ordered them): answer as a retry would be."""
    async with driver(ctx.engine, ctx.pool) as raw:
        replay = await find_replay(raw, ctx, event_id, fingerprint)
    if replay is None:  # pragma: no cover - the unique index said it exists
        raise Conflict("EVENT_ID_REUSED", "event_id conflict")
    return replay


def check_occurred_at(ctx: Context, occurred_at: datetime) -> None:
    """A client's time may be a little ahead (clock skew) or behind (an offline queue
    draining), but not in next week or last year."""
    from service.domain.errors import InvalidInput

    now = ctx.clock()
    if occurred_at.tzinfo is None:
        raise InvalidInput("NAIVE_TIME", "时间必须带时区 / times must carry an offset (ISO 8601)")
    if occurred_at > now + MAX_CLOCK_SKEW:
        raise InvalidInput("TIME_IN_FUTURE", "时间晚于当前时间 / the time is in the future")
    if occurred_at < now - MAX_BACKDATE:
        raise InvalidInput("TIME_TOO_OLD", "时间早于30天前 / the time is more than 30 days ago")
