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

from service.db.engine import RawConnection, Record, positional
from service.db.tables import event_table

# Cylinder columns an event may move; anything else is a programming error.
PROJECTED_COLUMNS = frozenset({
    "status", "hold_reason", "is_inspection_failed", "needs_purge", "last_inspected_on",
    "next_inspection_due", "extension_years", "scrap_on", "last_fill_at", "last_fill_org_id",
    "last_fill_net_kg", "last_seen_at", "last_seen_org_id", "owner_id",
})  # fmt: skip


EVENT_BY_EVENT_ID = positional(
    "SELECT e.*, c.code FROM event e JOIN cylinder c ON c.id = e.cylinder_id "
    "WHERE e.event_id = :event_id"
)


async def get_by_event_id(driver: RawConnection, event_id: uuid.UUID) -> Record | None:
    record: Record | None = await driver.fetchrow(
        EVENT_BY_EVENT_ID.sql, event_id, record_class=Record
    )
    return record


_INSERT = (
    "WITH e AS (INSERT INTO event (cylinder_id, seq, event_id, type, occurred_at, recorded_at, "
    "actor_id, org_id, payload, request_hash, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, "
    "$7, $8, CAST($9 AS jsonb), $10, $11, $12)) "
    "UPDATE cylinder SET event_count = $2, last_event_hash = $12, last_event_at = $6"
)


async def append_event(
    driver: RawConnection,
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


# The page as JSON, built by PostgreSQL: the event's own fields, then the common ones (which
# win, as in ``use_cases.recording.event_view``). Times come out in the session's zone (the
# hot-path pool sets it to the deployment's), e.g. "2026-06-15T10:00:00.123456+08:00".
HISTORY_PAGE = positional("""
WITH page AS (
    SELECT seq, payload || jsonb_build_object(
        'event_id', event_id, 'type', type, 'code', CAST(:code AS text), 'seq', seq,
        'occurred_at', occurred_at, 'recorded_at', recorded_at, 'actor', actor_id,
        'org_id', org_id, 'hash', encode(hash, 'hex'), 'prev_hash', encode(prev_hash, 'hex')
    ) AS item
    FROM event WHERE cylinder_id = :cylinder_id AND seq > :after_seq ORDER BY seq
    LIMIT :limit + 1
), shown AS (SELECT * FROM page ORDER BY seq LIMIT :limit)
SELECT coalesce((SELECT json_agg(item ORDER BY seq) FROM shown)::text, '[]') AS items,
       (SELECT count(*) FROM page) > :limit AS more,
       (SELECT max(seq) FROM shown) AS last_seq
""")


async def page_json(
    driver: RawConnection, cylinder_id: int, code: str, *, after_seq: int, limit: int
) -> tuple[str, bool, int | None]:
    """One page of the history as a JSON array (text, passed to the client untouched),
    whether more follow, and the last seq shown: Python never builds the events."""
    values = {"cylinder_id": cylinder_id, "after_seq": after_seq, "limit": limit, "code": code}
    row = await driver.fetchrow(HISTORY_PAGE.sql, *HISTORY_PAGE.args(values))
    if row is None:  # pragma: no cover - an aggregate always returns its one row
        raise RuntimeError("the history page query returned no row")
    return row["items"], row["more"], row["last_seq"]


async def chains_of(conn: AsyncConnection, cylinder_ids: list[int]) -> dict[int, list[Row[Any]]]:
    """Every event of these cylinders, in chain order, for verification: one query."""
    query = (
        select(event_table)
        .where(event_table.c.cylinder_id.in_(cylinder_ids))
        .order_by(event_table.c.cylinder_id, event_table.c.seq)
    )
    chains: dict[int, list[Row[Any]]] = {cid: [] for cid in cylinder_ids}
    for row in await conn.execute(query):
        chains[row.cylinder_id].append(row)
    return chains
