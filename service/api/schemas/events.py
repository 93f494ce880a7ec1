"""An event of a cylinder's history, as every route that writes or lists events shows it."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


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
