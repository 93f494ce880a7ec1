"""Reading cylinders: one by any identifier, or a filtered, paged list within scope."""

from __future__ import annotations

from functools import partial
from typing import Any

from service.db import cylinders as cyl_db
from service.db.engine import AnyRow
from service.domain import access
from service.domain.access import Actor, CylinderFilter
from service.domain.errors import Forbidden
from service.domain.paging import Keyset, Page, int_key
from service.use_cases.context import Context
from service.use_cases.lookup import find_in_scope

CYLINDERS = Keyset("cyl", int_key)


def cylinder_view(ctx: Context, row: AnyRow, aliases: list[str]) -> dict[str, Any]:
    last_fill = None
    if row.last_fill_at is not None:
        last_fill = {
            "at": row.last_fill_at.astimezone(ctx.zone),
            "station_id": row.last_fill_org_id,
            "net_kg": row.last_fill_net_kg,
        }
    return {
        "code": row.code,
        "qr_payload": ctx.qr_payload(row.code),
        "serial_no": row.serial_no,
        "manufacturer": row.manufacturer,
        "manufactured_on": row.manufactured_on,
        "model": row.model,
        "batch": row.batch,
        "owner_id": row.owner_id,
        "status": row.status,
        "hold_reason": row.hold_reason,
        "last_inspected_on": row.last_inspected_on,
        "next_inspection_due": row.next_inspection_due,
        "scrap_on": row.scrap_on,
        "design_life_years": row.design_life_years,
        "extension_years": row.extension_years,
        "tare_kg": row.tare_kg,
        "flags": list(row.flags),
        "needs_purge": row.needs_purge,
        "aliases": aliases,
        "last_fill": last_fill,
        "event_count": row.event_count,
        "registered_at": row.registered_at.astimezone(ctx.zone),
    }


async def get_cylinder(ctx: Context, actor: Actor, text: str) -> dict[str, Any]:
    async with ctx.engine.connect() as conn:
        row = await find_in_scope(conn, ctx, text, partial(access.can_read_cylinder, actor))
        aliases = await cyl_db.aliases_of(conn, [row.id])
    return cylinder_view(ctx, row, aliases.get(row.id, []))


async def list_cylinders(
    ctx: Context,
    actor: Actor,
    filters: CylinderFilter,
    *,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    scope = access.cylinder_list_scope(actor)
    if scope is None:
        raise Forbidden("此角色不能浏览气瓶列表 / this role may not list cylinders")
    async with ctx.engine.connect() as conn:
        rows, has_more = await cyl_db.list_cylinders(
            conn, scope, filters, after_id=CYLINDERS.after(cursor), limit=limit
        )
        aliases = await cyl_db.aliases_of(conn, [r.id for r in rows])
    page = CYLINDERS.page(rows, has_more, key=lambda row: row.id)
    return page.map(lambda row: cylinder_view(ctx, row, aliases.get(row.id, [])))
