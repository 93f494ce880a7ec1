"""From rows to what the domain's rules take: one mapper for each shape of row, here, so that a
renamed column is one edit and no use case reads column names to build a snapshot.

Each takes a row of either driver (``AnyRow``: SQLAlchemy's, or the hot path's asyncpg record)
with the columns its docstring names.
"""

from __future__ import annotations

import uuid
from typing import Any

from service.db.engine import AnyRow
from service.domain.access import OrgKind, OrgRef
from service.domain.chain import ChainLink
from service.domain.gate import CylinderSnapshot, OperatorSnapshot, StationSnapshot
from service.domain.lifecycle import CylinderState
from service.domain.projection import PROJECTED


def _org_ref(
    org_id: uuid.UUID, kind: str, company_id: uuid.UUID | None, region_code: str | None
) -> OrgRef:
    return OrgRef(str(org_id), OrgKind(kind), str(company_id) if company_id else None, region_code)


def org_ref(row: AnyRow) -> OrgRef:
    """An ``organization`` row, as the access rules see it."""
    return _org_ref(row.id, row.kind, row.company_id, row.region_code)


def owner_ref(row: AnyRow) -> OrgRef:
    """The owner of a cylinder row joined with its ``owner_*`` columns
    (``db.cylinders.find_with_owner``)."""
    return _org_ref(row.owner_id, row.owner_kind, row.owner_company_id, row.owner_region_code)


def member_org_ref(row: AnyRow) -> OrgRef:
    """A user's organisation, from a row with ``org_id``, ``kind``, ``company_id`` and
    ``region_code`` (``db.organizations.find_actor``)."""
    return _org_ref(row.org_id, row.kind, row.company_id, row.region_code)


def cylinder_snapshot(row: AnyRow, *, with_recent: bool) -> CylinderSnapshot:
    """The gate's view of a cylinder row with ``is_blacklisted``. ``with_recent``: the row also
    carries the last fill and the last sighting (the gate's snapshot does; the public page's
    facts do not)."""
    return CylinderSnapshot(
        code=row.code,
        owner_id=str(row.owner_id),
        model=row.model,
        status=row.status,
        hold_reason=row.hold_reason,
        next_inspection_due=row.next_inspection_due,
        scrap_on=row.scrap_on,
        is_inspection_failed=row.is_inspection_failed,
        flags=tuple(row.flags),
        needs_purge=row.needs_purge,
        is_blacklisted=bool(row.is_blacklisted),
        last_fill_at=row.last_fill_at if with_recent else None,
        last_seen_at=row.last_seen_at if with_recent else None,
        last_seen_org_id=(
            str(row.last_seen_org_id) if with_recent and row.last_seen_org_id else None
        ),
    )


def station_snapshot(row: AnyRow) -> StationSnapshot:
    """The caller's station, from the gate snapshot's ``s_*`` columns and ``is_entrusted``."""
    return StationSnapshot(
        id=str(row.s_id),
        company_id=str(row.s_company_id) if row.s_company_id else None,
        is_station=row.s_kind == OrgKind.STATION,
        license_no=row.s_license_no,
        license_expires_on=row.s_license_expires_on,
        is_license_suspended=row.s_is_license_suspended,
        is_locked=row.s_is_locked,
        is_entrusted=bool(row.is_entrusted),
    )


def operator_snapshot(row: AnyRow) -> OperatorSnapshot:
    """The filler, from the gate snapshot's ``u_*`` columns."""
    return OperatorSnapshot(row.u_certificate_no, row.u_certificate_expires_on)


def cylinder_state(row: AnyRow) -> CylinderState:
    """A ``cylinder`` row, as the lifecycle transitions see it."""
    return CylinderState(
        status=row.status,
        hold_reason=row.hold_reason,
        manufactured_on=row.manufactured_on,
        design_life_years=row.design_life_years,
        max_extension_years=row.max_extension_years,
        extension_years=row.extension_years,
        scrap_on=row.scrap_on,
        next_inspection_due=row.next_inspection_due,
    )


def projected_state(row: AnyRow) -> dict[str, Any]:
    """A ``cylinder`` row's columns that its history must rebuild (``projection.PROJECTED``)."""
    return {column: getattr(row, column) for column in PROJECTED}


def chain_link(row: AnyRow, code: str) -> tuple[ChainLink, bytes]:
    """An ``event`` row as a link of ``code``'s hash chain, and the hash stored with it."""
    link = ChainLink(
        code, row.seq, str(row.event_id), row.type, row.occurred_at, row.recorded_at,
        str(row.actor_id) if row.actor_id else None, str(row.org_id) if row.org_id else None,
        row.payload, bytes(row.prev_hash) if row.prev_hash is not None else None,
    )  # fmt: skip
    return link, bytes(row.hash)
