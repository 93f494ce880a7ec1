"""The public page's one query: a cylinder by its code, with its owner's name, the name of the
station that last filled it and whether a blacklist entry names it. Only the columns the page
and the status need: nothing here can leak a person (no users, no customers, no events)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.gate import IS_BLACKLISTED

_PUBLIC_FACTS = text(f"""
SELECT c.code, c.model, c.manufacturer, c.manufactured_on, c.owner_id, c.status,
       c.hold_reason, c.next_inspection_due, c.scrap_on, c.is_inspection_failed, c.flags,
       c.needs_purge, c.last_fill_at,
       o.name AS owner_name,
       f.name AS last_fill_station_name,
       {IS_BLACKLISTED} AS is_blacklisted
  FROM cylinder c
  JOIN organization o ON o.id = c.owner_id
  LEFT JOIN organization f ON f.id = c.last_fill_org_id
 WHERE c.code = CAST(:code AS varchar)
""")  # noqa: S608  (constant fragments; the code is a bound parameter)


async def public_facts(conn: AsyncConnection, code: str) -> Row[Any] | None:
    return (await conn.execute(_PUBLIC_FACTS, {"code": code})).first()
