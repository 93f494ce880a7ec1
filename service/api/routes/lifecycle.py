"""Inspections, deliveries, seizure, transfer, the blacklist, and a cylinder's history."""

from __future__ import annotations

import uuid
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response, status

from service.api.deps import Ctx, CurrentActor
from service.api.params import DEFAULT_PAGE, CodePath, Cursor, Limit
from service.api.responses import REPLAY, read_model, read_page, written
from service.api.schemas.events import EventRead
from service.api.schemas.lifecycle import (
    BlacklistCreate,
    BlacklistRead,
    DeliveryCreate,
    EnforcementCreate,
    InspectionCreate,
    TransferCreate,
)
from service.api.schemas.page import Page
from service.domain.access import Actor
from service.use_cases import blacklist, history, lifecycle
from service.use_cases.context import Context

router = APIRouter(tags=["history, inspections, custody, enforcement"])


@router.get("/cylinders/{code:path}/events", response_model=Page[EventRead], summary="oldest first")
async def list_cylinder_events(
    code: CodePath,
    ctx: Ctx,
    actor: CurrentActor,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> Response:
    page = await history.events_page(ctx, actor, code, cursor=cursor, limit=limit)
    # The items are JSON already (built by PostgreSQL): spliced in, not parsed again.
    body = (
        b'{"items":'
        + page.items_json.encode()
        + b',"next_cursor":'
        + orjson.dumps(page.next_cursor)
        + b"}"
    )
    return Response(body, media_type="application/json")


@router.post(
    "/cylinders/{code:path}/seize",
    status_code=status.HTTP_201_CREATED,
    response_model=EventRead,
    responses=REPLAY,
)
async def seize_cylinder(
    code: CodePath, body: EnforcementCreate, ctx: Ctx, actor: CurrentActor
) -> Response:
    return await _seizure(ctx, actor, code, body, release=False)


@router.post(
    "/cylinders/{code:path}/release",
    status_code=status.HTTP_201_CREATED,
    response_model=EventRead,
    responses=REPLAY,
)
async def release_cylinder(
    code: CodePath, body: EnforcementCreate, ctx: Ctx, actor: CurrentActor
) -> Response:
    return await _seizure(ctx, actor, code, body, release=True)


async def _seizure(
    ctx: Context, actor: Actor, code: str, body: EnforcementCreate, *, release: bool
) -> Response:
    op = "release" if release else "seize"
    result = await lifecycle.record_seizure(
        ctx, actor, code, body.event_id, body.reason, release=release,
        body={**body.model_dump(mode="json"), "code": code, "op": op},
    )  # fmt: skip
    return written(result)


@router.post(
    "/cylinders/{code:path}/transfer",
    status_code=status.HTTP_201_CREATED,
    response_model=EventRead,
    responses=REPLAY,
    summary="产权转移 to another company",
)
async def transfer_cylinder(
    code: CodePath, body: TransferCreate, ctx: Ctx, actor: CurrentActor
) -> Response:
    result = await lifecycle.record_transfer(
        ctx,
        actor,
        code,
        body.event_id,
        body.to_owner_id,
        body.reason,
        {**body.model_dump(mode="json"), "code": code},
    )
    return written(result)


@router.post(
    "/inspections", status_code=status.HTTP_201_CREATED, response_model=EventRead, responses=REPLAY
)
async def create_inspection(body: InspectionCreate, ctx: Ctx, actor: CurrentActor) -> Response:
    item = lifecycle.InspectionInput(
        body.event_id, body.code, body.inspected_on, body.result, body.next_due, body.report_no
    )
    return written(
        await lifecycle.record_inspection(ctx, actor, item, body.model_dump(mode="json"))
    )


@router.post(
    "/deliveries",
    status_code=status.HTTP_201_CREATED,
    response_model=EventRead,
    responses={**REPLAY, 409: {"description": "dispatching a held, seized or scrapped cylinder"}},
)
async def create_delivery(body: DeliveryCreate, ctx: Ctx, actor: CurrentActor) -> Response:
    item = lifecycle.DeliveryInput(
        event_id=body.event_id, code=body.code, kind=body.kind, occurred_at=body.occurred_at,
        vehicle=body.vehicle, customer_id=body.customer_id,
        location=body.location.model_dump() if body.location else None,
        safety_check=body.safety_check.model_dump(exclude_none=True) if body.safety_check else None,
    )  # fmt: skip
    return written(await lifecycle.record_delivery(ctx, actor, item, body.model_dump(mode="json")))


@router.post(
    "/blacklist",
    status_code=status.HTTP_201_CREATED,
    response_model=BlacklistRead,
    summary="黑名单/召回",
)
async def create_blacklist_entry(
    body: BlacklistCreate, ctx: Ctx, actor: CurrentActor
) -> BlacklistRead:
    item = blacklist.BlacklistInput(
        body.reason, body.code, body.manufacturer, body.batch, body.model
    )
    return read_model(BlacklistRead, await blacklist.add(ctx, actor, item))


@router.delete(
    "/blacklist/{entry_id}", response_model=BlacklistRead, summary="lift (recorded, not erased)"
)
async def lift_blacklist_entry(
    entry_id: uuid.UUID,
    ctx: Ctx,
    actor: CurrentActor,
    reason: Annotated[str | None, Query(max_length=500)] = None,
) -> BlacklistRead:
    return read_model(BlacklistRead, await blacklist.lift(ctx, actor, entry_id, reason))


@router.get("/blacklist", response_model=Page[BlacklistRead])
async def list_blacklist(
    ctx: Ctx,
    actor: CurrentActor,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
    active: bool | None = None,
) -> Page[BlacklistRead]:
    page = await blacklist.list_entries(ctx, actor, cursor=cursor, limit=limit, active=active)
    return read_page(BlacklistRead, page)
