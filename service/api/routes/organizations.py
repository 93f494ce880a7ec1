"""``/organizations`` and ``/users``, ``/me``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from service.api.deps import Ctx, CurrentActor
from service.api.params import DEFAULT_PAGE, Cursor, Limit
from service.api.responses import read_model, read_page
from service.api.schemas.organizations import (
    EntrustmentCreate,
    EntrustmentRead,
    LockCreate,
    Me,
    OrganizationCreate,
    OrganizationRead,
    OrgEventRead,
    UserCreate,
    UserCreated,
    UserRead,
)
from service.api.schemas.page import Page
from service.domain.access import Actor, OrgKind
from service.use_cases import organizations, stations, users
from service.use_cases.context import Context

router = APIRouter(tags=["organizations and people"])


@router.post("/organizations", status_code=status.HTTP_201_CREATED, response_model=OrganizationRead)
async def create_organization(
    body: OrganizationCreate, ctx: Ctx, actor: CurrentActor
) -> OrganizationRead:
    view = await organizations.create_org(ctx, actor, organizations.OrgInput(**body.model_dump()))
    return read_model(OrganizationRead, view)


@router.get("/organizations", response_model=Page[OrganizationRead])
async def list_organizations(
    ctx: Ctx,
    actor: CurrentActor,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
    kind: OrgKind | None = None,
) -> Page[OrganizationRead]:
    page = await organizations.list_orgs(ctx, actor, cursor=cursor, limit=limit, kind=kind)
    return read_page(OrganizationRead, page)


@router.get("/organizations/{org_id}", response_model=OrganizationRead)
async def get_organization(org_id: uuid.UUID, ctx: Ctx, actor: CurrentActor) -> OrganizationRead:
    return read_model(OrganizationRead, await organizations.get_org(ctx, actor, org_id))


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserCreated)
async def create_user(body: UserCreate, ctx: Ctx, actor: CurrentActor) -> UserCreated:
    user, token = await users.create_user(ctx, actor, users.UserInput(**body.model_dump()))
    return UserCreated(**read_model(UserRead, user).model_dump(), token=token)


@router.get("/users", response_model=Page[UserRead])
async def list_users(
    ctx: Ctx, actor: CurrentActor, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE
) -> Page[UserRead]:
    page = await users.list_users(ctx, actor, cursor=cursor, limit=limit)
    return read_page(UserRead, page)


@router.get("/me", response_model=Me, summary="who the token belongs to")
async def me(ctx: Ctx, actor: CurrentActor) -> Me:
    user, org = await users.get_me(ctx, actor)
    return Me(user=read_model(UserRead, user), organization=read_model(OrganizationRead, org))


@router.post(
    "/organizations/{org_id}/lock",
    response_model=OrganizationRead,
    summary="regulator: lock a station's filling",
)
async def lock_station(
    org_id: uuid.UUID, ctx: Ctx, actor: CurrentActor, body: LockCreate | None = None
) -> OrganizationRead:
    return await _set_lock(ctx, actor, org_id, body, locked=True)


@router.post(
    "/organizations/{org_id}/unlock", response_model=OrganizationRead, summary="regulator: unlock"
)
async def unlock_station(
    org_id: uuid.UUID, ctx: Ctx, actor: CurrentActor, body: LockCreate | None = None
) -> OrganizationRead:
    return await _set_lock(ctx, actor, org_id, body, locked=False)


async def _set_lock(
    ctx: Context, actor: Actor, org_id: uuid.UUID, body: LockCreate | None, *, locked: bool
) -> OrganizationRead:
    reason = body.reason if body else None
    view = await stations.set_lock(ctx, actor, org_id, locked=locked, reason=reason)
    return read_model(OrganizationRead, view)


@router.get(
    "/organizations/{org_id}/events", response_model=Page[OrgEventRead], summary="locks, unlocks"
)
async def list_org_events(
    org_id: uuid.UUID,
    ctx: Ctx,
    actor: CurrentActor,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> Page[OrgEventRead]:
    page = await stations.org_history(ctx, actor, org_id, cursor=cursor, limit=limit)
    return read_page(OrgEventRead, page)


@router.post(
    "/entrustments",
    status_code=status.HTTP_201_CREATED,
    response_model=EntrustmentRead,
    summary="托管: let another station fill our cylinders",
)
async def create_entrustment(
    body: EntrustmentCreate, ctx: Ctx, actor: CurrentActor
) -> EntrustmentRead:
    view = await stations.entrust(
        ctx, actor, stations.EntrustmentInput(body.station_id, body.valid_from, body.valid_until)
    )
    return read_model(EntrustmentRead, view)
