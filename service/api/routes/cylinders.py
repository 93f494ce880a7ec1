"""``/cylinders``: register one or a batch, read one by any identifier, list within scope."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service.api.deps import Ctx, CurrentActor
from service.api.params import DEFAULT_PAGE, CodePath, Cursor, Limit
from service.api.responses import json_response, read_model, read_page
from service.api.schemas.cylinders import BatchResult, CylinderBatch, CylinderCreate, CylinderRead
from service.api.schemas.page import Page
from service.domain.access import CylinderFilter
from service.domain.errors import Conflict, InvalidInput
from service.domain.registration import CylinderInput
from service.use_cases import cylinders, register

router = APIRouter(tags=["cylinders"])


def _input(body: CylinderCreate) -> CylinderInput:
    data = body.model_dump()
    data["owner_id"] = str(body.owner_id)
    data["aliases"] = tuple(body.aliases)
    data["flags"] = tuple(body.flags)
    return CylinderInput(**data)


@router.post(
    "/cylinders",
    status_code=status.HTTP_201_CREATED,
    response_model=CylinderRead,
    responses={409: {"description": "same manufacturer + serial, or an alias already bound"}},
)
async def create_cylinder(body: CylinderCreate, ctx: Ctx, actor: CurrentActor) -> CylinderRead:
    try:
        done, _ = await register.register_cylinders(ctx, actor, [_input(body)])
    except (InvalidInput, Conflict) as exc:
        raise register.single_row_error(exc) from None
    return read_model(CylinderRead, await cylinders.get_cylinder(ctx, actor, done[0].code))


@router.post(
    "/cylinders/batch",
    status_code=status.HTTP_201_CREATED,
    response_model=BatchResult,
    summary="register many cylinders, all or nothing",
    responses={
        422: {"description": "per-row errors; nothing stored"},
        409: {"description": "duplicates; nothing stored"},
    },
)
async def create_cylinders(body: CylinderBatch, ctx: Ctx, actor: CurrentActor) -> Response:
    done, _ = await register.register_cylinders(ctx, actor, [_input(item) for item in body.items])
    # Thousands of rows: serialised once, without a second validation pass.
    items = [
        {"code": d.code, "qr_payload": ctx.qr_payload(d.code), "serial_no": d.cylinder.serial_no,
         "manufacturer": d.cylinder.manufacturer}
        for d in done
    ]  # fmt: skip
    return json_response({"count": len(done), "items": items}, status.HTTP_201_CREATED)


@router.get("/cylinders", response_model=Page[CylinderRead])
async def list_cylinders(
    ctx: Ctx,
    actor: CurrentActor,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
    owner_id: uuid.UUID | None = None,
    status: Annotated[str | None, Query(pattern="^(in_service|held|seized|scrapped)$")] = None,
    model: Annotated[str | None, Query(max_length=32)] = None,
    inspection_due_before: date | None = None,
    scrap_before: date | None = None,
    manufacturer: Annotated[str | None, Query(max_length=200)] = None,
    batch: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[CylinderRead]:
    filters = CylinderFilter(
        owner_id, status, model, inspection_due_before, scrap_before, manufacturer, batch
    )
    page = await cylinders.list_cylinders(ctx, actor, filters, cursor=cursor, limit=limit)
    return read_page(CylinderRead, page)


@router.get("/cylinders/{code:path}", response_model=CylinderRead)
async def get_cylinder(code: CodePath, ctx: Ctx, actor: CurrentActor) -> CylinderRead:
    return read_model(CylinderRead, await cylinders.get_cylinder(ctx, actor, code))
