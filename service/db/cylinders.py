"""Queries on cylinders and their aliases. Executes statements; never commits.

Bulk registration writes with PostgreSQL ``COPY`` (asyncpg ``copy_records_to_table``): ids are
taken from the identity sequence in one round trip, then cylinders, aliases and their
``registered`` events are copied in. That is what lets a ledger of 100,000 rows go in within
seconds, inside one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, select, text, true
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.engine import RawConnection, Record, driver_connection, positional
from service.db.paging import fetch_page
from service.db.tables import alias_table, cylinder_table, event_table, organization_table
from service.domain.access import CylinderFilter, CylinderScope

# The columns a registration COPYs, in the order of the records ``copy_registrations`` takes.
CYLINDER_COPY_COLUMNS = (
    "id", "code", "serial_no", "serial_key", "manufacturer", "manufacturer_key",
    "manufactured_on", "model", "batch", "owner_id", "tare_kg", "design_life_years",
    "max_extension_years", "last_inspected_on", "next_inspection_due", "scrap_on", "flags",
    "event_count", "last_event_hash", "registered_at", "last_event_at",
)  # fmt: skip
ALIAS_COPY_COLUMNS = ("key", "cylinder_id", "raw")
EVENT_COPY_COLUMNS = (
    "cylinder_id", "seq", "event_id", "type", "occurred_at", "recorded_at", "actor_id",
    "org_id", "payload", "request_hash", "prev_hash", "hash",
)  # fmt: skip


async def allocate_ids(conn: AsyncConnection, count: int) -> list[int]:
    result = await conn.execute(
        text(
            "SELECT nextval(pg_get_serial_sequence('cylinder', 'id')) FROM generate_series(1, :n)"
        ),
        {"n": count},
    )
    return [row[0] for row in result]


async def copy_registrations(
    conn: AsyncConnection,
    cylinders: list[tuple[Any, ...]],
    aliases: list[tuple[Any, ...]],
    events: list[tuple[Any, ...]],
) -> None:
    """COPY new cylinders, their aliases and their ``registered`` events (records in the order
    of ``CYLINDER_COPY_COLUMNS``, ``ALIAS_COPY_COLUMNS``, ``EVENT_COPY_COLUMNS``)."""
    driver = await driver_connection(conn)
    for table, columns, records in (
        (cylinder_table, CYLINDER_COPY_COLUMNS, cylinders),
        (alias_table, ALIAS_COPY_COLUMNS, aliases),
        (event_table, EVENT_COPY_COLUMNS, events),
    ):
        if records:
            await driver.copy_records_to_table(table.name, records=records, columns=columns)


async def existing_serials(
    conn: AsyncConnection, pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Which (manufacturer_key, serial_key) pairs are already registered, with their code."""
    if not pairs:
        return {}
    found: dict[tuple[str, str], str] = {}
    for start in range(0, len(pairs), 5000):
        chunk = pairs[start : start + 5000]
        result = await conn.execute(
            text(
                "SELECT c.manufacturer_key, c.serial_key, c.code FROM cylinder c "
                "JOIN unnest(CAST(:m AS varchar[]), CAST(:s AS varchar[])) AS t(m, s) "
                "ON c.manufacturer_key = t.m AND c.serial_key = t.s"
            ),
            {"m": [p[0] for p in chunk], "s": [p[1] for p in chunk]},
        )
        found.update({(row[0], row[1]): row[2] for row in result})
    return found


