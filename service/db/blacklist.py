"""Queries on the blacklist. Entries are inserted and lifted, never deleted."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.paging import fetch_page
from service.db.tables import blacklist_table, cylinder_table


async def insert_entry(conn: AsyncConnection, values: dict[str, Any]) -> Row[Any]:
    row: Row[Any] = (
        await conn.execute(insert(blacklist_table).values(**values).returning(blacklist_table))
    ).one()
    return row


async def get(conn: AsyncConnection, entry_id: uuid.UUID) -> Row[Any] | None:
    return (
        await conn.execute(
            select(blacklist_table).where(blacklist_table.c.id == entry_id).with_for_update()
        )
    ).first()


async def active_for_cylinder(conn: AsyncConnection, cylinder_id: int) -> bool:
    query = select(blacklist_table.c.id).where(
        blacklist_table.c.cylinder_id == cylinder_id, blacklist_table.c.lifted_at.is_(None)
    )
    return (await conn.execute(query.limit(1))).first() is not None


async def lift(
    conn: AsyncConnection,
    entry_id: uuid.UUID,
    *,
    lifted_by: uuid.UUID,
    lifted_at: datetime,
    reason: str | None,
) -> Row[Any]:
    statement = (
        blacklist_table.update()
        .where(blacklist_table.c.id == entry_id)
        .values(lifted_at=lifted_at, lifted_by=lifted_by, lift_reason=reason)
        .returning(blacklist_table)
    )
    row: Row[Any] = (await conn.execute(statement)).one()
    return row


def _with_code() -> Select[Any]:
    """Entries with the code of their cylinder (for a single-cylinder entry): scanners keep
    the blacklist offline and know cylinders by code, not by internal id."""
    return select(blacklist_table, cylinder_table.c.code).outerjoin(
        cylinder_table, cylinder_table.c.id == blacklist_table.c.cylinder_id
    )


async def get_with_code(conn: AsyncConnection, entry_id: uuid.UUID) -> Row[Any]:
    row: Row[Any] = (await conn.execute(_with_code().where(blacklist_table.c.id == entry_id))).one()
    return row


async def list_entries(
    conn: AsyncConnection, *, after: uuid.UUID | None, limit: int, active: bool | None
) -> tuple[list[Row[Any]], bool]:
    query = _with_code()
    if active is True:
        query = query.where(blacklist_table.c.lifted_at.is_(None))
    elif active is False:
        query = query.where(blacklist_table.c.lifted_at.is_not(None))
    return await fetch_page(conn, query, blacklist_table.c.id, after=after, limit=limit)
