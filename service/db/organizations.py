"""Queries on organisations and users. Executes statements; never commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.tables import AppUser, Entrustment, Organization, OrgEvent
from service.domain.access import Actor, OrgKind, OrgRef, Role

org_t = Organization.__table__  # type: ignore[attr-defined]
user_t = AppUser.__table__  # type: ignore[attr-defined]
org_event_t = OrgEvent.__table__  # type: ignore[attr-defined]
entrust_t = Entrustment.__table__  # type: ignore[attr-defined]


def org_ref(row: Row[Any] | Any) -> OrgRef:
    return OrgRef(
        id=str(row.id),
        kind=OrgKind(row.kind),
        company_id=str(row.company_id) if row.company_id else None,
        region_code=row.region_code,
    )


async def get_org(conn: AsyncConnection, org_id: uuid.UUID) -> Row[Any] | None:
    return (await conn.execute(select(org_t).where(org_t.c.id == org_id))).first()


async def insert_org(conn: AsyncConnection, values: dict[str, Any]) -> Row[Any]:
    org_id = values.get("id") or uuid.uuid4()
    values = {**values, "id": org_id}
    if values["kind"] == OrgKind.COMPANY:
        values["company_id"] = org_id
    row: Row[Any] = (await conn.execute(insert(org_t).values(**values).returning(org_t))).one()
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
) -> list[Row[Any]]:
    query = select(org_t).order_by(org_t.c.id).limit(limit)
    if after is not None:
        query = query.where(org_t.c.id > after)
    if kind:
        query = query.where(org_t.c.kind == kind)
    if company_id is not None:
        query = query.where(org_t.c.company_id == company_id)
    if region_prefix:
        query = query.where(org_t.c.region_code.startswith(region_prefix, autoescape=True))
    if only_id is not None:
        query = query.where(org_t.c.id == only_id)
    return list((await conn.execute(query)).all())


async def get_org_for_update(conn: AsyncConnection, org_id: uuid.UUID) -> Row[Any] | None:
    return (await conn.execute(select(org_t).where(org_t.c.id == org_id).with_for_update())).first()


async def set_org_lock(conn: AsyncConnection, org_id: uuid.UUID, *, locked: bool) -> Row[Any]:
    statement = org_t.update().where(org_t.c.id == org_id).values(is_locked=locked).returning(org_t)
    return (await conn.execute(statement)).one()


async def insert_user(conn: AsyncConnection, values: dict[str, Any]) -> Row[Any]:
    row: Row[Any] = (await conn.execute(insert(user_t).values(**values).returning(user_t))).one()
    return row


async def get_user(conn: AsyncConnection, user_id: uuid.UUID) -> Row[Any] | None:
    return (await conn.execute(select(user_t).where(user_t.c.id == user_id))).first()


async def list_users(
    conn: AsyncConnection, *, after: uuid.UUID | None, limit: int, company_id: uuid.UUID | None
) -> list[Row[Any]]:
    query = (
        select(user_t, org_t.c.company_id)
        .join(org_t, org_t.c.id == user_t.c.org_id)
        .order_by(user_t.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(user_t.c.id > after)
    if company_id is not None:
        query = query.where(org_t.c.company_id == company_id)
    return list((await conn.execute(query)).all())


async def find_actor(conn: AsyncConnection, token_hash: bytes) -> tuple[Actor | None, bytes | None]:
    row = (
        await conn.execute(
            select(
                user_t.c.id,
                user_t.c.token_hash,
                user_t.c.role,
                org_t.c.id.label("org_id"),
                org_t.c.kind,
                org_t.c.company_id,
                org_t.c.region_code,
            )
            .join(org_t, org_t.c.id == user_t.c.org_id)
            .where(user_t.c.token_hash == token_hash, user_t.c.is_active)
        )
    ).first()
    if row is None:
        return None, None
    org = OrgRef(
        str(row.org_id),
        OrgKind(row.kind),
        str(row.company_id) if row.company_id else None,
        row.region_code,
    )
    return Actor(user_id=str(row.id), role=Role(row.role), org=org), bytes(row.token_hash)


async def insert_org_event(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(insert(org_event_t).values(**values))


async def list_org_events(
    conn: AsyncConnection, org_id: uuid.UUID, *, after: int | None, limit: int
) -> list[Row[Any]]:
    query = (
        select(org_event_t)
        .where(org_event_t.c.org_id == org_id)
        .order_by(org_event_t.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(org_event_t.c.id > after)
    return list((await conn.execute(query)).all())


async def insert_entrustment(conn: AsyncConnection, values: dict[str, Any]) -> Row[Any]:
    row: Row[Any] = (
        await conn.execute(insert(entrust_t).values(**values).returning(entrust_t))
    ).one()
    return row


async def find_org_by_name(conn: AsyncConnection, name: str) -> Row[Any] | None:
    return (await conn.execute(select(org_t).where(org_t.c.name == name).limit(1))).first()
