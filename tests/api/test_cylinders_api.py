"""Registering and finding cylinders over HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.factories import count_rows, cylinder_body
from tests.world import World

API = "/api/v1"


async def register(
    client: httpx.AsyncClient, world: World, who: str = "company_admin_a", **extra: Any
) -> httpx.Response:
    return await client.post(
        f"{API}/cylinders", json=cylinder_body(world, **extra), headers=world.headers(who)
    )


async def count(dsn: str, table: str) -> int:
    return (await count_rows(dsn, table))[table]


async def test_registration_returns_code_and_qr_payload(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await register(client, world, batch="2024-03", tare_kg=15.2)
    assert response.status_code == 201, response.text
    created = response.json()
    code = created["code"]
    assert len(code) <= 16
    assert (
        created["qr_payload"]
        == f"HTTPS://CYL.EXAMPLE.CN/C/{code}/{created['qr_payload'].rsplit('/', 1)[1]}"
    )
    assert created["next_inspection_due"] == "2028-03-01"
    assert created["scrap_on"] == "2032-03-01"
    assert created["status"] == "in_service"
    assert created["last_fill"] is None
    assert created["event_count"] == 1


async def test_defaults_follow_the_life_rules_of_the_cylinders_era(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await register(
        client, world, manufactured_on="2006-05-01", last_inspected_on="2022-05-01", model="ysp-15"
    )
    created = response.json()
    assert created["model"] == "YSP35.5"
    assert created["design_life_years"] == 15
    assert created["scrap_on"] == "2021-05-01"
    assert created["next_inspection_due"] == "2026-05-01"


@pytest.mark.parametrize(
    "alias",
    [
        "(8003)04012345555554987",
        "urn:epc:id:grai:4012345.55555.987",
        "https://id.gs1.org/8003/04012345555554987",
    ],
)
async def test_any_form_of_a_grai_finds_the_cylinder(
    client: httpx.AsyncClient, world: World, alias: str
) -> None:
    created = (
        await register(client, world, aliases=["(8003)04012345555554987", "ZJ-OLD-000123"])
    ).json()
    response = await client.get(
        f"{API}/cylinders/{quote(alias, safe='')}", headers=world.headers("filler_a1")
    )
    assert response.status_code == 200, response.text
    assert response.json()["code"] == created["code"]
    assert response.json()["aliases"] == ["(8003)04012345555554987", "ZJ-OLD-000123"]


@pytest.mark.parametrize(
    "lookup",
    [
        "{code}",
        "{lower}",
        "{spaced}",
        "{url}",
        "zj-old-000123",
        "浙江某钢瓶厂:S-0001",
    ],
)
async def test_a_cylinder_is_found_by_code_or_any_identifier_on_it(
    client: httpx.AsyncClient, world: World, lookup: str
) -> None:
    created = (await register(client, world, aliases=["ZJ-OLD-000123"])).json()
    code = created["code"]
    text = lookup.format(
        code=code,
        lower=code.lower(),
        spaced=f"{code[:4]} {code[4:8]} {code[8:]}",
        url=created["qr_payload"],
    )
    response = await client.get(
        f"{API}/cylinders/{quote(text, safe='')}", headers=world.headers("filler_a1")
    )
    assert response.status_code == 200, response.text
    assert response.json()["code"] == code


async def test_same_serial_and_manufacturer_twice_is_409(
    client: httpx.AsyncClient, world: World, superuser_dsn: str
) -> None:
    assert (await register(client, world)).status_code == 201
    again = await register(client, world, manufacturer=" 浙江某钢瓶厂 ", serial="s-0001")
    assert again.status_code == 409
    assert again.json()["code"] == "DUPLICATE_SERIAL"
    assert await count(superuser_dsn, "cylinder") == 1
    other_maker = await register(client, world, manufacturer="另一家钢瓶厂")
    assert other_maker.status_code == 201


async def test_an_alias_already_bound_is_409(client: httpx.AsyncClient, world: World) -> None:
    assert (
        await register(client, world, aliases=["urn:epc:id:grai:4012345.55555.987"])
    ).status_code == 201
    again = await register(client, world, serial="S-0002", aliases=["(8003)04012345555554987"])
    assert again.status_code == 409
    assert again.json()["code"] == "DUPLICATE_ALIAS"


async def test_a_bad_grai_alias_is_422(client: httpx.AsyncClient, world: World) -> None:
    response = await register(client, world, aliases=["(8003)04012345555555987"])
    assert response.status_code == 422
    assert response.json()["code"] == "INVALID_GRAI"


async def test_batch_is_all_or_nothing_with_per_row_errors(
    client: httpx.AsyncClient, world: World, superuser_dsn: str
) -> None:
    items = [cylinder_body(world, serial=f"B-{i}") for i in range(5)]
    items[1]["manufactured_on"] = "2030-01-01"
    items[3]["model"] = "YSP999"
    items[4]["serial_no"] = "B-0"
    response = await client.post(
        f"{API}/cylinders/batch", json={"items": items}, headers=world.headers("company_admin_a")
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "BATCH_REJECTED"
    assert {(e["loc"][0], e["code"]) for e in problem["errors"]} == {
        (1, "DATE_IN_FUTURE"),
        (3, "UNKNOWN_MODEL"),
        (4, "DUPLICATE_SERIAL"),
    }
    assert await count(superuser_dsn, "cylinder") == 0
    good = [cylinder_body(world, serial=f"G-{i}") for i in range(300)]
    response = await client.post(
        f"{API}/cylinders/batch", json={"items": good}, headers=world.headers("company_admin_a")
    )
    assert response.status_code == 201
    created = response.json()
    assert created["count"] == 300
    assert len({c["code"] for c in created["items"]}) == 300
    assert await count(superuser_dsn, "cylinder") == 300
    assert await count(superuser_dsn, "event") == 300


async def test_batch_with_only_duplicates_of_stored_rows_is_409(
    client: httpx.AsyncClient, world: World
) -> None:
    assert (await register(client, world, serial="D-1")).status_code == 201
    items = [cylinder_body(world, serial="D-1"), cylinder_body(world, serial="D-2")]
    response = await client.post(
        f"{API}/cylinders/batch", json={"items": items}, headers=world.headers("company_admin_a")
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["loc"] == [0, "serial_no"]


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"manufactured_on": "2026-07-01"}, "DATE_IN_FUTURE"),
        ({"next_inspection_due": "2024-01-01"}, "DUE_BEFORE_MANUFACTURE"),
        ({"last_inspected_on": "2023-01-01"}, "INSPECTED_BEFORE_MANUFACTURE"),
        (
            {"last_inspected_on": "2025-06-01", "next_inspection_due": "2025-01-01"},
            "DUE_BEFORE_LAST_INSPECTION",
        ),
        ({"model": "YSP-999"}, "UNKNOWN_MODEL"),
        ({"flags": ["shiny"]}, "UNKNOWN_FLAG"),
        ({"owner_id": "00000000-0000-4000-8000-00000000ffff"}, "OWNER_NOT_FOUND"),
    ],
)
async def test_impossible_values_are_422_with_a_stable_code(
    client: httpx.AsyncClient, world: World, superuser_dsn: str, extra: dict[str, object], code: str
) -> None:
    response = await register(client, world, who="admin", **extra)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert await count(superuser_dsn, "cylinder") == 0


async def test_owner_must_be_a_company(client: httpx.AsyncClient, world: World) -> None:
    response = await register(client, world, who="admin", owner_id=str(world.orgs["station_a1"]))
    assert response.status_code == 422
    assert response.json()["code"] == "OWNER_NOT_COMPANY"


async def test_list_filters_and_cursor_pagination(client: httpx.AsyncClient, world: World) -> None:
    for i in range(7):
        due = "2026-07-01" if i < 3 else "2028-01-01"
        assert (
            await register(client, world, serial=f"L-{i}", next_inspection_due=due)
        ).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get(
                f"{API}/cylinders", params=params, headers=world.headers("company_admin_a")
            )
        ).json()
        seen.extend(c["code"] for c in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    due_soon = await client.get(
        f"{API}/cylinders",
        params={"inspection_due_before": "2027-01-01"},
        headers=world.headers("regulator"),
    )
    assert len(due_soon.json()["items"]) == 3
    bad = await client.get(
        f"{API}/cylinders", params={"cursor": "not-a-cursor"}, headers=world.headers("regulator")
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "BAD_CURSOR"
    too_many = await client.get(
        f"{API}/cylinders", params={"limit": 501}, headers=world.headers("regulator")
    )
    assert too_many.status_code == 422
