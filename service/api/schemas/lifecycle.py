"""Bodies of inspections, deliveries, seizure, transfer and the blacklist."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from service.api.schemas.strict import Strict


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
