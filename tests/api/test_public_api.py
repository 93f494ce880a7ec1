"""``GET /api/v1/public/cylinders/{code}``: the public page's facts as JSON, for anyone, on the
real database. No token is sent in any of these requests."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import httpx

from service.use_cases.context import Context
from tests.api.calls import API, fill, inspect
from tests.factories import event_body, register_one
from tests.world import World

PUBLIC = f"{API}/public/cylinders"
FIELDS = {
    "code", "status", "status_zh", "status_en", "reasons", "notices", "label_verified", "model",
    "manufacturer", "owner_name", "manufactured_on", "next_inspection_due", "scrap_on",
    "last_fill", "as_of",
}  # fmt: skip
# Keys that would carry a person or an internal id; none may appear at any depth.
PERSONAL_KEYS = {
    "customer", "customer_id", "customer_name", "operator", "operator_id", "operator_name",
    "actor_id", "user_id", "user", "users", "name", "phone", "mobile", "address", "location",
    "id", "owner_id", "org_id", "station_id", "token", "safety_check", "vehicle", "serial_no",
}  # fmt: skip


def tag_of(ctx: Context, code: str) -> str:
    return urlsplit(ctx.qr_payload(code)).path.rsplit("/", 1)[1]


async def public(client: httpx.AsyncClient, code: str, **params: str) -> dict[str, Any]:
    response = await client.get(f"{PUBLIC}/{code}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == FIELDS  # a new field is a privacy decision: add it here on purpose
    return body


def walk(value: Any) -> list[tuple[str, Any]]:
    """Every (key, value) pair at any depth, and every bare value under the key ''."""
    if isinstance(value, dict):
        pairs = [(k, v) for k, v in value.items()]
        return pairs + [p for v in value.values() for p in walk(v)]
    if isinstance(value, list):
        return [p for item in value for p in walk(item)]
    return [("", value)]


async def test_in_service_cylinder_is_ok_with_a_verified_label(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world, manufactured_on=date(2024, 3, 1))
    body = await public(client, code, tag=tag_of(ctx, code))
    assert (body["status"], body["status_zh"], body["status_en"]) == ("OK", "正常", "OK")
    assert body["label_verified"] is True
    assert body["reasons"] == []
    assert body["owner_name"] == "甲燃气有限公司"
    assert (body["model"], body["manufactured_on"]) == ("YSP35.5", "2024-03-01")
    assert body["next_inspection_due"] > "2026-06-15"
    assert body["scrap_on"] > body["next_inspection_due"]
    assert body["last_fill"] is None
    assert body["as_of"] == "2026-06-15"


async def test_overdue_when_the_inspection_date_has_passed(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(
        ctx, world, manufactured_on=date(2022, 6, 1), next_inspection_due=date(2026, 6, 14)
    )
    body = await public(client, code)
    assert (body["status"], body["status_zh"]) == ("INSPECTION_OVERDUE", "超期未检")
    assert [r["code"] for r in body["reasons"]] == ["INSPECTION_OVERDUE"]
    assert body["reasons"][0]["message_zh"] == "超期未检，禁止充装"
    assert body["label_verified"] is None  # no tag given: not verified, not forged


async def test_due_date_itself_is_still_ok_and_the_clock_decides(
    client: httpx.AsyncClient, world: World, ctx: Context, clock: Any
) -> None:
    code = await register_one(
        ctx, world, manufactured_on=date(2022, 6, 1), next_inspection_due=date(2026, 6, 15)
    )
    body = await public(client, code)
    assert body["status"] == "OK"
    assert [n["code"] for n in body["notices"]] == ["INSPECTION_DUE_SOON"]
    clock.advance(hours=14)  # 2026-06-16 00:00 in Shanghai, still the 15th in UTC
    assert (await public(client, code))["status"] == "INSPECTION_OVERDUE"


async def test_scrapped_after_an_inspection_scraps_it(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    assert (await inspect(client, world, code, "scrap")).status_code == 201
    body = await public(client, code, tag=tag_of(ctx, code))
    assert (body["status"], body["status_zh"], body["status_en"]) == (
        "SCRAPPED",
        "已报废",
        "Scrapped",
    )
    assert body["label_verified"] is True


async def test_seized_by_the_regulator(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world, next_inspection_due=date(2026, 6, 1))
    seized = await client.post(
        f"{API}/cylinders/{code}/seize",
        json=event_body(reason="执法检查"),
        headers=world.headers("regulator"),
    )
    assert seized.status_code == 201, seized.text
    body = await public(client, code)
    assert (body["status"], body["status_zh"]) == ("SEIZED", "已查封")
    assert [r["code"] for r in body["reasons"]] == ["SEIZED", "INSPECTION_OVERDUE"]


async def test_failed_inspection_and_blacklist(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    failed = await register_one(ctx, world)
    assert (await inspect(client, world, failed, "fail")).status_code == 201
    assert (await public(client, failed))["status_zh"] == "检验不合格"
    listed = await register_one(ctx, world, batch="B-2023-07")
    response = await client.post(
        f"{API}/blacklist",
        json={"manufacturer": "浙江某钢瓶厂", "batch": "B-2023-07", "reason": "批次召回"},
        headers=world.headers("regulator"),
    )
    assert response.status_code == 201, response.text
    assert (await public(client, listed))["status_zh"] == "黑名单"


async def test_forged_tag_is_reported_and_the_state_still_shown(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    other = await register_one(ctx, world)
    # "3É": a known key version, then a character compare_digest cannot take (was a 500).
    for forged in ("2222", tag_of(ctx, other), "not-a-tag", "3É", "3ÉÉÉ"):
        body = await public(client, code, tag=forged)
        assert body["label_verified"] is False, forged
        assert body["status"] == "OK"
    # The tag is read as printed, whatever case the camera app hands over.
    assert (await public(client, code, tag=tag_of(ctx, code).lower()))["label_verified"] is True


async def test_code_as_typed_finds_the_cylinder(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    typed = f"{code[:4].lower()} {code[4:8]}-{code[8:]}"
    assert (await public(client, typed))["code"] == code


async def test_shows_the_last_fill_station_and_no_personal_data(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    assert (await fill(client, world, ctx.qr_payload(code))).status_code == 201
    delivered = await client.post(
        f"{API}/deliveries",
        json=event_body(code=code, kind="deliver", customer_id="C-13800138000"),
        headers=world.headers("delivery_a1"),
    )
    assert delivered.status_code == 201, delivered.text
    body = await public(client, code, tag=tag_of(ctx, code))
    assert body["last_fill"] == {"station_name": "station_a1 充装站", "filled_on": "2026-06-15"}
    pairs = walk(body)
    assert PERSONAL_KEYS.isdisjoint(key for key, _ in pairs)
    secrets = {"C-13800138000", *world.tokens.values(), *world.tokens}
    secrets |= {str(i) for i in (*world.user_ids.values(), *world.orgs.values())}
    leaked = [(k, v) for k, v in pairs if isinstance(v, str) and any(s in v for s in secrets)]
    assert leaked == []


async def test_unknown_and_malformed_codes_are_404_problems(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    unknown = code[:-1] + ("2" if code[-1] != "2" else "3")  # breaks the check character
    never_issued = "2222222222" + "2"  # passes the check, never registered
    cases = [
        (never_issued, "UNKNOWN_CODE"),
        (unknown, "INVALID_CODE"),
        ("hello", "INVALID_CODE"),
        ("X" * 5000, "INVALID_CODE"),
        ("%E6%B0%94%E7%93%B6", "INVALID_CODE"),
    ]
    for asked, expected in cases:
        response = await client.get(f"{PUBLIC}/{asked}")
        assert response.status_code == 404, (asked, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert (problem["status"], problem["code"]) == (404, expected)
        assert "未登记" in problem["detail"] or "编号无效" in problem["detail"]


async def test_needs_no_token_and_ignores_a_bad_one(
    client: httpx.AsyncClient, world: World, ctx: Context
) -> None:
    code = await register_one(ctx, world)
    response = await client.get(
        f"{PUBLIC}/{code}", headers={"Authorization": "Bearer nobody-holds-this-token"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "OK"
    # The rest of the API still wants a token.
    assert (await client.get(f"{API}/cylinders/{code}")).status_code == 401
