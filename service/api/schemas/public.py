"""The public cylinder page's JSON (no auth, no personal data)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from service.api.schemas.findings import FindingRead


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
