"""Factories of the tests: cylinders registered through the use case, request bodies, actors
of the test world (``tests/world.py``), and row counts read straight from the database."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

import asyncpg

from service.domain.access import Actor, OrgKind, OrgRef, Role
from service.domain.registration import CylinderInput
from service.use_cases import register
from service.use_cases.context import Context
from tests.world import ADMIN, World

_serials = itertools.count(1)

# --- actors of the test world ------------------------------------------------------------------


def company_admin(world: World, company: str = "company_a") -> Actor:
    org = str(world.orgs[company])
    return Actor(
        str(world.user_ids[f"company_admin_{company[-1]}"]),
        Role.COMPANY_ADMIN,
        OrgRef(org, OrgKind.COMPANY, org, "330101"),
    )


def filler(
    world: World, who: str = "filler_a1", station: str = "station_a1", company: str = "company_a"
) -> Actor:
    return Actor(
        str(world.user_ids[who]),
        Role.FILLER,
        OrgRef(str(world.orgs[station]), OrgKind.STATION, str(world.orgs[company]), "330101"),
    )


def regulator(world: World) -> Actor:
    return Actor(
        str(world.user_ids["regulator"]),
        Role.REGULATOR,
        OrgRef(str(world.orgs["regulator"]), OrgKind.REGULATOR, None, "330101"),
    )


def inspector(world: World) -> Actor:
    return Actor(
        str(world.user_ids["inspector"]),
        Role.INSPECTOR,
        OrgRef(str(world.orgs["agency"]), OrgKind.INSPECTION_AGENCY, None, "330101"),
    )


# --- cylinders -------------------------------------------------------------------------------


def _registrar(world: World, company: str) -> Actor:
    """The company's admin; the platform admin for the company in another city."""
    return ADMIN if company == "company_far" else company_admin(world, company)


async def register_one(
    ctx: Context, world: World, company: str = "company_a", **fields: Any
) -> str:
    """Register one cylinder for ``company`` and return its code."""
    values: dict[str, Any] = {
        "serial_no": f"SN-{next(_serials):06d}",
        "manufacturer": "浙江某钢瓶厂",
        "manufactured_on": date(2024, 3, 1),
        "model": "YSP35.5",
        "owner_id": str(world.orgs[company]),
    }
    values.update(fields)
    actor = _registrar(world, company)
    done, _ = await register.register_cylinders(ctx, actor, [CylinderInput(**values)])
    return done[0].code


async def register_many(
    ctx: Context, world: World, count: int, company: str = "company_a"
) -> list[str]:
    """Register ``count`` cylinders for ``company`` in one batch, as a company's ledger would
    be; their codes in registration order."""
    items = [
        CylinderInput(
            serial_no=f"LB-{next(_serials):06d}",
            manufacturer="浙江某钢瓶厂",
            manufactured_on=date(2024, 3, 1),
            model="YSP35.5",
            owner_id=str(world.orgs[company]),
        )
        for _ in range(count)
    ]
    done, _ = await register.register_cylinders(ctx, _registrar(world, company), items)
    return [item.code for item in sorted(done, key=lambda d: d.id)]


# --- request bodies --------------------------------------------------------------------------


def cylinder_body(
    world: World, owner: str = "company_a", serial: str = "S-0001", **extra: object
) -> dict[str, object]:
    """The body of ``POST /cylinders``: a YSP35.5 made in March 2024."""
    return {
        "serial_no": serial,
        "manufacturer": "浙江某钢瓶厂",
        "manufactured_on": "2024-03-01",
        "model": "YSP35.5",
        "owner_id": str(world.orgs[owner]),
        **extra,
    }


def event_body(**fields: Any) -> dict[str, Any]:
    """The body of an event call, with a new ``event_id`` (as a scanner makes one)."""
    return {"event_id": str(uuid.uuid4()), **fields}


# On the fake clock's day; tests against a real process give the real time.
FILLED_AT = "2026-06-15T10:00:00+08:00"


def fill_body(scan: str, filled_at: str = FILLED_AT, **fields: Any) -> dict[str, Any]:
    """The body of ``POST /fills``: 14.5 kg, leak test passed, unless ``fields`` say otherwise."""
    return event_body(
        scan=scan, net_kg=14.5, filled_at=filled_at, post_checks={"leak_ok": True}, **fields
    )


# --- the database, read directly ---------------------------------------------------------------


async def count_rows(dsn: str, *tables: str) -> dict[str, int]:
    """How many rows each table holds (as the superuser: no role or trigger in the way)."""
    conn = await asyncpg.connect(dsn)
    try:
        return {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}")) for t in tables}
    finally:
        await conn.close()
