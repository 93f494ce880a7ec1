"""Typed dependencies: routes read like their signatures (``ctx: Ctx, actor: CurrentActor``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.domain.access import Actor
from service.domain.paging import DEFAULT_LIMIT, MAX_LIMIT
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
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="next_cursor of the previous page")
]
DEFAULT_PAGE = DEFAULT_LIMIT
