"""Bodies of ``/cylinders``: registration (one, or a batch) and reading."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from service.api.schemas.strict import Strict


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
    ] = Field(default=[])
    flags: Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=4)] = Field(
        default=[]
    )


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
