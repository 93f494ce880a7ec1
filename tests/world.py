"""A small county to test against: one regulator, three gas companies (two in the county,
one elsewhere) with stations, an inspection agency, and a user of every role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from service.domain.access import Actor, OrgKind, OrgRef, Role
from service.use_cases import organizations, users
from service.use_cases.context import Context
from service.use_cases.users import PLATFORM_ORG_ID, ensure_admin

ADMIN_TOKEN = "cyl_test-admin-token-0123456789abcdef"


@dataclass
class World:
    orgs: dict[str, uuid.UUID] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


ADMIN = Actor(
    "00000000-0000-4000-8000-0000000000aa",
    Role.ADMIN,
    OrgRef(str(PLATFORM_ORG_ID), OrgKind.REGULATOR, None, None),
)

ORGS: list[tuple[str, dict[str, Any]]] = [
    ("regulator", {"name": "某县市场监管局", "kind": OrgKind.REGULATOR, "region_code": "330101"}),
    ("regulator_far", {"name": "外市市场监管局", "kind": OrgKind.REGULATOR, "region_code": "3201"}),
    ("company_a", {"name": "甲燃气有限公司", "kind": OrgKind.COMPANY, "region_code": "330101"}),
    ("company_b", {"name": "乙燃气有限公司", "kind": OrgKind.COMPANY, "region_code": "330101"}),
    ("company_far", {"name": "外地燃气公司", "kind": OrgKind.COMPANY, "region_code": "320102"}),
    (
        "agency",
        {"name": "县特种设备检验所", "kind": OrgKind.INSPECTION_AGENCY, "region_code": "330101"},
    ),
]
STATIONS = [
    ("station_a1", "company_a", "A01"),
    ("station_a2", "company_a", "A02"),
    ("station_b1", "company_b", "B01"),
    ("station_far", "company_far", "F01"),
]
USERS = [
    ("company_admin_a", "company_a", Role.COMPANY_ADMIN),
    ("company_admin_b", "company_b", Role.COMPANY_ADMIN),
    ("filler_a1", "station_a1", Role.FILLER),
    ("filler_a2", "station_a2", Role.FILLER),
    ("filler_b1", "station_b1", Role.FILLER),
    ("filler_far", "station_far", Role.FILLER),
    ("delivery_a1", "station_a1", Role.DELIVERY),
    ("delivery_b1", "station_b1", Role.DELIVERY),
    ("inspector", "agency", Role.INSPECTOR),
    ("regulator", "regulator", Role.REGULATOR),
    ("regulator_far", "regulator_far", Role.REGULATOR),
]


async def build_world(ctx: Context) -> World:
    world = World()
    await ensure_admin(ctx, ADMIN_TOKEN)
    world.tokens["admin"] = ADMIN_TOKEN
    for key, spec in ORGS:
        row = await organizations.create_org(ctx, ADMIN, organizations.OrgInput(**spec))
        world.orgs[key] = row.id
    for key, parent, licence in STATIONS:
        row = await organizations.create_org(
            ctx,
            ADMIN,
            organizations.OrgInput(
                name=f"{key} 充装站",
                kind=OrgKind.STATION,
                parent_id=world.orgs[parent],
                license_no=f"TS{licence}",
                license_expires_on=date(2029, 12, 31),
            ),
        )
        world.orgs[key] = row.id
    for key, org, role in USERS:
        cert: dict[str, Any] = (
            {"certificate_no": f"CERT-{key}", "certificate_expires_on": date(2028, 1, 1)}
            if role is Role.FILLER
            else {}
        )
        user, token = await users.create_user(
            ctx, ADMIN, users.UserInput(name=key, org_id=world.orgs[org], role=role, **cert)
        )
        world.tokens[key] = token
        world.user_ids[key] = user.id
    return world
