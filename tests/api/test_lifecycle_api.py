"""Inspections, custody, blacklist, seizure, station locks and transfers over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from service.use_cases.context import Context
from tests.api.calls import API, check, cylinder, events_of, fill, inspect
from tests.factories import event_body, register_one
from tests.world import World


async def test_passed_inspection_sets_next_due_and_needs_purge(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(
        ctx, world, manufactured_on=date(2022, 6, 1), next_inspection_due=date(2026, 6, 1)
    )
    assert [r["code"] for r in (await check(client, world, code))["reasons"]] == [
        "INSPECTION_OVERDUE"
    ]
    response = await inspect(client, world, code, "pass")
    assert response.status_code == 201, response.text
    state = await cylinder(client, world, code)
    assert state["next_inspection_due"] == "2030-06-01"  # capped at the end of the design life
    assert state["scrap_on"] == "2030-06-01"
    assert state["needs_purge"] is True
    result = await check(client, world, code)
    assert result["verdict"] == "allow"
    assert "NEEDS_PURGE" in [w["code"] for w in result["warnings"]]


async def test_pass_at_end_of_design_life_extends_it_once(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(
        ctx, world, manufactured_on=date(2018, 7, 1), next_inspection_due=date(2026, 7, 1)
    )
    response = await inspect(client, world, code, "pass")
    assert response.json()["life_extended"] is True
    state = await cylinder(client, world, code)
    assert (state["scrap_on"], state["extension_years"], state["next_inspection_due"]) == (
        "2030-07-01",
        4,
        "2030-06-10",
    )
    again = await inspect(client, world, code, "pass", inspected_on="2026-06-12")
    assert again.json()["life_extended"] is False
    assert (await cylinder(client, world, code))["scrap_on"] == "2030-07-01"


async def test_failed_inspection_refuses_until_a_pass(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    assert (await inspect(client, world, code, "fail")).status_code == 201
    result = await check(client, world, code)
    assert [r["code"] for r in result["reasons"]] == ["INSPECTION_FAILED"]
    assert (await cylinder(client, world, code))["status"] == "held"
    assert (
        await inspect(client, world, code, "pass", inspected_on="2026-06-14")
    ).status_code == 201
    assert (await check(client, world, code))["verdict"] == "allow"
    assert (await cylinder(client, world, code))["status"] == "in_service"


async def test_scrap_revokes_the_code_forever(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    response = await inspect(client, world, code, "scrap")
    assert response.status_code == 201
    assert response.json()["type"] == "scrapped"
    assert [r["code"] for r in (await check(client, world, ctx.qr_payload(code)))["reasons"]] == [
        "SCRAPPED"
    ]
    for attempt in (
        inspect(client, world, code, "pass"),
        client.post(
            f"{API}/deliveries",
            json=event_body(code=code, kind="return"),
            headers=world.headers("delivery_a1"),
        ),
        client.post(
            f"{API}/cylinders/{code}/seize",
            json=event_body(reason="x"),
            headers=world.headers("regulator"),
        ),
    ):
        refused = await attempt
        assert refused.status_code == 409
        assert refused.json()["code"] == "SCRAPPED"
    assert (await cylinder(client, world, code))["status"] == "scrapped"


async def test_only_inspectors_inspect(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    body = event_body(code=code, inspected_on="2026-06-10", result="pass")
    for who in ("filler_a1", "company_admin_a", "regulator", "delivery_a1"):
        assert (
            await client.post(f"{API}/inspections", json=body, headers=world.headers(who))
        ).status_code == 403


async def test_custody_dispatch_deliver_return(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    assert (await fill(client, world, ctx.qr_payload(code))).status_code == 201
    steps: list[dict[str, Any]] = [
        {"kind": "dispatch", "vehicle": "浙A12345"},
        {
            "kind": "deliver",
            "customer_id": "C-001",
            "location": {"lat": 30.27, "lon": 120.15},
            "safety_check": {"hose_ok": True, "alarm_ok": True},
        },
        {"kind": "return"},
    ]
    for step in steps:
        response = await client.post(
            f"{API}/deliveries",
            json=event_body(code=code, **step),
            headers=world.headers("delivery_a1"),
        )
        assert response.status_code == 201, response.text
    history = await events_of(client, world, code)
    assert [e["type"] for e in history] == [
        "registered",
        "filled",
        "dispatched",
        "delivered",
        "returned",
    ]
    assert history[3]["safety_check"] == {"hose_ok": True, "alarm_ok": True}
    # Another company's delivery worker cannot even see it.
    other = await client.post(
        f"{API}/deliveries",
        json=event_body(code=code, kind="return"),
        headers=world.headers("delivery_b1"),
    )
    assert other.status_code == 404


async def test_deliver_needs_a_customer(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    response = await client.post(
        f"{API}/deliveries",
        json=event_body(code=code, kind="deliver"),
        headers=world.headers("delivery_a1"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "CUSTOMER_REQUIRED"


async def test_blacklist_by_code_batch_and_model_and_lifting(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    by_code = await register_one(ctx, world)
    by_batch = await register_one(ctx, world, batch="B-2023-07")
    same_batch_other_maker = await register_one(
        ctx, world, batch="B-2023-07", manufacturer="另一家钢瓶厂"
    )
    by_model = await register_one(ctx, world, model="YSP12")
    headers = world.headers("regulator")
    entries = []
    for body in (
        {"code": by_code, "reason": "克隆标签"},
        {"manufacturer": "浙江某钢瓶厂", "batch": "B-2023-07", "reason": "批次召回"},
        {"model": "ysp12", "reason": "型号召回"},
    ):
        response = await client.post(f"{API}/blacklist", json=body, headers=headers)
        assert response.status_code == 201, response.text
        entries.append(response.json())
    for code in (by_code, by_batch, by_model):
        assert [r["code"] for r in (await check(client, world, code))["reasons"]] == ["BLACKLISTED"]
    assert (await check(client, world, same_batch_other_maker))["verdict"] == "allow"
    for entry in entries:
        lifted = await client.delete(
            f"{API}/blacklist/{entry['id']}", params={"reason": "核查无误"}, headers=headers
        )
        assert lifted.status_code == 200
        assert lifted.json()["lifted_at"] is not None
    for code in (by_code, by_batch, by_model):
        assert (await check(client, world, code))["verdict"] == "allow"
    listed = (await client.get(f"{API}/blacklist", headers=headers)).json()["items"]
    assert len(listed) == 3
    assert all(e["lifted_at"] for e in listed)
    types = [e["type"] for e in await events_of(client, world, by_code)]
    assert types == ["registered", "blacklisted", "fill_refused", "blacklist_lifted"]


async def test_blacklist_needs_exactly_one_target(client: httpx.AsyncClient, world: World) -> None:
    for body in (
        {"reason": "x"},
        {"model": "YSP12", "batch": "B", "reason": "x"},
        {"manufacturer": "A", "reason": "x"},
    ):
        response = await client.post(
            f"{API}/blacklist", json=body, headers=world.headers("regulator")
        )
        assert response.status_code == 422
        assert response.json()["code"] == "BLACKLIST_TARGET"
    denied = await client.post(
        f"{API}/blacklist",
        json={"model": "YSP12", "reason": "x"},
        headers=world.headers("company_admin_a"),
    )
    assert denied.status_code == 403


async def test_seize_and_release(client: httpx.AsyncClient, world: World, ctx: Context) -> None:
    code = await register_one(ctx, world)
    seized = await client.post(
        f"{API}/cylinders/{code}/seize",
        json=event_body(reason="执法检查"),
        headers=world.headers("regulator"),
    )
    assert seized.status_code == 201, seized.text
    assert [r["code"] for r in (await check(client, world, code))["reasons"]] == ["SEIZED"]
    far = await client.post(
        f"{API}/cylinders/{code}/release",
        json=event_body(reason="x"),
        headers=world.headers("regulator_far"),
    )
    assert far.status_code == 404
    released = await client.post(
        f"{API}/cylinders/{code}/release",
        json=event_body(reason="整改完毕"),
        headers=world.headers("regulator"),
    )
    assert released.status_code == 201
    assert (await check(client, world, code))["verdict"] == "allow"


async def test_station_lock_refuses_every_fill_there(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    station = world.orgs["station_a1"]
    locked = await client.post(
        f"{API}/organizations/{station}/lock",
        json={"reason": "违规充装"},
        headers=world.headers("regulator"),
    )
    assert locked.status_code == 200
    assert locked.json()["is_locked"] is True
    assert [r["code"] for r in (await check(client, world, code))["reasons"]] == ["STATION_LOCKED"]
    assert (await check(client, world, code, who="filler_a2"))["verdict"] == "allow"
    denied = await client.post(
        f"{API}/organizations/{station}/unlock", headers=world.headers("company_admin_a")
    )
    assert denied.status_code == 403
    assert (
        await client.post(
            f"{API}/organizations/{station}/unlock", headers=world.headers("regulator")
        )
    ).status_code == 200
    assert (await check(client, world, code))["verdict"] == "allow"
    history = (
        await client.get(
            f"{API}/organizations/{station}/events", headers=world.headers("regulator")
        )
    ).json()["items"]
    assert [e["type"] for e in history] == ["locked", "unlocked"]


async def test_entrustment_lets_another_station_fill(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world, company="company_b")
    assert [r["code"] for r in (await check(client, world, code))["reasons"]] == ["NOT_OWNED"]
    body = {
        "station_id": str(world.orgs["station_a1"]),
        "valid_from": "2026-06-01",
        "valid_until": "2026-06-30",
    }
    response = await client.post(
        f"{API}/entrustments", json=body, headers=world.headers("company_admin_b")
    )
    assert response.status_code == 201, response.text
    assert (await check(client, world, code))["verdict"] == "allow"


async def test_transfer_moves_ownership_with_an_event(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    body = event_body(to_owner_id=str(world.orgs["company_b"]), reason="并购")
    response = await client.post(
        f"{API}/cylinders/{code}/transfer", json=body, headers=world.headers("company_admin_a")
    )
    assert response.status_code == 201, response.text
    assert [r["code"] for r in (await check(client, world, code))["reasons"]] == ["NOT_OWNED"]
    assert (await check(client, world, code, who="filler_b1"))["verdict"] == "allow"
    assert (
        await client.get(f"{API}/cylinders/{code}", headers=world.headers("company_admin_a"))
    ).status_code == 404
