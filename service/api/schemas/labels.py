"""Bodies of the label routes (``/labels``, ``/labels.pdf``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from service.api.schemas.strict import Strict

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
