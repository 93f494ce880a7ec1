"""What use cases hand up to the routes, the CLI and the pages: frozen views, never database
rows. Views that one use case returns live beside it; the ones several return live here.

Times are shown in the deployment's zone where a person reads them (a cylinder's last fill,
its registration); the API schemas (``service.api.schemas``) are built from these views.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from service.db.engine import AnyRow
from service.domain.access import OrgKind
from service.use_cases.context import Context


@dataclass(frozen=True, slots=True)
class OrganizationView:
    id: uuid.UUID
    name: str
    kind: OrgKind
    parent_id: uuid.UUID | None
    company_id: uuid.UUID | None
    region_code: str | None
    license_no: str | None
    license_expires_on: date | None
    is_license_suspended: bool
    is_locked: bool
    created_at: datetime


def organization_view(row: AnyRow) -> OrganizationView:
    """An ``organization`` row."""
    return OrganizationView(
        id=row.id,
        name=row.name,
        kind=OrgKind(row.kind),
        parent_id=row.parent_id,
        company_id=row.company_id,
        region_code=row.region_code,
        license_no=row.license_no,
        license_expires_on=row.license_expires_on,
        is_license_suspended=row.is_license_suspended,
        is_locked=row.is_locked,
        created_at=row.created_at,
    )


@dataclass(frozen=True, slots=True)
class LastFillView:
    at: datetime
    station_id: uuid.UUID | None
    net_kg: float | None


@dataclass(frozen=True, slots=True)
class CylinderView:
    """A cylinder as its owner's staff, regulators and inspectors see it."""

    code: str
    qr_payload: str
    serial_no: str
    manufacturer: str
    manufactured_on: date
    model: str
    batch: str | None
    owner_id: uuid.UUID
    status: str
    hold_reason: str | None
    last_inspected_on: date | None
    next_inspection_due: date
    scrap_on: date
    design_life_years: int
    extension_years: int
    tare_kg: float | None
    flags: list[str]
    needs_purge: bool
    aliases: list[str]
    last_fill: LastFillView | None
    event_count: int
    registered_at: datetime


def cylinder_view(ctx: Context, row: AnyRow, aliases: list[str]) -> CylinderView:
    """A ``cylinder`` row, with its QR text and aliases; times in the deployment's zone."""
    zone = ctx.zone
    last_fill = None
    if row.last_fill_at is not None:
        last_fill = LastFillView(
            row.last_fill_at.astimezone(zone), row.last_fill_org_id, row.last_fill_net_kg
        )
    return CylinderView(
        code=row.code,
        qr_payload=ctx.qr_payload(row.code),
        serial_no=row.serial_no,
        manufacturer=row.manufacturer,
        manufactured_on=row.manufactured_on,
        model=row.model,
        batch=row.batch,
        owner_id=row.owner_id,
        status=row.status,
        hold_reason=row.hold_reason,
        last_inspected_on=row.last_inspected_on,
        next_inspection_due=row.next_inspection_due,
        scrap_on=row.scrap_on,
        design_life_years=row.design_life_years,
        extension_years=row.extension_years,
        tare_kg=row.tare_kg,
        flags=list(row.flags),
        needs_purge=row.needs_purge,
        aliases=aliases,
        last_fill=last_fill,
        event_count=row.event_count,
        registered_at=row.registered_at.astimezone(zone),
    )
