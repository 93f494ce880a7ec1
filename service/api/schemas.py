"""Request and response bodies (not the table models). Requests are strict: an unknown field
is a 422 naming it, every string has a maximum length (200 unless the field says otherwise)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from service.domain import paging
from service.domain.access import OrgKind, Role

T = TypeVar("T")

Name = Annotated[str, Field(min_length=1, max_length=200)]


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(isinstance(item, str) and "\x00" in item for item in value)
    return False


class Strict(BaseModel):
    """Every request body: unknown fields refused, no infinities, no NUL characters anywhere
    (PostgreSQL's text cannot hold one, and no label, ledger or person types one)."""

    model_config = ConfigDict(extra="forbid", str_max_length=200, allow_inf_nan=False)

    @model_validator(mode="after")
    def _refuse_nul(self) -> Strict:
        # Only this model's own text and lists of text: nested models check themselves, so
        # a 5,000-row batch is looked at once, after pydantic's fast JSON parsing.
        if any(_has_nul(value) for value in self.__dict__.values()):
            raise PydanticCustomError(
                "nul_character",
                "文本中不能有 NUL 字符 / text may not contain the NUL character (U+0000)",
            )
        return self


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


M = TypeVar("M", bound=BaseModel)


def read_model(model: type[M], view: object) -> M:
    """The response body of a use case's view (a frozen dataclass), read by attribute."""
    return model.model_validate(view, from_attributes=True)


def read_page(model: type[M], page: paging.Page[Any]) -> Page[M]:
    """A page of views as a page of response bodies."""
    return Page(
        items=[read_model(model, item) for item in page.items], next_cursor=page.next_cursor
    )


# --- organisations ---------------------------------------------------------------------------


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


# --- users ----------------------------------------------------------------------------------


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
    aliases: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=10)
    ] = []
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


MAX_LABELS = 2400  # 100 A4 pages of the default sheet, a few seconds of rendering


class LabelsCreate(Strict):
    owner_id: uuid.UUID
    codes: (
        Annotated[
            list[Annotated[str, Field(min_length=1, max_length=40)]],
            Field(
                min_length=1,
                max_length=MAX_LABELS,
                description="our codes, as printed (spaces and dashes are ignored); "
                "printed in this order",
            ),
        ]
        | None
    ) = None
    unprinted: bool = Field(default=False, description="the labels never printed yet")
    limit: Annotated[int, Field(ge=1, le=MAX_LABELS)] | None = Field(
        default=None, description="with unprinted: at most this many, in registration order"
    )


# --- the fill gate and events ----------------------------------------------------------------


class FindingRead(BaseModel):
    code: str
    message: str
    message_zh: str


class FillCheckCreate(Strict):
    scan: Annotated[
        str, Field(min_length=1, max_length=500, description="exactly what the scanner read")
    ]


class FillCheckRead(BaseModel):
    verdict: Literal["allow", "refuse"]
    code: str | None
    reasons: list[FindingRead]
    warnings: list[FindingRead]
    cylinder: dict[str, Any] | None
    check_id: uuid.UUID


class PostChecks(Strict):
    leak_ok: bool
    no_deformation: bool | None = None
    label_ok: bool | None = None
    valve_ok: bool | None = None


class OfflineVerdict(Strict):
    """What the scanner's local gate answered while the service was unreachable."""

    checked_at: datetime
    cache_as_of: datetime | None = None
    verdict: Literal["allow", "refuse"] = "allow"
    reasons: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=20)] = []


class FillCreate(Strict):
    event_id: uuid.UUID
    scan: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    code: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    check_id: uuid.UUID | None = None
    net_kg: Annotated[float, Field(gt=0, lt=100)]
    gross_kg: Annotated[float, Field(gt=0, lt=300)] | None = None
    filled_at: datetime
    post_checks: PostChecks | None = None
    offline: OfflineVerdict | None = Field(
        default=None,
        description="set by a scanner that allowed the fill offline: the fill is recorded "
        "even if the gate now refuses, with the reasons as violations",
    )