async def existing_aliases(conn: AsyncConnection, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    result = await conn.execute(
        text("SELECT key FROM cylinder_alias WHERE key = ANY(CAST(:keys AS varchar[]))"),
        {"keys": keys},
    )
    return {row[0] for row in result}


@dataclass(frozen=True, slots=True)
class Lookup:
    """How to find a cylinder: by code, alias key, or manufacturer + serial (any may be None;
    the first that matches wins, in that order)."""

    code: str | None = None
    alias_key: str | None = None
    manufacturer_key: str | None = None
    serial_key: str | None = None


# The id of the cylinder a ``Lookup`` names (``lookup_params``), as a sub-select.
TARGET = """
    SELECT id FROM (
        SELECT id, 1 AS rank FROM cylinder WHERE code = CAST(:code AS varchar)
        UNION ALL
        SELECT cylinder_id, 2 FROM cylinder_alias WHERE key = CAST(:alias AS varchar)
        UNION ALL
        SELECT id, 3 FROM cylinder
         WHERE manufacturer_key = CAST(:mkey AS varchar) AND serial_key = CAST(:skey AS varchar)
    ) found ORDER BY rank LIMIT 1
"""
_FIND = text(f"SELECT c.* FROM cylinder c WHERE c.id = ({TARGET})")  # noqa: S608
_FIND_FOR_UPDATE = text(f"SELECT c.* FROM cylinder c WHERE c.id = ({TARGET}) FOR UPDATE")  # noqa: S608


LOCK_TARGET = positional(
    f"SELECT id, code FROM cylinder WHERE id = ({TARGET}) FOR UPDATE"  # noqa: S608
)


async def lock_target(driver: RawConnection, lookup: Lookup) -> Record | None:
    """Take the row lock of the cylinder ``lookup`` names (asyncpg connection, inside its
    transaction); its id and code, or None."""
    params = lookup_params(lookup)
    record: Record | None = await driver.fetchrow(
        LOCK_TARGET.sql, *LOCK_TARGET.args(params), record_class=Record
    )
    return record


CYLINDER_WITH_OWNER = positional(
    "SELECT c.*, o.kind AS owner_kind, o.company_id AS owner_company_id, "  # noqa: S608
    "o.region_code AS owner_region_code, o.name AS owner_name "
    f"FROM cylinder c JOIN organization o ON o.id = c.owner_id WHERE c.id = ({TARGET})"
)


async def find_with_owner(driver: RawConnection, lookup: Lookup) -> Record | None:
    """The cylinder and what scope checks need of its owner, in one round trip (asyncpg)."""
    params = lookup_params(lookup)
    record: Record | None = await driver.fetchrow(
        CYLINDER_WITH_OWNER.sql, *CYLINDER_WITH_OWNER.args(params), record_class=Record
    )
    return record


def lookup_params(lookup: Lookup) -> dict[str, str | None]:
    return {
        "code": lookup.code,
        "alias": lookup.alias_key,
        "mkey": lookup.manufacturer_key,
        "skey": lookup.serial_key,
    }


async def find(conn: AsyncConnection, lookup: Lookup, *, lock: bool = False) -> Row[Any] | None:
    statement = _FIND_FOR_UPDATE if lock else _FIND
    return (await conn.execute(statement, lookup_params(lookup))).first()


async def cylinders_after(conn: AsyncConnection, after_id: int, limit: int) -> list[Row[Any]]:
    """Up to ``limit`` cylinders with ids above ``after_id``, in id order (to walk them all)."""
    query = (
        select(cylinder_table)
        .where(cylinder_table.c.id > after_id)
        .order_by(cylinder_table.c.id)
        .limit(limit)
    )
    return list((await conn.execute(query)).all())


async def lock_by_id(conn: AsyncConnection, cylinder_id: int) -> Row[Any]:
    query = select(cylinder_table).where(cylinder_table.c.id == cylinder_id).with_for_update()
    return (await conn.execute(query)).one()


async def aliases_of(conn: AsyncConnection, cylinder_ids: list[int]) -> dict[int, list[str]]:
    if not cylinder_ids:
        return {}
    result = await conn.execute(
        select(alias_table.c.cylinder_id, alias_table.c.raw)
        .where(alias_table.c.cylinder_id.in_(cylinder_ids))
        .order_by(alias_table.c.cylinder_id, alias_table.c.key)
    )
    out: dict[int, list[str]] = {}
    for cylinder_id, raw in result:
        out.setdefault(cylinder_id, []).append(raw)
    return out


def _filter_conditions(filters: CylinderFilter) -> list[Any]:
    wanted: list[tuple[Any, Callable[[Any], Any]]] = [
        (filters.owner_id, lambda v: cylinder_table.c.owner_id == v),
        (filters.status, lambda v: cylinder_table.c.status == v),
        (filters.model, lambda v: cylinder_table.c.model == v),
        (filters.inspection_due_before, lambda v: cylinder_table.c.next_inspection_due < v),
        (filters.scrap_before, lambda v: cylinder_table.c.scrap_on < v),
        (filters.manufacturer, lambda v: cylinder_table.c.manufacturer == v),
        (filters.batch, lambda v: cylinder_table.c.batch == v),
    ]
    return [clause(value) for value, clause in wanted if value is not None and value != ""]


def _scope_conditions(scope: CylinderScope) -> list[Any]:
    conditions = []
    if scope.owner_id is not None:
        conditions.append(cylinder_table.c.owner_id == uuid.UUID(scope.owner_id))
    if scope.region_prefix:
        regional = select(organization_table.c.id).where(
            organization_table.c.region_code.startswith(scope.region_prefix, autoescape=True)
        )
        conditions.append(cylinder_table.c.owner_id.in_(regional))
    return conditions


async def list_cylinders(
    conn: AsyncConnection,
    scope: CylinderScope,
    filters: CylinderFilter,
    *,
    after_id: int | None,
    limit: int,
) -> tuple[list[Row[Any]], bool]:
    conditions = _scope_conditions(scope) + _filter_conditions(filters)
    query = select(cylinder_table).where(and_(true(), *conditions))
    return await fetch_page(conn, query, cylinder_table.c.id, after=after_id, limit=limit)
