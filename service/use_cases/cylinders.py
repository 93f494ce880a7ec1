"""Reading cylinders: one by any identifier, or a filtered, paged list within scope."""

from __future__ import annotations

from functools import partial

from service.db import cylinders as cyl_db
from service.domain import access
from service.domain.access import Actor, CylinderFilter
from service.domain.errors import Forbidden
from service.domain.paging import Keyset, Page, int_key
from service.use_cases.context import Context
from service.use_cases.lookup import find_in_scope
from service.use_cases.views import CylinderView, cylinder_view

CYLINDERS = Keyset("cyl", int_key)


async def get_cylinder(ctx: Context, actor: Actor, text: str) -> CylinderView:
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
) -> Page[CylinderView]:
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
