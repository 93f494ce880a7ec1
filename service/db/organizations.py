"""Queries on organisations and users. Executes statements; never commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.paging import fetch_page
from service.db.snapshots import member_org_ref
from service.db.tables import (
    entrustment_table,
    org_event_table,
    organization_table,
    user_table,
)
from service.domain.access import Actor, OrgKind, Role


async def get_org(conn: AsyncConnection, org_id: uuid.UUID) -> Row[Any] | None:
    return (
        await conn.execute(select(organization_table).where(organization_table.c.id == org_id))
    ).first()


async def insert_org(conn: AsyncConnection, values: dict[str, Any]) -> Row[Any]:
    org_id = values.get("id") or uuid.uuid4()
    values = {**values, "id": org_id}
    if values["kind"] == OrgKind.COMPANY:
        values["company_id"] = org_id
    row: Row[Any] = (
        await conn.execute(
            insert(organization_table).values(**values).returning(organization_table)
        )
    ).one()
    return row


async def list_orgs(
    conn: AsyncConnection,
    *,
    after: uuid.UUID | None,
    limit: int,
    kind: str | None = None,
    company_id: uuid.UUID | None = None,
    region_prefix: str | None = None,
    only_id: uuid.UUID | None = None,
) -> tuple[list[Row[Any]], bool]:
    query = select(organization_table)
    if kind:
        query = query.where(organization_table.c.kind == kind)
    if company_id is not None:
        query = query.where(organization_table.c.company_id == company_id)
    if region_prefix:
        query = query.where(
            organization_table.c.region_code.startswith(region_prefix, autoescape=True)
        )
    if only_id is not None:
        query = query.where(organization_table.c.id == only_id)
    return await fetch_page(conn, query, organization_table.c.id, after=after, limit=limit)


async def get_org_for_update(conn: AsyncConnection, org_id: uuid.UUID) -> Row[Any] | None:
    return (
        await conn.execute(
            select(organization_table).where(organization_table.c.id == org_id).with_for_update()
        )
    ).first()


async def set_org_lock(conn: AsyncConnection, org_id: uuid.UUID, *, locked: bool) -> Row[Any]:
    statement = (
        organization_table.update()
        .where(organization_table.c.id == org_id)
        .values(is_locked=locked)
        .returning(organization_table)
    )
    row: Row[Any] = (await conn.execute(statement)).one()
    return row


async def insert_user(conn: AsyncConnection, values: dict[str, Any]) -> Row[Any]:
    row: Row[Any] = (
        await conn.execute(insert(user_table).values(**values).returning(user_table))
    ).one()
    return row


async def get_user(conn: AsyncConnection, user_id: uuid.UUID) -> Row[Any] | None:
    return (await conn.execute(select(user_table).where(user_table.c.id == user_id))).first()


async def list_users(
    conn: AsyncConnection, *, after: uuid.UUID | None, limit: int, company_id: uuid.UUID | None
) -> tuple[list[Row[Any]], bool]:
    query = select(user_table, organization_table.c.company_id).join(
        organization_table, organization_table.c.id == user_table.c.org_id
    )
    if company_id is not None:
        query = query.where(organization_table.c.company_id == company_id)
    return await fetch_page(conn, query, user_table.c.id, after=after, limit=limit)


async def find_actor(conn: AsyncConnection, token_hash: bytes) -> tuple[Actor | None, bytes | None]:
    row = (
        await conn.execute(
            select(
                user_table.c.id,
                user_table.c.token_hash,
                user_table.c.role,
                organization_table.c.id.label("org_id"),
                organization_table.c.kind,
                organization_table.c.company_id,
                organization_table.c.region_code,
            )
            .join(organization_table, organization_table.c.id == user_table.c.org_id)
            .where(user_table.c.token_hash == token_hash, user_table.c.is_active)
        )
    ).first()
    if row is None:
        return None, None
    actor = Actor(user_id=str(row.id), role=Role(row.role), org=member_org_ref(row))
    return actor, bytes(row.token_hash)


async def insert_org_event(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(insert(org_event_table).values(**values))


async def list_org_events(
    conn: AsyncConnection, org_id: uuid.UUID, *, after: int | None, limit: int
) -> tuple[list[Row[Any]], bool]:
    query = select(org_event_table).where(org_event_table.c.org_id == org_id)
    return await fetch_page(conn, query, org_event_table.c.id, after=after, limit=limit)


async def insert_entrustment(conn: AsyncConnection, values: dict[str, Any]) -> Row[Any]:
    row: Row[Any] = (
        await conn.execute(insert(entrustment_table).values(**values).returning(entrustment_table))
    ).one()
    return row


async def find_org_by_name(conn: AsyncConnection, name: str) -> Row[Any] | None:
    return (
        await conn.execute(
            select(organization_table).where(organization_table.c.name == name).limit(1)
        )
    ).first()
