"""Request and response bodies (not the table models). Requests are strict: an unknown field
is a 422 naming it, every string has a maximum length (200 unless the field says otherwise)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from service.domain.access import OrgKind, Role

T = TypeVar("T")

Name = Annotated[str, Field(min_length=1, max_length=200)]
Short = Annotated[str, Field(min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=200, allow_inf_nan=False)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


# --- organisations ---------------------------------------------------------------------------


class OrganizationCreate(Strict):
    name: Name
    kind: OrgKind
    parent_id: uuid.UUID | None = None
    region_code: Annotated[str, Field(max_length=12, description="GB/T 2260 行政区划代码, e.g. 330109")] | None = None
    license_no: Annotated[str, Field(max_length=64, description="充装许可证号 (stations)")] | None = None
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


# --- users ----------------------------------------------------------------------------------


class UserCreate(Strict):
    name: Name
    org_id: uuid.UUID
    role: Role
    certificate_no: Annotated[str, Field(max_length=64, description="特种设备作业人员证编号")] | None = None
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


# --- cylinders ------------------------------------------------------------------------------


class CylinderCreate(Strict):
    serial_no: Annotated[str, Field(min_length=1, max_length=64, description="出厂编号")]
    manufacturer: Annotated[str, Field(min_length=1, max_length=200, description="制造单位")]
    manufactured_on: date
    model: Annotated[str, Field(min_length=1, max_length=32, description="型号, e.g. YSP35.5")]
    owner_id: uuid.UUID
    last_inspected_on: date | None = None
    next_inspection_due: date | None = None
    design_life_years: Annotated[int, Field(ge=1, le=50)] | None = None
    tare_kg: Annotated[float, Field(gt=0, lt=200)] | None = None
    batch: Annotated[str, Field(max_length=64, description="制造批号")] | None = None
    aliases: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=10)] = []
    flags: Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=4)] = []


class CylinderBatch(Strict):
    items: Annotated[list[CylinderCreate], Field(min_length=1, max_length=5000)]


class LastFill(BaseModel):
    at: datetime
    station_id: uuid.UUID | None
    net_kg: float | None


class CylinderRead(BaseModel):
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
    last_fill: LastFill | None
    event_count: int
    registered_at: datetime


class CylinderRegistered(BaseModel):
    code: str
    qr_payload: str
    serial_no: str
    manufacturer: str


class BatchResult(BaseModel):
    count: int
    items: list[CylinderRegistered]


def as_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)
