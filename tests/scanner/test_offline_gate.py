"""The offline gate against the service: a local copy synced from a real server (uvicorn on the
test's database), then the same scans judged by ``POST /fill-checks`` and by the local gate."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from scanner.offline.cache import CacheInfo, LocalCache, sync_cache
from scanner.offline.gate import NO_COPY, NOT_IN_COPY, STALE_COPY, OfflineGate
from scanner.offline.verdict import GateAnswer
from scanner.outbox.client import ServiceClient
from service.domain.codes import check_character
from service.use_cases.context import Context
from tests.conftest import FakeClock
from tests.helpers import event_body, register_one
from tests.scanner.live_service import LiveService, events_in_db
from tests.world import World

API = "/api/v1"
FILLER = "filler_a1"


async def post(client: httpx.AsyncClient, world: World, who: str, path: str, body: Any) -> Any:
    response = await client.post(f"{API}{path}", json=body, headers=world.headers(who))
    assert response.status_code in (200, 201), response.text
    return response.json()


async def service_says(client: httpx.AsyncClient, world: World, scan: str) -> dict[str, Any]:
    return dict(await post(client, world, FILLER, "/fill-checks", {"scan": scan}))


def sync_copy(url: str, token: str, cache_file: Path, clock: FakeClock) -> CacheInfo:
    cache = LocalCache(cache_file)
    try:
        with ServiceClient(url, token) as http:
            return sync_cache(http, cache, clock)
    finally:
        cache.close()


async def synced_gate(
    service: LiveService, world: World, tmp_path: Path, clock: FakeClock
) -> OfflineGate:
    """Sync in a thread: the server runs on this test's event loop."""
    token = world.tokens[FILLER]
    await asyncio.to_thread(sync_copy, service.url, token, tmp_path / "cache.sqlite3", clock)
    return OfflineGate(LocalCache(tmp_path / "cache.sqlite3"), token, clock)


def codes(findings: Any) -> list[str]:
    return sorted(f["code"] if isinstance(f, dict) else f.code for f in findings)


async def build_fleet(ctx: Context, world: World, client: httpx.AsyncClient) -> dict[str, str]:
    """One cylinder (or scan) per case, named by what the gate should find."""
    today = ctx.today()
    reg = {"ok": await register_one(ctx, world)}
    reg["overdue"] = await register_one(ctx, world, next_inspection_due=today - timedelta(days=3))
    reg["due_soon"] = await register_one(ctx, world, next_inspection_due=today + timedelta(days=9))
    reg["life_exceeded"] = await register_one(ctx, world, manufactured_on=date(2015, 1, 1))
    reg["refurbished"] = await register_one(ctx, world, flags=["refurbished"])
    reg["banned_model"] = await register_one(ctx, world, model="YSP118-II")
    reg["batch"] = await register_one(ctx, world, batch="B-2024-07")
    reg["model"] = await register_one(ctx, world, model="YSP12")
    for case, result in (("scrapped", "scrap"), ("failed", "fail")):
        reg[case] = await register_one(ctx, world)
        inspection = event_body(code=reg[case], inspected_on=str(today), result=result)
        await post(client, world, "inspector", "/inspections", inspection)
    reg["seized"] = await register_one(ctx, world)
    await post(
        client, world, "regulator", f"/cylinders/{reg['seized']}/seize", event_body(reason="查封")
    )
    batch = {"manufacturer": " 浙江某钢瓶厂", "batch": "B-2024-07", "reason": "召回"}
    await post(client, world, "regulator", "/blacklist", batch)
    await post(client, world, "regulator", "/blacklist", {"model": "YSP12", "reason": "召回"})
    reg["alias"] = await register_one(ctx, world, aliases=["ZJ-OLD-00042"])
    reg["not_owned"] = await register_one(ctx, world, company="company_b")
    scans = {case: ctx.qr_payload(code) for case, code in reg.items()}
    scans["typed"] = reg["ok"][:4] + " " + reg["ok"][4:]
    scans["alias"] = "zj-old-00042"
    body = "ZZZZ22223"
    scans["unknown"] = ctx.qr_payload(body + "9" + check_character(body + "9"))
    scans["bad_check"] = scans["ok"].replace(f"/C/{reg['ok']}/", f"/C/{reg['ok'][:-1]}2/")
    if reg["ok"].endswith("2"):
        scans["bad_check"] = scans["ok"].replace(f"/C/{reg['ok']}/", f"/C/{reg['ok'][:-1]}3/")
    return scans


def mismatch(case: str, online: dict[str, Any], offline: GateAnswer) -> str | None:
    same_verdict = (online["verdict"] == "allow") == offline.is_allowed
    if case in ("not_owned", "unknown"):
        # Not in the company's list: refused offline, with the note (see scanner.offline.gate).
        ok = (
            same_verdict
            and offline.reason_codes == ["UNKNOWN_CODE"]
            and offline.note == NOT_IN_COPY
        )
    else:
        ok = (
            same_verdict
            and codes(online["reasons"]) == codes(offline.reasons)
            and codes(online["warnings"]) == codes(offline.warnings)
            and online["code"] == offline.code
        )
    if ok:
        return None
    return (
        f"{case}: service {online['verdict']} {codes(online['reasons'])} "
        f"{codes(online['warnings'])}; offline {offline.is_allowed} "
        f"{codes(offline.reasons)} {codes(offline.warnings)}"
    )


