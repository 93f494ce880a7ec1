"""Cylinders to print labels for: registered in one batch, as a company's ledger would be."""

from __future__ import annotations

import itertools
from datetime import date

from service.domain.registration import CylinderInput
from service.use_cases import register
from service.use_cases.context import Context
from tests.helpers import company_admin
from tests.world import ADMIN, World

_serials = itertools.count(1)


async def register_many(
    ctx: Context, world: World, count: int, company: str = "company_a"
) -> list[str]:
    """Register ``count`` cylinders for ``company``; their codes in registration order."""
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
    actor = ADMIN if company == "company_far" else company_admin(world, company)
    done, _ = await register.register_cylinders(ctx, actor, items)
    return [item.code for item in sorted(done, key=lambda d: d.id)]
