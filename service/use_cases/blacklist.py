"""黑名单 / 召回: regulators list a cylinder, a manufacturer's batch or a whole model; the gate
refuses every matching cylinder. Lifting is recorded (who, when, why), never erased. Listing
or lifting a single cylinder also writes an event into its history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db import blacklist as bl_db
from service.db import cylinders as cyl_db
from service.db.engine import AnyRow, driver_connection
from service.domain import access
from service.domain.access import Actor, Role, require_role
from service.domain.chain import request_hash
from service.domain.codes import normalize_manufacturer
from service.domain.errors import Conflict, InvalidInput, NotFound
from service.domain.models import normalize_model
from service.domain.paging import Keyset, Page
from service.use_cases.context import Context
from service.use_cases.lookup import find_in_scope
from service.use_cases.recording import NewEvent, append


@dataclass(frozen=True, slots=True)
class BlacklistInput:
    reason: str
    code: str | None = None
    manufacturer: str | None = None
    batch: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class BlacklistEntryView:
    """One entry: a cylinder (``code``), a manufacturer's batch, or a model; lifted or not."""

    id: uuid.UUID
    kind: str
    code: str | None
    cylinder_id: int | None
    manufacturer: str | None
    batch: str | None
    model: str | None
    reason: str
    created_by: uuid.UUID
    created_at: datetime
    lifted_at: datetime | None
    lifted_by: uuid.UUID | None
    lift_reason: str | None


def entry_view(row: AnyRow) -> BlacklistEntryView:
    """A ``blacklist`` row with its cylinder's ``code``."""
    return BlacklistEntryView(
        id=row.id,
        kind=row.kind,
        code=row.code,
        cylinder_id=row.cylinder_id,
        manufacturer=row.manufacturer,
        batch=row.batch,
        model=row.model,
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
        lifted_at=row.lifted_at,
        lifted_by=row.lifted_by,
        lift_reason=row.lift_reason,
    )


def _kind(item: BlacklistInput) -> str:
    if item.code and not (item.manufacturer or item.batch or item.model):
        return "code"
    if item.manufacturer and item.batch and not (item.code or item.model):
        return "batch"
    if item.model and not (item.code or item.manufacturer or item.batch):
        return "model"
    raise InvalidInput(
        "BLACKLIST_TARGET",
        "须且只能指定: code；或 manufacturer + batch；或 model / give exactly one of: code; manufacturer + batch; model",
    )


ENTRIES = Keyset("bl", uuid.UUID)
ONLY_REGULATORS = "只有监管部门可以管理黑名单 / only regulators manage the blacklist"
# Everyone who handles cylinders reads it: the scanner's offline gate keeps a copy.
READERS = (
    Role.REGULATOR, Role.ADMIN, Role.COMPANY_ADMIN, Role.INSPECTOR, Role.FILLER, Role.DELIVERY,
)  # fmt: skip


async def _cylinder_event(
    conn: AsyncConnection,
    ctx: Context,
    actor: Actor,
    row: Row[Any],
    type_: str,
    payload: dict[str, Any],
) -> None:
    event_id = uuid.uuid4()
    await append(
        await driver_connection(conn),
        ctx,
        actor,
        row,
        event_id,
        request_hash(payload),
        NewEvent(type_, ctx.clock(), payload),
    )


async def add(ctx: Context, actor: Actor, item: BlacklistInput) -> BlacklistEntryView:
    require_role(actor, Role.REGULATOR, Role.ADMIN, detail=ONLY_REGULATORS)
    kind = _kind(item)
    if not item.reason.strip():
        raise InvalidInput("EMPTY", "须说明原因 / a reason is required")
    entry_id = uuid.uuid4()
    values: dict[str, Any] = {
        "id": entry_id, "kind": kind, "reason": item.reason.strip(),
        "created_by": uuid.UUID(actor.user_id), "created_org_id": uuid.UUID(actor.org.id),
        "created_at": ctx.clock(),
    }  # fmt: skip
    async with ctx.engine.begin() as conn:
        if kind == "code":
            row = await find_in_scope(
                conn, ctx, item.code or "", partial(access.is_in_region_of, actor), lock=True
            )
            if await bl_db.active_for_cylinder(conn, row.id):
                raise Conflict("ALREADY_BLACKLISTED", "该气瓶已在黑名单 / already blacklisted")
            values["cylinder_id"] = row.id
            await _cylinder_event(
                conn,
                ctx,
                actor,
                row,
                "blacklisted",
                {"blacklist_id": str(entry_id), "reason": values["reason"]},
            )
        elif kind == "batch":
            values.update(
                manufacturer=item.manufacturer,
                manufacturer_key=normalize_manufacturer(item.manufacturer or ""),
                batch=(item.batch or "").strip(),
            )
        else:
            spec = ctx.models.find(item.model or "")
            values["model"] = spec.name if spec else normalize_model(item.model or "")
        entry = await bl_db.insert_entry(conn, values)
        return entry_view(await bl_db.get_with_code(conn, entry.id))


async def lift(
    ctx: Context, actor: Actor, entry_id: uuid.UUID, reason: str | None
) -> BlacklistEntryView:
    require_role(actor, Role.REGULATOR, Role.ADMIN, detail=ONLY_REGULATORS)
    async with ctx.engine.begin() as conn:
        entry = await bl_db.get(conn, entry_id)
        if entry is None:
            raise NotFound("黑名单条目不存在 / no such blacklist entry")
        if entry.lifted_at is not None:
            raise Conflict("ALREADY_LIFTED", "已解除 / already lifted")
        if entry.cylinder_id is not None:
            row = await cyl_db.lock_by_id(conn, entry.cylinder_id)
            await _cylinder_event(
                conn,
                ctx,
                actor,
                row,
                "blacklist_lifted",
                {"blacklist_id": str(entry_id), "reason": reason},
            )
        await bl_db.lift(
            conn, entry_id, lifted_by=uuid.UUID(actor.user_id), lifted_at=ctx.clock(), reason=reason
        )
        return entry_view(await bl_db.get_with_code(conn, entry_id))


async def list_entries(
    ctx: Context, actor: Actor, *, cursor: str | None, limit: int, active: bool | None
) -> Page[BlacklistEntryView]:
    require_role(actor, *READERS, detail="无权查看黑名单 / you may not read the blacklist")
    async with ctx.engine.connect() as conn:
        rows, has_more = await bl_db.list_entries(
            conn, after=ENTRIES.after(cursor), limit=limit, active=active
        )
    return ENTRIES.page(rows, has_more, key=lambda row: row.id).map(entry_view)
