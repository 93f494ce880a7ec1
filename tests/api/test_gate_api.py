"""``/fill-checks`` and ``/fills`` over HTTP, on the real database."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service import app as app_module
from service.settings import Settings
from service.use_cases.context import Context
from tests.api.calls import API, check, events_of, fill
from tests.context import FakeClock
from tests.factories import event_body, fill_body, register_one
from tests.world import World


async def test_allows_a_scanned_label_of_our_own_cylinder(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    result = await check(client, world, ctx.qr_payload(code))
    assert result["verdict"] == "allow", result
    assert result["code"] == code
    assert [w["code"] for w in result["warnings"]] == ["NEEDS_PURGE"]
    assert result["cylinder"]["code"] == code


async def test_refusal_is_recorded_as_an_event(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world, company="company_b")
    result = await check(client, world, ctx.qr_payload(code))
    assert result["verdict"] == "refuse"
    assert [r["code"] for r in result["reasons"]] == ["NOT_OWNED"]
    assert result["reasons"][0]["message_zh"]
    # Another company's cylinder: only the public view.
    assert "serial_no" not in result["cylinder"]
    history = await events_of(client, world, code)
    assert [e["type"] for e in history] == ["registered", "fill_refused"]
    assert history[1]["reasons"] == ["NOT_OWNED"]
    assert history[1]["event_id"] == result["check_id"]
    assert history[1]["org_id"] == str(world.orgs["station_a1"])


async def test_unknown_code_is_counted_per_station(
    client: httpx.AsyncClient, world: World, superuser_dsn: str
) -> None:
    for _ in range(2):
        result = await check(client, world, "ZJ-OLD-LABEL-123456")
        assert result["verdict"] == "refuse"
        assert [r["code"] for r in result["reasons"]] == ["UNKNOWN_CODE"]
        assert result["cylinder"] is None
    conn = await asyncpg.connect(superuser_dsn)
    count = await conn.fetchval(
        "SELECT count FROM station_tally WHERE metric = 'refused:UNKNOWN_CODE'"
    )
    await conn.close()
    assert count == 2


async def test_forged_tag_refuses_with_label_invalid(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    forged = ctx.qr_payload(code)[:-3] + "222"
    result = await check(client, world, forged)
    assert [r["code"] for r in result["reasons"]] == ["LABEL_INVALID"]
    untagged = ctx.qr_payload(code).rsplit("/", 1)[0]
    result = await check(client, world, untagged)
    assert [r["code"] for r in result["reasons"]] == ["LABEL_INVALID"]


async def test_typed_code_is_allowed_with_manual_entry(
    client: httpx.AsyncClient, world: World, ctx: Context, superuser_dsn: str
) -> None:
    code = await register_one(ctx, world)
    typed = f"{code[:4].lower()} {code[4:8]}-{code[8:]}"
    result = await check(client, world, typed)
    assert result["verdict"] == "allow"
    assert "MANUAL_ENTRY" in [w["code"] for w in result["warnings"]]
    conn = await asyncpg.connect(superuser_dsn)
    count = await conn.fetchval(
        "SELECT count FROM station_tally WHERE metric = 'warning:MANUAL_ENTRY'"
    )
    await conn.close()
    assert count == 1


async def test_a_mistyped_code_is_label_invalid_not_unknown(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    result = await check(client, world, wrong)
    assert [r["code"] for r in result["reasons"]] == ["LABEL_INVALID"]


async def test_fill_is_recorded_and_idempotent(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    body = fill_body(ctx.qr_payload(code))
    first = await client.post(f"{API}/fills", json=body, headers=world.headers("filler_a1"))
    assert first.status_code == 201, first.text
    again = await client.post(f"{API}/fills", json=body, headers=world.headers("filler_a1"))
    assert again.status_code == 200
    assert again.json() == first.json()
    changed = await client.post(
        f"{API}/fills", json={**body, "net_kg": 14.0}, headers=world.headers("filler_a1")
    )
    assert changed.status_code == 409
    assert changed.json()["code"] == "EVENT_ID_REUSED"
    history = await events_of(client, world, code)
    assert [e["type"] for e in history] == ["registered", "filled"]
    cylinder = (
        await client.get(f"{API}/cylinders/{code}", headers=world.headers("filler_a1"))
    ).json()
    assert cylinder["last_fill"]["net_kg"] == 14.5
    assert cylinder["last_fill"]["station_id"] == str(world.orgs["station_a1"])
    assert cylinder["needs_purge"] is False


async def test_fill_re_runs_the_gate(client: httpx.AsyncClient, world: World, ctx: Context) -> None:
    code = await register_one(ctx, world, next_inspection_due=date(2026, 6, 1))
    response = await fill(client, world, code)
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "FILL_REFUSED"
    assert [r["code"] for r in problem["reasons"]] == ["INSPECTION_OVERDUE"]
    assert [e["type"] for e in await events_of(client, world, code)] == [
        "registered",
        "fill_refused",
    ]


async def test_overfill_holds_until_a_corrected_reweigh(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    response = await fill(client, world, ctx.qr_payload(code), net_kg=15.4)
    assert response.status_code == 201
    assert "OVERFILLED" in response.json()["warnings"]
    assert (await client.get(f"{API}/cylinders/{code}", headers=world.headers("filler_a1"))).json()[
        "status"
    ] == "held"
    dispatch = event_body(code=code, kind="dispatch", vehicle="浙A12345")
    refused = await client.post(
        f"{API}/deliveries", json=dispatch, headers=world.headers("delivery_a1")
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "CYLINDER_HELD"
    still_over = await client.post(
        f"{API}/reweighs",
        json=event_body(code=code, net_kg=15.0),
        headers=world.headers("filler_a1"),
    )
    assert still_over.status_code == 201
    assert still_over.json()["released"] is False
    corrected = await client.post(
        f"{API}/reweighs",
        json=event_body(code=code, net_kg=14.6),
        headers=world.headers("filler_a1"),
    )
    assert corrected.status_code == 201
    assert corrected.json()["released"] is True
    ok = await client.post(f"{API}/deliveries", json=dispatch, headers=world.headers("delivery_a1"))
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize(
    ("net_kg", "out_of_tolerance"),
    [(14.5, False), (14.0, False), (13.9, True), (14.9, False), (12.0, True)],
)
async def test_a_net_mass_off_the_target_is_flagged_not_held(
    client: httpx.AsyncClient, world: World, ctx: Context, net_kg: float, out_of_tolerance: bool
) -> None:
    """YSP35.5: target 14.5 kg ± 0.5, at most 14.9 kg. Short of the target by more than the
    tolerance is a warning on the fill, which is recorded; the cylinder is not held."""
    code = await register_one(ctx, world)
    response = await fill(client, world, ctx.qr_payload(code), net_kg=net_kg)
    assert response.status_code == 201, response.text
    assert ("NET_OUT_OF_TOLERANCE" in response.json()["warnings"]) is out_of_tolerance
    assert (await events_of(client, world, code))[-1]["warnings"] == response.json()["warnings"]
    cylinder = (
        await client.get(f"{API}/cylinders/{code}", headers=world.headers("filler_a1"))
    ).json()
    assert cylinder["status"] == "in_service"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"manufactured_on": date(2016, 3, 1), "next_inspection_due": date(2027, 3, 1)},
            "SERVICE_LIFE_EXCEEDED",
        ),
        ({"model": "YSP118-II"}, "BANNED_MODEL"),
        ({"model": "YSP118-Ⅱ"}, "BANNED_MODEL"),
        ({"flags": ("refurbished",)}, "REFURBISHED_OR_MODIFIED"),
        ({"flags": ("screw_ring",)}, "REFURBISHED_OR_MODIFIED"),
    ],
    ids=["past-its-life", "banned-model", "banned-model-as-printed", "refurbished", "screw-ring"],
)
async def test_a_cylinder_past_its_life_of_a_banned_model_or_refurbished_is_refused(
    client: httpx.AsyncClient, world: World, ctx: Context, fields: dict[str, Any], reason: str
) -> None:
    code = await register_one(ctx, world, **fields)
    result = await check(client, world, ctx.qr_payload(code))
    assert result["verdict"] == "refuse"
    assert [r["code"] for r in result["reasons"]] == [reason]
    assert result["reasons"][0]["message_zh"]
    refused = await fill(client, world, ctx.qr_payload(code))
    assert refused.status_code == 409, refused.text
    assert [r["code"] for r in refused.json()["reasons"]] == [reason]
    history = await events_of(client, world, code)
    assert [e["type"] for e in history] == ["registered", "fill_refused", "fill_refused"]
    assert history[-1]["reasons"] == [reason]


async def test_failed_leak_test_holds(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    response = await fill(client, world, ctx.qr_payload(code), post_checks={"leak_ok": False})
    assert response.status_code == 201
    assert "LEAK_TEST_FAILED" in response.json()["warnings"]
    cylinder = (
        await client.get(f"{API}/cylinders/{code}", headers=world.headers("filler_a1"))
    ).json()
    assert (cylinder["status"], cylinder["hold_reason"]) == ("held", "leak")


async def test_rapid_refill_and_seen_elsewhere_come_from_history(
    client: httpx.AsyncClient, world: World, ctx: Context, clock: FakeClock
) -> None:
    code = await register_one(ctx, world)
    assert (
        await fill(client, world, ctx.qr_payload(code), filled_at="2026-06-15T09:58:00+08:00")
    ).status_code == 201
    clock.advance(minutes=10)
    result = await check(client, world, ctx.qr_payload(code), who="filler_a2")
    assert {"RAPID_REFILL", "SEEN_ELSEWHERE"} <= {w["code"] for w in result["warnings"]}
    clock.advance(hours=5)
    result = await check(client, world, ctx.qr_payload(code), who="filler_a2")
    assert not {"RAPID_REFILL", "SEEN_ELSEWHERE"} & {w["code"] for w in result["warnings"]}


async def test_only_fillers_use_the_gate(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    for who in ("delivery_a1", "company_admin_a", "regulator", "inspector", "admin"):
        response = await client.post(
            f"{API}/fill-checks", json={"scan": code}, headers=world.headers(who)
        )
        assert response.status_code == 403, who
    assert (await client.post(f"{API}/fill-checks", json={"scan": code})).status_code == 401


async def test_fill_body_must_name_scan_or_code(client: httpx.AsyncClient, world: World) -> None:
    body = event_body(net_kg=14.5, filled_at="2026-06-15T10:00:00+08:00")
    response = await client.post(f"{API}/fills", json=body, headers=world.headers("filler_a1"))
    assert response.status_code == 422
    assert response.json()["code"] == "SCAN_OR_CODE"


async def test_fill_in_the_future_is_refused(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    response = await fill(client, world, code, filled_at="2026-06-16T10:00:00+08:00")
    assert response.status_code == 422
    assert response.json()["code"] == "TIME_IN_FUTURE"
    assert [e["type"] for e in await events_of(client, world, code)] == ["registered"]


async def test_a_fill_made_offline_is_recorded_even_if_now_refused(
    client: httpx.AsyncClient, world: World, ctx: Context, superuser_dsn: str
) -> None:
    code = await register_one(ctx, world)
    blacklisted = await client.post(
        f"{API}/blacklist",
        json={"code": code, "reason": "召回"},
        headers=world.headers("regulator"),
    )
    assert blacklisted.status_code == 201
    offline = {
        "checked_at": "2026-06-15T03:00:00+08:00",
        "cache_as_of": "2026-06-14T20:00:00+08:00",
        "verdict": "allow",
    }
    response = await fill(
        client, world, code, filled_at="2026-06-15T03:00:00+08:00", offline=offline
    )
    assert response.status_code == 201, response.text
    assert response.json()["violations"] == ["BLACKLISTED"]
    assert response.json()["offline"]["verdict"] == "allow"
    conn = await asyncpg.connect(superuser_dsn)
    count = await conn.fetchval(
        "SELECT count FROM station_tally WHERE metric = 'offline_violation:BLACKLISTED'"
    )
    await conn.close()
    assert count == 1
    # Online, the same fill is refused.
    assert (await fill(client, world, code)).status_code == 409


async def test_the_history_shows_an_event_as_it_was_returned(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    created = (await fill(client, world, ctx.qr_payload(code))).json()
    listed = (await events_of(client, world, code))[-1]
    assert set(listed) == set(created)
    for key in ("occurred_at", "recorded_at"):
        assert datetime.fromisoformat(listed[key]) == datetime.fromisoformat(created[key])
        assert listed[key].endswith("+08:00")
    assert {k: v for k, v in listed.items() if not k.endswith("_at")} == {
        k: v for k, v in created.items() if not k.endswith("_at")
    }


async def test_the_history_speaks_the_configured_time_zone(
    world: World,
    ctx: Context,
    clean_db: str,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``CYLINDERS_TIMEZONE`` reaches both renderings of an event: the one the service builds
    (the fill's answer) and the one PostgreSQL builds (the history page)."""
    code = await register_one(ctx, world)
    # The app builds its own context and pools from the settings, as in production; it must
    # not freeze the test process's heap on the way.
    monkeypatch.setattr(app_module, "freeze_startup_heap", lambda: None)
    settings = Settings(
        database_url=clean_db,
        data_dir=tmp_path,
        timezone="America/Sao_Paulo",  # UTC-3 all year: no daylight saving since 2019
        token_cache_seconds=0,
    )
    app = app_module.create_app(settings, clock=clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        created = await fill(http, world, code, filled_at="2026-06-15T09:00:00+08:00")
        assert created.status_code == 201, created.text
        listed = (await events_of(http, world, code))[-1]
    for event in (created.json(), listed):
        assert event["occurred_at"].startswith("2026-06-14T22:00:00"), event
        assert event["occurred_at"].endswith("-03:00"), event
        assert event["recorded_at"].endswith("-03:00"), event