async def test_answers_as_the_service_does_for_every_case(
    ctx: Context,
    world: World,
    client: httpx.AsyncClient,
    service: LiveService,
    tmp_path: Path,
    clock: FakeClock,
) -> None:
    scans = await build_fleet(ctx, world, client)
    gate = await synced_gate(service, world, tmp_path, clock)
    problems, verdicts = [], {}
    for case, scan in scans.items():
        online, offline = await service_says(client, world, scan), gate.decide(scan)
        verdicts[case] = (online["verdict"], codes(offline.reasons))
        assert offline.is_offline
        problems.append(mismatch(case, online, offline))
    assert [p for p in problems if p] == [], verdicts
    # The table is not vacuous: each case meant what its name says.
    assert verdicts["ok"] == ("allow", [])
    assert verdicts["overdue"] == ("refuse", ["INSPECTION_OVERDUE"])
    assert verdicts["scrapped"][1] == ["SCRAPPED"]
    assert verdicts["batch"] == verdicts["model"] == ("refuse", ["BLACKLISTED"])
    assert verdicts["failed"] == ("refuse", ["INSPECTION_FAILED"])
    assert verdicts["bad_check"] == ("refuse", ["LABEL_INVALID"])
    assert verdicts["alias"] == ("allow", [])


async def test_knows_a_blacklisting_of_one_cylinder(
    ctx: Context,
    world: World,
    client: httpx.AsyncClient,
    service: LiveService,
    tmp_path: Path,
    clock: FakeClock,
) -> None:
    code = await register_one(ctx, world)
    await post(client, world, "regulator", "/blacklist", {"code": code, "reason": "克隆标签"})
    gate = await synced_gate(service, world, tmp_path, clock)
    online = await service_says(client, world, ctx.qr_payload(code))
    offline = gate.decide(ctx.qr_payload(code))
    assert codes(online["reasons"]) == ["BLACKLISTED"]
    assert offline.reason_codes == ["BLACKLISTED"]


async def test_refuses_like_the_service_when_the_station_is_locked(
    ctx: Context,
    world: World,
    client: httpx.AsyncClient,
    service: LiveService,
    tmp_path: Path,
    clock: FakeClock,
) -> None:
    code = await register_one(ctx, world)
    station = world.orgs["station_a1"]
    await post(client, world, "regulator", f"/organizations/{station}/lock", {"reason": "整改"})
    gate = await synced_gate(service, world, tmp_path, clock)
    online = await service_says(client, world, ctx.qr_payload(code))
    offline = gate.decide(ctx.qr_payload(code))
    assert codes(online["reasons"]) == ["STATION_LOCKED"]
    assert offline.reason_codes == ["STATION_LOCKED"]
    assert not offline.is_allowed


async def test_allows_what_was_blacklisted_after_the_sync_and_the_upload_flags_it(
    ctx: Context,
    world: World,
    client: httpx.AsyncClient,
    service: LiveService,
    tmp_path: Path,
    clock: FakeClock,
    superuser_dsn: str,
) -> None:
    code = await register_one(ctx, world, batch="LATE-1")
    gate = await synced_gate(service, world, tmp_path, clock)
    late = {"manufacturer": "浙江某钢瓶厂", "batch": "LATE-1", "reason": "召回"}
    await post(client, world, "regulator", "/blacklist", late)
    answer = gate.decide(ctx.qr_payload(code))
    assert answer.is_allowed  # the copy cannot know
    body = event_body(
        scan=ctx.qr_payload(code),
        net_kg=14.5,
        filled_at=clock.now.isoformat(),
        offline=answer.offline_record(),
    )
    stored = await post(client, world, FILLER, "/fills", body)
    assert stored["violations"] == ["BLACKLISTED"]
    (row,) = await events_in_db(superuser_dsn, code=code, type_="filled")
    assert json.loads(row["payload"])["offline"]["verdict"] == "allow"


async def test_decides_nothing_without_a_copy_or_with_an_old_one(
    ctx: Context, world: World, service: LiveService, tmp_path: Path, clock: FakeClock
) -> None:
    code = await register_one(ctx, world)
    empty = OfflineGate(LocalCache(tmp_path / "empty.sqlite3"), world.tokens[FILLER], clock)
    assert empty.decide(code).note == NO_COPY
    gate = await synced_gate(service, world, tmp_path, clock)
    assert gate.decide(code).is_allowed
    other = OfflineGate(gate.cache, world.tokens["filler_a2"], clock)
    assert other.decide(code).note == NO_COPY  # another user's copy is not used
    clock.advance(hours=25)
    stale = gate.decide(code)
    assert not stale.is_allowed
    assert stale.note == STALE_COPY
