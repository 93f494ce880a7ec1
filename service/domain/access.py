"""Who may do what: roles, organisations and scope, as pure functions.

A caller (``Actor``) belongs to one organisation. A station's company is its parent; staff of
a company or of its stations act for that company. Regulators read everything whose region
code (GB/T 2260, e.g. ``330109``) starts with theirs; a regulator without a region is national.

The rule for what the caller may not see is "404, do not reveal it" (``api.md``); for what the
caller may see but not do, 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from service.domain.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    COMPANY_ADMIN = "company_admin"
    FILLER = "filler"
    DELIVERY = "delivery"
    INSPECTOR = "inspector"
    REGULATOR = "regulator"


class OrgKind(StrEnum):
    COMPANY = "company"
    STATION = "station"
    INSPECTION_AGENCY = "inspection_agency"
    REGULATOR = "regulator"
    MANUFACTURER = "manufacturer"


COMPANY_STAFF = frozenset({Role.COMPANY_ADMIN, Role.FILLER, Role.DELIVERY})

# Which organisation kinds each role may belong to.
ROLE_ORG_KINDS: dict[Role, frozenset[OrgKind]] = {
    Role.ADMIN: frozenset(OrgKind),
    Role.COMPANY_ADMIN: frozenset({OrgKind.COMPANY}),
    Role.FILLER: frozenset({OrgKind.STATION}),
    Role.DELIVERY: frozenset({OrgKind.STATION, OrgKind.COMPANY}),
    Role.INSPECTOR: frozenset({OrgKind.INSPECTION_AGENCY}),
    Role.REGULATOR: frozenset({OrgKind.REGULATOR}),
}

# Roles a company admin may hand out within its own company and stations.
COMPANY_ADMIN_GRANTS = frozenset({Role.COMPANY_ADMIN, Role.FILLER, Role.DELIVERY})


@dataclass(frozen=True, slots=True)
class OrgRef:
    id: str
    kind: OrgKind
    company_id: str | None  # itself for a company, the parent for a station
    region_code: str | None


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: str
    role: Role
    org: OrgRef

    @property
    def company_id(self) -> str | None:
        return self.org.company_id if self.role in COMPANY_STAFF else None


def require_role(actor: Actor, *roles: Role, detail: str | None = None) -> None:
    """The role guard of every action: 403 unless the caller holds one of ``roles``. A platform
    administrator is not let through by default: name ``Role.ADMIN`` where one may act."""
    if actor.role not in roles:
        names = ", ".join(role.value for role in roles)
        raise Forbidden(detail or f"此操作需要角色 {names} / this needs role {names}")


def in_region(region: str | None, target: str | None) -> bool:
    """A regulator of ``region`` covers ``target`` (None region: the whole country)."""
    if not region:
        return True
    return bool(target) and str(target).startswith(region)


def is_in_region_of(actor: Actor, org: OrgRef) -> bool:
    """``org`` lies in the region of the caller's organisation (a regulator's jurisdiction)."""
    return in_region(actor.org.region_code, org.region_code)


def is_own_company(actor: Actor, org: OrgRef) -> bool:
    """``org`` is the company the caller works for (company staff only)."""
    return actor.company_id is not None and org.id == actor.company_id


def can_read_org(actor: Actor, org: OrgRef) -> bool:
    if actor.role is Role.ADMIN or org.id == actor.org.id:
        return True
    if actor.role is Role.REGULATOR:
        return in_region(actor.org.region_code, org.region_code)
    return actor.company_id is not None and org.company_id == actor.company_id


def can_create_user(actor: Actor, org: OrgRef, role: Role) -> bool:
    """May ``actor`` give someone ``role`` in ``org``? (Org visibility is checked first.)"""
    if actor.role is Role.ADMIN:
        return True
    return (
        actor.role is Role.COMPANY_ADMIN
        and org.company_id == actor.company_id
        and role in COMPANY_ADMIN_GRANTS
    )


def can_register_for(actor: Actor, owner: OrgRef) -> bool:
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.COMPANY_ADMIN and owner.id == actor.company_id


# 打印标签: a label carries the tag that tells a genuine label from a copy, so printing one is
# issuing it. Only these roles ever may (403 for the rest) ...
LABEL_PRINTERS = frozenset({Role.ADMIN, Role.COMPANY_ADMIN})


def can_print_labels(actor: Actor, owner: OrgRef) -> bool:
    """... and a company admin only for its own company's cylinders."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.COMPANY_ADMIN and owner.id == actor.company_id


def can_read_cylinder(actor: Actor, owner: OrgRef) -> bool:
    """Company staff read their company's cylinders; regulators their region's; inspection
    agencies any cylinder brought to them by its code."""
    if actor.role in (Role.ADMIN, Role.INSPECTOR):
        return True
    if actor.role is Role.REGULATOR:
        return in_region(actor.org.region_code, owner.region_code)
    return owner.id == actor.company_id


@dataclass(frozen=True, slots=True)
class CylinderScope:
    """The rows a list query may return: everything, one company, or a region prefix."""

    owner_id: str | None = None
    region_prefix: str | None = None


def cylinder_list_scope(actor: Actor) -> CylinderScope | None:
    """None: the caller may not list cylinders at all."""
    if actor.role is Role.ADMIN:
        return CylinderScope()
    if actor.role is Role.REGULATOR:
        return CylinderScope(region_prefix=actor.org.region_code or None)
    if actor.company_id is not None:
        return CylinderScope(owner_id=actor.company_id)
    return None


@dataclass(frozen=True, slots=True)
class CylinderFilter:
    """What a caller asked a cylinder list for (within its scope)."""

    owner_id: uuid.UUID | None = None
    status: str | None = None
    model: str | None = None
    inspection_due_before: date | None = None
    scrap_before: date | None = None
    manufacturer: str | None = None
    batch: str | None = None
