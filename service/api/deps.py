"""Typed dependencies: routes read like their signatures (``ctx: Ctx, actor: CurrentActor``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.domain.access import Actor
from service.use_cases.auth import authenticate
from service.use_cases.context import Context

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <token>")


# Async on purpose: FastAPI runs plain ``def`` dependencies in a thread pool, which cost more
# than the whole fill check.
async def get_context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(get_context)]


async def get_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    # The context and the cache are read here rather than through their own dependencies:
    # every dependency costs a resolution step on every request.
    state = request.app.state
    token = credentials.credentials if credentials else None
    return await authenticate(state.ctx, state.token_cache, token)


CurrentActor = Annotated[Actor, Depends(get_actor)]
