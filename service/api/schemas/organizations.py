"""Bodies of ``/organizations``, ``/users``, ``/me`` and ``/entrustments``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from service.api.schemas.strict import Strict
from service.domain.access import OrgKind, Role

Name = Annotated[str, Field(min_length=1, max_length=200)]


class OrganizationCreate(Strict):
    name: Name
    kind: OrgKind
    parent_id: uuid.UUID | None = None
    region_code: (
        Annotated[str, Field(max_length=12, description="GB/T 2260 行政区划代码, e.g. 330109")]
        | None
    ) = None
    license_no: (
        Annotated[str, Field(max_length=64, description="充装许可证号 (stations)")] | None
    ) = None
    license_expires_on: date | None = None


class OrganizationRead(BaseModel):
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


class LockCreate(Strict):
    reason: Annotated[str, Field(max_length=500)] | None = None


class OrgEventRead(BaseModel):
    id: int
    org_id: uuid.UUID
    type: str
    actor_id: uuid.UUID
    reason: str | None
    recorded_at: datetime


class EntrustmentCreate(Strict):
    station_id: uuid.UUID
    valid_from: date
    valid_until: date


class EntrustmentRead(BaseModel):
    id: uuid.UUID
    owner_id: uuid.UUID
    station_id: uuid.UUID
    valid_from: date
    valid_until: date
    created_at: datetime


class UserCreate(Strict):
    name: Name
    org_id: uuid.UUID
    role: Role
    certificate_no: (
        Annotated[str, Field(max_length=64, description="特种设备作业人员证编号")] | None
    ) = None
    certificate_expires_on: date | None = None


class UserRead(BaseModel):
    id: uuid.UUID
    name: str
    org_id: uuid.UUID
    role: Role
    certificate_no: str | None
    certificate_expires_on: date | None
    is_active: bool
    created_at: datetime


class UserCreated(UserRead):
    token: str = Field(description="shown once; only its hash is stored")


class Me(BaseModel):
    user: UserRead
    organization: OrganizationRead
