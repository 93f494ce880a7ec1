"""Access matrices: who may do what, every role × every row, and the one runner of their cells.

A matrix maps the name of each row (method, path, and whose thing it acts on: own, other,
far) to the call the row makes and the status expected for each role of ``ROLES``, in that
order. "own" and "other" are relative to the caller: company A's staff act on company A's
things; "other" is company B (same county) or a company in another city ("far"). A regulator
covers its county (330101); ``regulator_far`` covers another city (3201). 404 means "not in
your scope" (not revealed), 403 "you may see it but not do this", 401 "who are you?".

    MATRIX: Matrix = {"GET /cylinders/{own}": (read_cylinder("company_a"), (401, ...)), ...}

    @pytest.mark.parametrize(("call", "role", "expected"), cells(MATRIX))
    async def test_access(client, world, ctx, call, role, expected):
        await assert_cell(client, world, ctx, call, role, expected)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from service.use_cases.context import Context
from tests.world import World

ROLES = (
    "anonymous", "bad_token", "admin", "company_admin_a", "filler_a1", "delivery_a1",
    "inspector", "regulator", "regulator_far",
)  # fmt: skip

# A row's call: (client, world, context, the role's headers) → the response.
Call = Callable[[httpx.AsyncClient, World, Context, dict[str, str]], Awaitable[httpx.Response]]
Matrix = dict[str, tuple[Call, tuple[int, ...]]]


def headers_for(world: World, role: str) -> dict[str, str]:
    """The Authorization header of a role of the test world; also nobody, and a wrong token."""
    if role == "anonymous":
        return {}
    if role == "bad_token":
        return {"Authorization": "Bearer cyl_nobody-has-this-token-0000000000"}
    return world.headers(role)


def cells(matrix: Matrix) -> list[Any]:
    """One test case per (row, role), named "<row> as <role>"."""
    for row, (_, expected) in matrix.items():
        assert len(expected) == len(ROLES), (
            f"{row}: {len(expected)} statuses for {len(ROLES)} roles"
        )
    return [
        pytest.param(call, role, expected[i], id=f"{row} as {role}")
        for row, (call, expected) in matrix.items()
        for i, role in enumerate(ROLES)
    ]


async def assert_cell(
    client: httpx.AsyncClient, world: World, ctx: Context, call: Call, role: str, expected: int
) -> None:
    """Make the row's call as ``role``: the expected status, and a problem document if refused."""
    response = await call(client, world, ctx, headers_for(world, role))
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"
