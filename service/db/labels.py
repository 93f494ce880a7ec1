"""Queries for printing labels: which cylinders, and marking them printed. Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.tables import cylinder_table


async def lock_owner_labels(conn: AsyncConnection, owner_id: uuid.UUID) -> None:
    """One label run at a time per owner, until the transaction ends. An advisory lock, not
    row locks: the fill gate locks cylinder rows, and rendering thousands of labels takes
    seconds."""
    await conn.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"labels:{owner_id}"}
    )


async def owner_cylinders(
    conn: AsyncConnection, owner_id: uuid.UUID, *, only_unprinted: bool, limit: int | None
) -> list[tuple[int, str]]:
    """(id, code) of the owner's cylinders in registration order; ``only_unprinted``: those
    whose label was never printed."""
    query = select(cylinder_table.c.id, cylinder_table.c.code).where(
        cylinder_table.c.owner_id == owner_id
    )
    if only_unprinted:
        query = query.where(cylinder_table.c.label_printed_at.is_(None))
    query = query.order_by(cylinder_table.c.id).limit(limit)
    return [(row.id, row.code) for row in await conn.execute(query)]


async def owned_codes(
    conn: AsyncConnection, owner_id: uuid.UUID, codes: list[str]
) -> dict[str, int]:
    """Which of ``codes`` the owner has, with their ids."""
    result = await conn.execute(
        text(
            "SELECT code, id FROM cylinder "
            "WHERE owner_id = :owner AND code = ANY(CAST(:codes AS varchar[]))"
        ),
        {"owner": owner_id, "codes": codes},
    )
    return {row.code: row.id for row in result}


async def mark_printed(conn: AsyncConnection, ids: list[int], at: datetime) -> None:
    await conn.execute(
        text("UPDATE cylinder SET label_printed_at = :at WHERE id = ANY(CAST(:ids AS bigint[]))"),
        {"at": at, "ids": ids},
    )
