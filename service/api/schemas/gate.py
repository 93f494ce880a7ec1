"""Bodies of the fill gate: ``/fill-checks``, ``/fills``, ``/reweighs``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from service.api.schemas.findings import FindingRead
from service.api.schemas.strict import Strict


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
    reasons: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=20)] = Field(
        default=[]
    )


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


class ReweighCreate(Strict):
    event_id: uuid.UUID
    code: Annotated[str, Field(min_length=1, max_length=300)]
    net_kg: Annotated[float, Field(ge=0, lt=100)]
    leak_ok: bool = True
