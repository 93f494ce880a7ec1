"""``/public/cylinders/{code}``: the public page's facts as JSON, for anyone (no token).

The HTML page itself is ``service.web.public``; both read ``use_cases.public.read_public``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from service.api.deps import Ctx
from service.api.responses import read_model
from service.api.schemas.public import PublicCylinderRead
from service.use_cases import public

router = APIRouter(tags=["public"])


@router.get(
    "/public/cylinders/{code}",
    response_model=PublicCylinderRead,
    summary="a cylinder's legal status and dates, for anyone (no auth)",
    responses={
        404: {"description": "not a valid code (INVALID_CODE), or not registered (UNKNOWN_CODE)"}
    },
)
async def read_public_cylinder(
    ctx: Ctx,
    # No max_length: a too-long code is an unknown page (404), not a validation error.
    code: Annotated[str, Path(description="our cylinder code, as printed or scanned")],
    tag: Annotated[
        str | None,
        Query(max_length=40, description="the label tag from the QR URL, to verify the label"),
    ] = None,
) -> PublicCylinderRead:
    return read_model(PublicCylinderRead, await public.read_public(ctx, code, tag))
