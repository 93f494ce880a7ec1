"""Bad input: always a problem+json 4xx with a stable code, and nothing stored changes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.factories import count_rows, cylinder_body
from tests.world import World

API = "/api/v1"
TABLES = ("organization", "app_user", "cylinder", "cylinder_alias", "event", "blacklist")


async def snapshot(dsn: str) -> dict[str, int]:
    return await count_rows(dsn, *TABLES)


def good_cylinder(world: World) -> dict[str, object]:
    return cylinder_body(world, serial="X-1")


def cases(world: World) -> list[tuple[str, str, object, int, str]]:
    cylinder = good_cylinder(world)
    return [
        ("POST", "/cylinders", b'{"serial_no": "X-1", ', 400, "MALFORMED_JSON"),
        ("POST", "/cylinders", b"\xff\xfe not json", 400, "MALFORMED_JSON"),
        ("POST", "/cylinders", {**cylinder, "manufactured_on": 20240301}, 422, "VALIDATION_ERROR"),
        (
            "POST",
            "/cylinders",
            {**cylinder, "manufactured_on": "2024-02-30"},
            422,
            "VALIDATION_ERROR",
        ),
        ("POST", "/cylinders", {**cylinder, "owner_id": "not-a-uuid"}, 422, "VALIDATION_ERROR"),
        ("POST", "/cylinders", {**cylinder, "colour": "silver"}, 422, "VALIDATION_ERROR"),
        ("POST", "/cylinders", {**cylinder, "serial_no": "9" * 65}, 422, "VALIDATION_ERROR"),
        ("POST", "/cylinders", {**cylinder, "manufacturer": "厂" * 201}, 422, "VALIDATION_ERROR"),
        ("POST", "/cylinders", {**cylinder, "tare_kg": "NaN"}, 422, "VALIDATION_ERROR"),
        ("POST", "/cylinders", {**cylinder, "aliases": ["a"] * 11}, 422, "VALIDATION_ERROR"),
        ("POST", "/cylinders", [cylinder], 422, "VALIDATION_ERROR"),
        ("POST", "/cylinders/batch", {"items": []}, 422, "VALIDATION_ERROR"),
        ("POST", "/cylinders/batch", {"items": [cylinder] * 5001}, 422, "VALIDATION_ERROR"),
        ("POST", "/organizations", {"name": "x", "kind": "bank"}, 422, "VALIDATION_ERROR"),
        ("POST", "/organizations", {"name": "站", "kind": "station"}, 422, "PARENT_REQUIRED"),
        (
            "POST",
            "/organizations",
            {"name": "x", "kind": "company", "region_code": "33A1"},
            422,
            "BAD_REGION_CODE",
        ),
        (
            "POST",
            "/users",
            {"name": "x", "org_id": str(world.orgs["company_a"]), "role": "filler"},
            422,
            "ROLE_ORG_MISMATCH",
        ),
        (
            "POST",
            "/users",
            {"name": "x", "org_id": str(world.orgs["company_a"]), "role": "king"},
            422,
            "VALIDATION_ERROR",
        ),
        (
            "POST",
            "/users",
            {
                "name": "x",
                "org_id": "00000000-0000-4000-8000-00000000ffff",
                "role": "company_admin",
            },
            422,
            "ORG_NOT_FOUND",
        ),
        ("GET", "/cylinders/" + "A" * 301, {}, 422, "VALIDATION_ERROR"),
        ("GET", "/cylinders?limit=0", {}, 422, "VALIDATION_ERROR"),
        ("GET", "/cylinders?status=lost", {}, 422, "VALIDATION_ERROR"),
        ("GET", "/cylinders?inspection_due_before=yesterday", {}, 422, "VALIDATION_ERROR"),
        ("GET", "/organizations/42", {}, 422, "VALIDATION_ERROR"),
        ("GET", "/cylinders/NOSUCHCODE", {}, 404, "NOT_FOUND"),
        ("GET", "/no/such/route", {}, 404, "NOT_FOUND"),
        ("DELETE", "/cylinders", {}, 405, "METHOD_NOT_ALLOWED"),
    ]


async def test_every_bad_request_is_a_clear_4xx_and_stores_nothing(
    client: httpx.AsyncClient, world: World, superuser_dsn: str
) -> None:
    before = await snapshot(superuser_dsn)
    for method, path, body, status, code in cases(world):
        kwargs: dict[str, object] = {
            "headers": {**world.headers("admin"), "content-type": "application/json"}
        }
        if isinstance(body, bytes):
            kwargs["content"] = body
        elif body:
            kwargs["json"] = body
        response = await client.request(method, f"{API}{path}", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == status, (
            path,
            body if not isinstance(body, list) else "list",
            response.text,
        )
        assert response.headers["content-type"] == "application/problem+json", path
        problem = response.json()
        assert problem["code"] == code, (path, problem)
        assert problem["status"] == status
        assert problem["title"]
        assert problem["detail"]
        assert problem["type"]
    assert await snapshot(superuser_dsn) == before


async def test_unknown_field_is_named(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{API}/cylinders",
        json={**good_cylinder(world), "colour": "silver"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 422
    assert ["colour"] in [e["loc"] for e in response.json()["errors"]]
    assert "colour" in response.json()["detail"]


async def test_a_huge_body_is_refused_before_it_is_read(
    client: httpx.AsyncClient, world: World
) -> None:
    huge = b'{"items": [' + b'{"serial_no": "x"},' * 1_000_000 + b"{}]}"
    response = await client.post(
        f"{API}/cylinders/batch",
        content=huge,
        headers={**world.headers("admin"), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "BODY_TOO_LARGE"


@pytest.mark.parametrize("token", ["", "x" * 10_000, "Bearer", "cyl_\x00"])
async def test_odd_tokens_are_401(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


async def test_a_failed_batch_leaves_earlier_data_untouched(
    client: httpx.AsyncClient, world: World, superuser_dsn: str
) -> None:
    first = await client.post(
        f"{API}/cylinders", json=good_cylinder(world), headers=world.headers("admin")
    )
    assert first.status_code == 201
    before = await snapshot(superuser_dsn)
    batch = [{**good_cylinder(world), "serial_no": "X-2"}, good_cylinder(world)]
    response = await client.post(
        f"{API}/cylinders/batch", json={"items": batch}, headers=world.headers("admin")
    )
    assert response.status_code == 409
    assert await snapshot(superuser_dsn) == before
    again = await client.get(
        f"{API}/cylinders/{first.json()['code']}", headers=world.headers("admin")
    )
    assert again.json() == first.json()


async def test_a_huge_chunked_body_is_cut_off_while_it_arrives(
    client: httpx.AsyncClient, world: World
) -> None:
    """No Content-Length (chunked): counted as it arrives, refused past the limit."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"items": ['
        for _ in range(40):
            yield b'{"serial_no": "x"},' * 25_000
        yield b"{}]}"

    headers = {**world.headers("admin"), "content-type": "application/json"}
    response = await client.post(f"{API}/cylinders/batch", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json()["code"] == "BODY_TOO_LARGE"


def nul_cases(world: World) -> list[tuple[str, str, str, dict[str, object] | None]]:
    """A NUL character (which PostgreSQL's text cannot hold) in every kind of place a caller
    puts text: JSON fields, list items, path segments, query parameters."""
    cylinder = good_cylinder(world)
    return [
        ("admin", "POST", "/blacklist", {"code": "7KQM\x004XR92TB", "reason": "召回"}),
        ("admin", "POST", "/blacklist", {"manufacturer": "厂\x00", "batch": "1", "reason": "x"}),
        ("filler_a1", "POST", "/fill-checks", {"scan": "\x00"}),
        ("filler_a1", "POST", "/fill-checks", {"scan": "http://x/C/7KQM4XR92TB\x00"}),
        ("admin", "POST", "/cylinders", {**cylinder, "serial_no": "X\x001"}),
        ("admin", "POST", "/cylinders", {**cylinder, "aliases": ["OLD\x00-1"]}),
        ("admin", "POST", "/cylinders/batch", {"items": [{**cylinder, "model": "YSP\x00"}]}),
        ("admin", "POST", "/organizations", {"name": "公司\x00", "kind": "company"}),
        ("admin", "GET", "/cylinders/7KQM%004XR92TB", None),
        ("admin", "GET", "/cylinders/7KQM%004XR92TB/events", None),
        ("admin", "GET", "/cylinders?model=YSP%00", None),
        ("admin", "GET", "/cylinders?cursor=%00", None),
        ("anonymous", "GET", "/public/cylinders/7KQM%004XR92TB", None),
    ]


async def test_a_nul_character_anywhere_is_a_4xx_never_a_500(
    client: httpx.AsyncClient, world: World, superuser_dsn: str
) -> None:
    before = await snapshot(superuser_dsn)
    for who, method, path, body in nul_cases(world):
        headers = world.headers(who) if who != "anonymous" else {}
        response = await client.request(method, f"{API}{path}", json=body, headers=headers)
        assert 400 <= response.status_code < 500, (path, body, response.text)
        assert response.headers["content-type"] == "application/problem+json", path
        assert response.json()["code"] in {"NUL_CHARACTER", "VALIDATION_ERROR"}, response.text
    for page in ("/c/7KQM%004XR92TB", "/C/7KQM%004XR92TB/ABCD"):
        response = await client.get(page)
        assert 400 <= response.status_code < 500, (page, response.text)
    assert await snapshot(superuser_dsn) == before
