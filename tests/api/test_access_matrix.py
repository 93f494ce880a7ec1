"""Every role × every endpoint × own/other organisation, with the expected status of each cell
(how to read a matrix: ``tests/access.py``)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from service.use_cases.context import Context
from tests.access import Call, Matrix, assert_cell, cells
from tests.factories import cylinder_body, event_body, register_one
from tests.world import World

API = "/api/v1"


def new_cylinder(world: World, owner: str) -> dict[str, object]:
    return cylinder_body(world, owner, serial=f"M-{uuid.uuid4().hex[:8]}")


def get_org(target: str) -> Call:
    return lambda c, w, _x, h: c.get(f"{API}/organizations/{w.orgs[target]}", headers=h)


def create_user(org: str) -> Call:
    return lambda c, w, _x, h: c.post(
        f"{API}/users",
        json={"name": "新人", "org_id": str(w.orgs[org]), "role": "filler"},
        headers=h,
    )


def create_cylinder(owner: str) -> Call:
    return lambda c, w, _x, h: c.post(f"{API}/cylinders", json=new_cylinder(w, owner), headers=h)


def create_batch(owner: str) -> Call:
    return lambda c, w, _x, h: c.post(
        f"{API}/cylinders/batch", json={"items": [new_cylinder(w, owner)]}, headers=h
    )


def read_cylinder(owner: str, suffix: str = "") -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        code = await register_one(x, w, company=owner)
        return await c.get(f"{API}/cylinders/{code}{suffix}", headers=h)

    return case


def deliver(owner: str) -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        code = await register_one(x, w, company=owner)
        return await c.post(
            f"{API}/deliveries", json=event_body(code=code, kind="return"), headers=h
        )

    return case


def inspect(owner: str) -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        code = await register_one(x, w, company=owner)
        body = event_body(code=code, inspected_on="2026-06-10", result="pass")
        return await c.post(f"{API}/inspections", json=body, headers=h)

    return case


def seize(owner: str) -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        code = await register_one(x, w, company=owner)
        return await c.post(
            f"{API}/cylinders/{code}/seize", json=event_body(reason="检查"), headers=h
        )

    return case


def fill_check(owner: str) -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        code = await register_one(x, w, company=owner)
        return await c.post(f"{API}/fill-checks", json={"scan": x.qr_payload(code)}, headers=h)

    return case


def fill(owner: str) -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        code = await register_one(x, w, company=owner)
        body = event_body(
            scan=x.qr_payload(code), net_kg=14.5, filled_at="2026-06-15T10:00:00+08:00"
        )
        return await c.post(f"{API}/fills", json=body, headers=h)

    return case


def lock(station: str) -> Call:
    return lambda c, w, _x, h: c.post(f"{API}/organizations/{w.orgs[station]}/lock", headers=h)


def blacklist_model() -> Call:
    return lambda c, _w, _x, h: c.post(
        f"{API}/blacklist", json={"model": "YSP12", "reason": "召回"}, headers=h
    )


def plain(method: str, path: str) -> Call:
    return lambda c, _w, _x, h: c.request(method, f"{API}{path}", headers=h)


#            anon bad  admin cadm fill deliv insp  reg  far
MATRIX: Matrix = {
    "POST /organizations": (
        lambda c, _w, _x, h: c.post(
            f"{API}/organizations", json={"name": "新公司", "kind": "company"}, headers=h
        ),
        (401, 401, 201, 403, 403, 403, 403, 403, 403),
    ),
    "GET /organizations": (
        plain("GET", "/organizations"),
        (401, 401, 200, 200, 200, 200, 200, 200, 200),
    ),
    "GET /organizations/{own company}": (
        get_org("company_a"),
        (401, 401, 200, 200, 200, 200, 404, 200, 404),
    ),
    "GET /organizations/{other company}": (
        get_org("company_b"),
        (401, 401, 200, 404, 404, 404, 404, 200, 404),
    ),
    "GET /organizations/{far company}": (
        get_org("company_far"),
        (401, 401, 200, 404, 404, 404, 404, 404, 200),
    ),
    "POST /users (own station)": (
        create_user("station_a1"),
        (401, 401, 201, 201, 403, 403, 403, 403, 403),
    ),
    "POST /users (other station)": (
        create_user("station_b1"),
        (401, 401, 201, 403, 403, 403, 403, 403, 403),
    ),
    "GET /users": (plain("GET", "/users"), (401, 401, 200, 200, 403, 403, 403, 403, 403)),
    "GET /me": (plain("GET", "/me"), (401, 401, 200, 200, 200, 200, 200, 200, 200)),
    "POST /cylinders (own)": (
        create_cylinder("company_a"),
        (401, 401, 201, 201, 403, 403, 403, 403, 403),
    ),
    "POST /cylinders (other)": (
        create_cylinder("company_b"),
        (401, 401, 201, 403, 403, 403, 403, 403, 403),
    ),
    "POST /cylinders/batch (own)": (
        create_batch("company_a"),
        (401, 401, 201, 201, 403, 403, 403, 403, 403),
    ),
    "POST /cylinders/batch (other)": (
        create_batch("company_b"),
        (401, 401, 201, 403, 403, 403, 403, 403, 403),
    ),
    "GET /cylinders/{own}": (
        read_cylinder("company_a"),
        (401, 401, 200, 200, 200, 200, 200, 200, 404),
    ),
    "GET /cylinders/{other}": (
        read_cylinder("company_b"),
        (401, 401, 200, 404, 404, 404, 200, 200, 404),
    ),
    "GET /cylinders/{far}": (
        read_cylinder("company_far"),
        (401, 401, 200, 404, 404, 404, 200, 404, 200),
    ),
    "GET /cylinders": (plain("GET", "/cylinders"), (401, 401, 200, 200, 200, 200, 403, 200, 200)),
    "GET /cylinders/{own}/events": (
        read_cylinder("company_a", "/events"),
        (401, 401, 200, 200, 200, 200, 200, 200, 404),
    ),
    "GET /cylinders/{other}/events": (
        read_cylinder("company_b", "/events"),
        (401, 401, 200, 404, 404, 404, 200, 200, 404),
    ),
    "POST /fill-checks (own)": (
        fill_check("company_a"),
        (401, 401, 403, 403, 200, 403, 403, 403, 403),
    ),
    "POST /fill-checks (other)": (
        fill_check("company_b"),
        (401, 401, 403, 403, 200, 403, 403, 403, 403),
    ),
    "POST /fills (own)": (fill("company_a"), (401, 401, 403, 403, 201, 403, 403, 403, 403)),
    "POST /fills (other)": (fill("company_b"), (401, 401, 403, 403, 409, 403, 403, 403, 403)),
    "POST /deliveries (own)": (deliver("company_a"), (401, 401, 201, 403, 201, 201, 403, 403, 403)),
    "POST /deliveries (other)": (
        deliver("company_b"),
        (401, 401, 201, 403, 404, 404, 403, 403, 403),
    ),
    "POST /inspections (own region)": (
        inspect("company_a"),
        (401, 401, 201, 403, 403, 403, 201, 403, 403),
    ),
    "POST /inspections (far)": (
        inspect("company_far"),
        (401, 401, 201, 403, 403, 403, 201, 403, 403),
    ),
    "POST /cylinders/{own region}/seize": (
        seize("company_a"),
        (401, 401, 201, 403, 403, 403, 403, 201, 404),
    ),
    "POST /cylinders/{far}/seize": (
        seize("company_far"),
        (401, 401, 201, 403, 403, 403, 403, 404, 201),
    ),
    "POST /organizations/{station in region}/lock": (
        lock("station_a1"),
        (401, 401, 200, 403, 403, 403, 403, 200, 404),
    ),
    "POST /organizations/{far station}/lock": (
        lock("station_far"),
        (401, 401, 200, 403, 403, 403, 403, 404, 200),
    ),
    "POST /blacklist": (blacklist_model(), (401, 401, 201, 403, 403, 403, 403, 201, 201)),
    "GET /blacklist": (plain("GET", "/blacklist"), (401, 401, 200, 200, 200, 200, 200, 200, 200)),
}


@pytest.mark.parametrize(("call", "role", "expected"), cells(MATRIX))
async def test_access(
    client: httpx.AsyncClient, world: World, ctx: Context, call: Call, role: str, expected: int
) -> None:
    await assert_cell(client, world, ctx, call, role, expected)


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("admin", {"company_a", "company_b", "company_far"}),
        ("company_admin_a", {"company_a"}),
        ("filler_a1", {"company_a"}),
        ("delivery_a1", {"company_a"}),
        ("regulator", {"company_a", "company_b"}),
        ("regulator_far", {"company_far"}),
    ],
)
async def test_lists_hold_only_what_is_in_scope(
    client: httpx.AsyncClient, world: World, ctx: Context, role: str, visible: set[str]
) -> None:
    owners = {str(world.orgs[c]): c for c in ("company_a", "company_b", "company_far")}
    for company in owners.values():
        await register_one(ctx, world, company=company)
    page = (await client.get(f"{API}/cylinders", headers=world.headers(role))).json()
    assert {owners[c["owner_id"]] for c in page["items"]} == visible


async def test_organisation_lists_are_scoped(client: httpx.AsyncClient, world: World) -> None:
    names = {v: k for k, v in world.orgs.items()}
    seen: set[str | None] = {
        names[uuid.UUID(o["id"])]
        for o in (
            await client.get(f"{API}/organizations", headers=world.headers("company_admin_a"))
        ).json()["items"]
    }
    assert seen == {"company_a", "station_a1", "station_a2"}
    seen = {
        names.get(uuid.UUID(o["id"]))
        for o in (
            await client.get(f"{API}/organizations", headers=world.headers("regulator_far"))
        ).json()["items"]
    }
    assert seen == {"regulator_far", "company_far", "station_far"}
