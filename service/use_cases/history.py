"""A cylinder's history, oldest first, and the check that nobody rewrote it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Row

from service.db import cylinders as cyl_db
from service.db import events as event_db
from service.db.engine import driver
from service.db.snapshots import chain_link, owner_ref, projected_state
from service.domain import access
from service.domain.access import Actor
from service.domain.chain import ChainProblem, verify_chain
from service.domain.errors import NotFound
from service.domain.paging import Keyset, int_key
from service.domain.projection import differences, fold
from service.use_cases.context import Context
from service.use_cases.lookup import NOT_FOUND, resolve

HISTORY = Keyset("ev", int_key)


@dataclass(frozen=True, slots=True)
class EventsPage:
    """A page of a cylinder's history, oldest first: the events as a JSON array (text, built
    by PostgreSQL and passed on untouched), and the cursor of the next page."""

    items_json: str
    next_cursor: str | None


async def events_page(
    ctx: Context, actor: Actor, code: str, *, cursor: str | None, limit: int
) -> EventsPage:
    """The history is the busiest read: PostgreSQL builds the page's JSON."""
    after = HISTORY.after(cursor) or 0
    async with driver(ctx.engine, ctx.pool) as conn:
        cylinder = await cyl_db.find_with_owner(conn, resolve(ctx, code).lookup)
        if cylinder is None or not access.can_read_cylinder(actor, owner_ref(cylinder)):
            raise NotFound(NOT_FOUND)
        items, more, last = await event_db.page_json(
            conn, cylinder.id, cylinder.code, after_seq=after, limit=limit
        )
    return EventsPage(items, HISTORY.cursor(last) if more and last is not None else None)


async def list_events(
    ctx: Context, actor: Actor, code: str, *, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The same page parsed, and the next cursor (for the command line and tests)."""
    page = await events_page(ctx, actor, code, cursor=cursor, limit=limit)
    events: list[dict[str, Any]] = orjson.loads(page.items_json)
    return events, page.next_cursor


def _projection_problems(head: Row[Any], rows: list[Row[Any]]) -> list[ChainProblem]:
    expected = fold((r.type, r.payload) for r in rows)
    if expected is None:
        return [ChainProblem(0, "not_registered", "the history does not start with a registration")]
    changed = differences(expected, projected_state(head))
    if not changed:
        return []
    return [
        ChainProblem(
            head.event_count,
            "state_mismatch",
            f"stored {', '.join(changed)} disagree with the history",
        )
    ]


@dataclass(frozen=True, slots=True)
class CylinderReport:
    code: str
    events: int
    problems: list[ChainProblem]


async def verify_all(ctx: Context, *, batch: int = 1000) -> tuple[int, list[CylinderReport]]:
    """Walk every cylinder's chain; return how many were checked and those with problems."""
    checked = 0
    bad: list[CylinderReport] = []
    after = 0
    while True:
        async with ctx.engine.connect() as conn:
            heads = await cyl_db.cylinders_after(conn, after, batch)
            chains = await event_db.chains_of(conn, [h.id for h in heads])
            for head in heads:
                rows = chains[head.id]
                links = [chain_link(r, head.code) for r in rows]
                last = bytes(head.last_event_hash) if head.last_event_hash is not None else None
                problems = verify_chain(links, last, head.event_count)
                problems.extend(_projection_problems(head, rows))
                if problems:
                    bad.append(CylinderReport(head.code, len(rows), problems))
                checked += 1
        if len(heads) < batch:
            return checked, bad
        after = heads[-1].id
