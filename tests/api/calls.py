"""Calls the API tests make again and again: a fill check, a fill, an inspection, a cylinder
and its history; each as a role of the test world."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import event_body, fill_body
from tests.world import World

API = "/api/v1"


async def check(
    client: httpx.AsyncClient, world: World, scan: str, who: str = "filler_a1"
) -> dict[str, Any]:
    """``POST /fill-checks``, which must answer 200; its body."""
    response = await client.post(
        f"{API}/fill-checks", json={"scan": scan}, headers=world.headers(who)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def fill(
    client: httpx.AsyncClient, world: World, scan: str, who: str = "filler_a1", **fields: object
) -> httpx.Response:
    """``POST /fills``: 14.5 kg, leak test passed, on the fake clock's day, unless ``fields``
    say otherwise."""
    body = {**fill_body(scan), **fields}
    return await client.post(f"{API}/fills", json=body, headers=world.headers(who))


async def inspect(
    client: httpx.AsyncClient,
    world: World,
    code: str,
    result: str,
    inspected_on: str = "2026-06-10",
    **fields: object,
) -> httpx.Response:
    """``POST /inspections`` by the test world's inspector."""
    body = event_body(
        code=code, inspected_on=inspected_on, result=result, report_no="R-1", **fields
    )
    return await client.post(f"{API}/inspections", json=body, headers=world.headers("inspector"))


async def cylinder(client: httpx.AsyncClient, world: World, code: str) -> dict[str, Any]:
    """``GET /cylinders/{code}`` as the platform admin, which must answer 200; its body."""
    response = await client.get(f"{API}/cylinders/{code}", headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def events_of(
    client: httpx.AsyncClient, world: World, code: str, who: str = "regulator"
) -> list[dict[str, Any]]:
    """The cylinder's history (up to 500 events), which must answer 200."""
    response = await client.get(
        f"{API}/cylinders/{code}/events", headers=world.headers(who), params={"limit": 500}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