class EventRead(BaseModel):
    """Common fields of every event; each type adds its own (``net_kg``, ``result``...)."""

    model_config = ConfigDict(extra="allow")

    event_id: uuid.UUID
    type: str
    code: str
    seq: int
    occurred_at: datetime
    recorded_at: datetime
    actor: uuid.UUID | None
    org_id: uuid.UUID | None
    hash: str
    prev_hash: str | None


class ReweighCreate(Strict):
    event_id: uuid.UUID
    code: Annotated[str, Field(min_length=1, max_length=300)]
    net_kg: Annotated[float, Field(ge=0, lt=100)]
    leak_ok: bool = True


class InspectionCreate(Strict):
    event_id: uuid.UUID
    code: Annotated[str, Field(min_length=1, max_length=300)]
    inspected_on: date
    result: Literal["pass", "fail", "scrap"]
    next_due: date | None = None
    report_no: Annotated[str, Field(max_length=64)] | None = None


class Location(Strict):
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


class SafetyCheck(Strict):
    """随瓶安检: the default checklist; ``notes`` for anything else."""

    hose_ok: bool | None = None
    no_tee_joint: bool | None = None
    regulator_ok: bool | None = None
    alarm_ok: bool | None = None
    shutoff_valve_ok: bool | None = None
    not_basement: bool | None = None
    ventilation_ok: bool | None = None
    notes: Annotated[str, Field(max_length=500)] | None = None


class DeliveryCreate(Strict):
    event_id: uuid.UUID
    code: Annotated[str, Field(min_length=1, max_length=300)]
    kind: Literal["dispatch", "deliver", "return"]
    occurred_at: datetime | None = None
    vehicle: Annotated[str, Field(max_length=32)] | None = None
    customer_id: Annotated[str, Field(max_length=64)] | None = None
    location: Location | None = None
    safety_check: SafetyCheck | None = None


class EnforcementCreate(Strict):
    event_id: uuid.UUID
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class TransferCreate(Strict):
    event_id: uuid.UUID
    to_owner_id: uuid.UUID
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class BlacklistCreate(Strict):
    code: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    manufacturer: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    batch: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    model: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class BlacklistRead(BaseModel):
    id: uuid.UUID
    kind: str
    code: str | None = Field(default=None, description="the cylinder's code, for kind=code")
    cylinder_id: int | None
    manufacturer: str | None
    batch: str | None
    model: str | None
    reason: str
    created_by: uuid.UUID
    created_at: datetime
    lifted_at: datetime | None
    lifted_by: uuid.UUID | None
    lift_reason: str | None


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


# --- the public page (no auth, no personal data) ------------------------------------------


class PublicLastFill(BaseModel):
    station_name: str | None
    filled_on: date = Field(description="the date in the deployment's zone")


class PublicCylinderRead(BaseModel):
    """What anyone may read about a cylinder. No person, no user or organisation id: adding
    a field here is a privacy decision (``tests/api/test_public_api.py`` walks the keys)."""

    code: str
    status: str = Field(
        description="OK, or the deciding reason: SCRAPPED, SEIZED, BLACKLISTED, "
        "SERVICE_LIFE_EXCEEDED, BANNED_MODEL, REFURBISHED_OR_MODIFIED, INSPECTION_FAILED, "
        "INSPECTION_OVERDUE"
    )
    status_zh: str
    status_en: str
    reasons: list[FindingRead] = Field(description="every reason it may not be filled")
    notices: list[FindingRead] = Field(description="due soon, life ending soon, held")
    label_verified: bool | None = Field(
        description="true: the tag is ours; false: a tag we never issued (forged label?); "
        "null: no tag was given"
    )
    model: str
    manufacturer: str
    owner_name: str = Field(description="the owning gas company")
    manufactured_on: date
    next_inspection_due: date
    scrap_on: date
    last_fill: PublicLastFill | None
    as_of: date = Field(description="the day the status was judged for")
