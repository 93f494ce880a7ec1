"""Small builders shared by the integration and API tests."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

from service.domain.access import Actor, OrgKind, OrgRef, Role
from service.domain.registration import CylinderInput
from service.use_cases import register
from service.use_cases.context import Context
from tests.world import World

_serials = itertools.count(1)


def company_admin(world: World, company: str = "company_a") -> Actor:
    org = str(world.orgs[company])
    return Actor(
        str(world.user_ids[f"company_admin_{company[-1]}"]),
        Role.COMPANY_ADMIN,
        OrgRef(org, OrgKind.COMPANY, org, "330101"),
    )


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
    actor = company_admin(world, company) if company != "company_far" else None
    if actor is None:
        from tests.world import ADMIN

        actor = ADMIN
    done, _ = await register.register_cylinders(ctx, actor, [CylinderInput(**values)])
    return done[0].code


def event_body(**fields: Any) -> dict[str, Any]:
    return {"event_id": str(uuid.uuid4()), **fields}


def headers_for(world: World, role: str) -> dict[str, str]:
    """The Authorization header of a role of the test world; also nobody, and a wrong token."""
    if role == "anonymous":
        return {}
    if role == "bad_token":
        return {"Authorization": "Bearer cyl_nobody-has-this-token-0000000000"}
    return world.headers(role)
