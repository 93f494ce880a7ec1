"""Organisations: companies and their stations, inspection agencies, regulators, makers."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row

from service.db import organizations as org_db
from service.db.snapshots import org_ref
from service.domain import access
from service.domain.access import Actor, OrgKind, Role, require_role
from service.domain.errors import InvalidInput, NotFound
from service.domain.paging import Keyset, Page
from service.use_cases.context import Context
from service.use_cases.views import OrganizationView, organization_view

REGION_CODE = re.compile(r"^\d{2}(\d{2}){0,5}$")
ORGANIZATIONS = Keyset("org", uuid.UUID)


@dataclass(frozen=True, slots=True)
class OrgInput:
    name: str
    kind: OrgKind
    parent_id: uuid.UUID | None = None
    region_code: str | None = None
    license_no: str | None = None
    license_expires_on: date | None = None


def _check_parent(item: OrgInput, parent: Row[Any] | None) -> None:
    if item.kind == OrgKind.STATION:
        if item.parent_id is None:
            raise InvalidInput(
                "PARENT_REQUIRED",
                "充装站必须隶属于一个燃气企业 / a station needs its company as parent_id",
            )
        if parent is None:
            raise InvalidInput("PARENT_NOT_FOUND", "上级单位不存在 / parent organisation not found")
        if parent.kind != OrgKind.COMPANY:
            raise InvalidInput(
                "PARENT_NOT_COMPANY",
                "充装站的上级必须是燃气企业 / a station's parent must be a company",
            )
    elif item.parent_id is not None:
        if parent is None:
            raise InvalidInput("PARENT_NOT_FOUND", "上级单位不存在 / parent organisation not found")
        if parent.kind != item.kind:
            raise InvalidInput(
                "PARENT_KIND_MISMATCH", "上级单位必须同类 / the parent must be of the same kind"
            )


async def create_org(ctx: Context, actor: Actor, item: OrgInput) -> OrganizationView:
    require_role(
        actor,
        Role.ADMIN,
        detail="只有平台管理员可以创建单位 / only a platform admin creates organisations",
    )
    if item.region_code is not None and not REGION_CODE.match(item.region_code):
        raise InvalidInput(
            "BAD_REGION_CODE",
            "行政区划代码应为 2-12 位数字 (GB/T 2260) / region_code must be 2-12 digits",
        )
    if not item.name.strip():
        raise InvalidInput("EMPTY", "名称不能为空 / name is empty")
    async with ctx.engine.begin() as conn:
        parent = await org_db.get_org(conn, item.parent_id) if item.parent_id else None
        _check_parent(item, parent)
        values: dict[str, Any] = {
            "name": item.name.strip(),
            "kind": item.kind.value,
            "parent_id": item.parent_id,
            "region_code": item.region_code or (parent.region_code if parent is not None else None),
            "license_no": item.license_no,
            "license_expires_on": item.license_expires_on,
        }
        if item.kind == OrgKind.STATION and parent is not None:
            values["company_id"] = parent.id
        return organization_view(await org_db.insert_org(conn, values))


async def get_org(ctx: Context, actor: Actor, org_id: uuid.UUID) -> OrganizationView:
    async with ctx.engine.connect() as conn:
        row = await org_db.get_org(conn, org_id)
    if row is None or not access.can_read_org(actor, org_ref(row)):
        raise NotFound("单位不存在 / organisation not found")
    return organization_view(row)


async def list_orgs(
    ctx: Context, actor: Actor, *, cursor: str | None, limit: int, kind: str | None
) -> Page[OrganizationView]:
    filters: dict[str, Any] = {"kind": kind}
    if actor.role is Role.REGULATOR:
        filters["region_prefix"] = actor.org.region_code
    elif actor.company_id is not None:
        filters["company_id"] = uuid.UUID(actor.company_id)
    elif actor.role is not Role.ADMIN:
        filters["only_id"] = uuid.UUID(actor.org.id)
    async with ctx.engine.connect() as conn:
        rows, has_more = await org_db.list_orgs(
            conn, after=ORGANIZATIONS.after(cursor), limit=limit, **filters
        )
    return ORGANIZATIONS.page(rows, has_more, key=lambda row: row.id).map(organization_view)
