"""Stations under regulation: remote lock and unlock of filling (DB4114/T 185 §4.10), the
station's own history, and entrustment (托管) of a company's cylinders to another station."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from service.db import organizations as org_db
from service.db.engine import AnyRow
from service.db.snapshots import org_ref
from service.domain import access
from service.domain.access import Actor, OrgKind, Role, require_role
from service.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.domain.paging import Keyset, Page, int_key
from service.use_cases.context import Context
from service.use_cases.views import OrganizationView, organization_view

ORG_EVENTS = Keyset("oev", int_key)


@dataclass(frozen=True, slots=True)
class OrgEventView:
    """Something that happened to an organisation: a station locked or unlocked."""

    id: int
    org_id: uuid.UUID
    type: str
    actor_id: uuid.UUID
    reason: str | None
    recorded_at: datetime


def org_event_view(row: AnyRow) -> OrgEventView:
    return OrgEventView(row.id, row.org_id, row.type, row.actor_id, row.reason, row.recorded_at)


@dataclass(frozen=True, slots=True)
class EntrustmentView:
    id: uuid.UUID
    owner_id: uuid.UUID
    station_id: uuid.UUID
    valid_from: date
    valid_until: date
    created_at: datetime


NO_STATION = "充装站不存在或不在辖区 / no such station in your region"
ONLY_COMPANY_ADMIN_ENTRUSTS = (
    "只有企业管理员可以委托充装 / only a company admin entrusts its cylinders"
)


async def set_lock(
    ctx: Context, actor: Actor, org_id: uuid.UUID, *, locked: bool, reason: str | None
) -> OrganizationView:
    require_role(
        actor,
        Role.REGULATOR,
        Role.ADMIN,
        detail="只有监管部门可以锁定充装站 / only regulators lock stations",
    )
    async with ctx.engine.begin() as conn:
        org = await org_db.get_org_for_update(conn, org_id)
        if org is None or not access.is_in_region_of(actor, org_ref(org)):
            raise NotFound(NO_STATION)
        if org.kind != OrgKind.STATION:
            raise InvalidInput("NOT_A_STATION", "只能锁定充装站 / only a station can be locked")
        if org.is_locked == locked:
            raise Conflict(
                "ALREADY_LOCKED" if locked else "NOT_LOCKED", "状态未变 / nothing to change"
            )
        await org_db.insert_org_event(
            conn,
            {
                "org_id": org_id,
                "type": "locked" if locked else "unlocked",
                "actor_id": uuid.UUID(actor.user_id),
                "reason": reason,
                "recorded_at": ctx.clock(),
            },
        )
        return organization_view(await org_db.set_org_lock(conn, org_id, locked=locked))


async def org_history(
    ctx: Context, actor: Actor, org_id: uuid.UUID, *, cursor: str | None, limit: int
) -> Page[OrgEventView]:
    async with ctx.engine.connect() as conn:
        org = await org_db.get_org(conn, org_id)
        if org is None or not access.can_read_org(actor, org_ref(org)):
            raise NotFound("单位不存在 / organisation not found")
        rows, has_more = await org_db.list_org_events(
            conn, org_id, after=ORG_EVENTS.after(cursor), limit=limit
        )
    return ORG_EVENTS.page(rows, has_more, key=lambda row: row.id).map(org_event_view)


@dataclass(frozen=True, slots=True)
class EntrustmentInput:
    station_id: uuid.UUID
    valid_from: date
    valid_until: date


async def entrust(ctx: Context, actor: Actor, item: EntrustmentInput) -> EntrustmentView:
    """The actor's company lets ``station_id`` fill its cylinders from ``valid_from`` to
    ``valid_until`` (inclusive)."""
    require_role(actor, Role.COMPANY_ADMIN, detail=ONLY_COMPANY_ADMIN_ENTRUSTS)
    if actor.company_id is None:  # a company admin outside any company: not one to entrust
        raise Forbidden(ONLY_COMPANY_ADMIN_ENTRUSTS)
    if item.valid_until < item.valid_from:
        raise InvalidInput("BAD_PERIOD", "结束日期早于开始日期 / valid_until is before valid_from")
    async with ctx.engine.begin() as conn:
        station = await org_db.get_org(conn, item.station_id)
        if station is None or station.kind != OrgKind.STATION:
            raise InvalidInput(
                "NOT_A_STATION", "受托方必须是充装站 / the trustee must be a station"
            )
        row = await org_db.insert_entrustment(
            conn,
            {
                "id": uuid.uuid4(),
                "owner_id": uuid.UUID(actor.company_id),
                "station_id": item.station_id,
                "valid_from": item.valid_from,
                "valid_until": item.valid_until,
                "created_by": uuid.UUID(actor.user_id),
                "created_at": ctx.clock(),
            },
        )
    return EntrustmentView(
        row.id, row.owner_id, row.station_id, row.valid_from, row.valid_until, row.created_at
    )
