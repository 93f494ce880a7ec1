"""The offline gate against the service: a local copy synced from a real server (uvicorn on the
test's database), then the same scans judged by ``POST /fill-checks`` and by the local gate."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner.offline.cache import LocalCache
from scanner.offline.gate import NO_COPY, NOT_IN_COPY, STALE_COPY, OfflineGate
from scanner.offline.refresh import sync_copy_at
from scanner.offline.verdict import GateAnswer
from scanner.outbox.client import ServiceClient
from service.domain.codes import check_character
from service.use_cases.context import Context
from tests.context import FakeClock
from tests.factories import event_body, register_one
from tests.scanner.live_service import LiveService, events_in_db
from tests.world import World

API = "/api/v1"
FILLER = "filler_a1"


@dataclass
class Site:
    """The service really served on the test's database, its test world, and where the
    filler's local copy is kept."""

    ctx: Context
    world: World
    client: httpx.AsyncClient
    service: LiveService
    clock: FakeClock
    copy_path: Path

    async def post(self, who: str, path: str, body: Any) -> Any:
        response = await self.client.post(
            f"{API}{path}", json=body, headers=self.world.headers(who)
        )
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def service_says(self, scan: str) -> dict[str, Any]:
        return dict(await self.post(FILLER, "/fill-checks", {"scan": scan}))

    async def synced_gate(self) -> OfflineGate:
        """Sync in a thread: the server runs on this test's event loop."""
        token, url = self.world.tokens[FILLER], self.service.url
        await asyncio.to_thread(
            sync_copy_at, self.copy_path, lambda: ServiceClient(url, token), self.clock
        )
        return OfflineGate(LocalCache(self.copy_path), token, self.clock)


@pytest.fixture
def site(
    ctx: Context,
    world: World,
    client: httpx.AsyncClient,
    service: LiveService,
    clock: FakeClock,
    tmp_path: Path,
) -> Site:
    return Site(ctx, world, client, service, clock, tmp_path / "cache.sqlite3")


def codes(findings: Any) -> list[str]:
    return sorted(f["code"] if isinstance(f, dict) else f.code for f in findings)


async def build_fleet(site: Site) -> dict[str, str]:
    """One cylinder (or scan) per case of ``EXPECTED``, named by what the gate must find."""
    ctx, world, post = site.ctx, site.world, site.post
    today = ctx.today()
    reg = {"ok": await register_one(ctx, world)}
    reg["overdue"] = await register_one(ctx, world, next_inspection_due=today - timedelta(days=3))
    reg["due_soon"] = await register_one(ctx, world, next_inspection_due=today + timedelta(days=9))
    reg["life_exceeded"] = await register_one(
        ctx, world, manufactured_on=date(2015, 1, 1), next_inspection_due=today + timedelta(days=90)
    )
    reg["refurbished"] = await register_one(ctx, world, flags=["refurbished"])
    reg["banned_model"] = await register_one(ctx, world, model="YSP118-II")
    reg["batch"] = await register_one(ctx, world, batch="B-2024-07")
    reg["model"] = await register_one(ctx, world, model="YSP12")
    for case, result in (("scrapped", "scrap"), ("failed", "fail")):
        reg[case] = await register_one(ctx, world)
        inspection = event_body(code=reg[case], inspected_on=str(today), result=result)
        await post("inspector", "/inspections", inspection)
    reg["seized"] = await register_one(ctx, world)
    seizure = event_body(reason="查封")
    await post("regulator", f"/cylinders/{reg['seized']}/seize", seizure)
    reg["just_filled"] = await register_one(ctx, world)
    fill = event_body(scan=reg["just_filled"], net_kg=14.5, filled_at=site.clock.now.isoformat())
    await post(FILLER, "/fills", fill)
    batch = {"manufacturer": " 浙江某钢瓶厂", "batch": "B-2024-07", "reason": "召回"}
    await post("regulator", "/blacklist", batch)
    await post("regulator", "/blacklist", {"model": "YSP12", "reason": "召回"})
    reg["alias"] = await register_one(ctx, world, aliases=["ZJ-OLD-00042"])
    reg["not_owned"] = await register_one(ctx, world, company="company_b")
    scans = {case: ctx.qr_payload(code) for case, code in reg.items()}
    scans["typed"] = reg["ok"][:4] + " " + reg["ok"][4:]
    scans["alias"] = "zj-old-00042"
    body = "ZZZZ22223"
    scans["unknown"] = ctx.qr_payload(body + "9" + check_character(body + "9"))
    wrong = reg["ok"][:-1] + ("3" if reg["ok"].endswith("2") else "2")
    scans["bad_check"] = scans["ok"].replace(f"/C/{reg['ok']}/", f"/C/{wrong}/")
    return scans


Said = tuple[str, list[str], list[str]]  # verdict, reasons, warnings (sorted)

# What the gate must say for each case of the fleet: every flag, date, status, blacklist entry
# and model of the cylinder list has a case that only it decides, so that a field the local
# copy lost (or that both sides lost) fails here by name. A cylinder never filled since it was
# registered must be purged first (NEEDS_PURGE).
PURGE = ["NEEDS_PURGE"]
EXPECTED: dict[str, Said] = {
    "ok":            ("allow",  [], PURGE),
    "typed":         ("allow",  [], ["MANUAL_ENTRY", *PURGE]),
    "alias":         ("allow",  [], PURGE),
    "overdue":       ("refuse", ["INSPECTION_OVERDUE"], PURGE),
    "due_soon":      ("allow",  [], ["INSPECTION_DUE_SOON", *PURGE]),
    "life_exceeded": ("refuse", ["SERVICE_LIFE_EXCEEDED"], PURGE),
    "refurbished":   ("refuse", ["REFURBISHED_OR_MODIFIED"], PURGE),
    "banned_model":  ("refuse", ["BANNED_MODEL"], PURGE),
    "batch":         ("refuse", ["BLACKLISTED"], PURGE),
    "model":         ("refuse", ["BLACKLISTED"], PURGE),
    "scrapped":      ("refuse", ["SCRAPPED"], PURGE),
    "failed":        ("refuse", ["INSPECTION_FAILED"], PURGE),
    "seized":        ("refuse", ["SEIZED"], PURGE),
    "just_filled":   ("allow",  [], ["RAPID_REFILL"]),
    "not_owned":     ("refuse", ["NOT_OWNED"], PURGE),
    "unknown":       ("refuse", ["UNKNOWN_CODE"], []),
    "bad_check":     ("refuse", ["LABEL_INVALID"], []),
}  # fmt: skip
# Offline, a cylinder of another company is not in the copy: refused as unknown, with a note.
NOT_IN_THE_COPY = ("not_owned", "unknown")
EXPECTED_OFFLINE = {**EXPECTED, "not_owned": ("refuse", ["UNKNOWN_CODE"], [])}


def said_online(answer: dict[str, Any]) -> Said:
    return answer["verdict"], codes(answer["reasons"]), codes(answer["warnings"])


def said_offline(answer: GateAnswer) -> Said:
    return "allow" if answer.is_allowed else "refuse", codes(answer.reasons), codes(answer.warnings)


async def test_answers_every_case_as_the_service_does_and_as_the_rules_say(site: Site) -> None:
    scans = await build_fleet(site)
    assert scans.keys() == EXPECTED.keys()
    gate = await site.synced_gate()
    online = {case: await site.service_says(scan) for case, scan in scans.items()}
    offline = {case: gate.decide(scan) for case, scan in scans.items()}
    assert {case: said_online(answer) for case, answer in online.items()} == EXPECTED
    assert {case: said_offline(answer) for case, answer in offline.items()} == EXPECTED_OFFLINE
    assert all(answer.is_offline for answer in offline.values())
    notes = {case: answer.note for case, answer in offline.items() if answer.note is not None}
    assert notes == dict.fromkeys(NOT_IN_THE_COPY, NOT_IN_COPY)
    known = [case for case in scans if case not in NOT_IN_THE_COPY]
    assert [offline[case].code for case in known] == [online[case]["code"] for case in known]


async def test_knows_a_blacklisting_of_one_cylinder(site: Site) -> None:
    code = await register_one(site.ctx, site.world)
    await site.post("regulator", "/blacklist", {"code": code, "reason": "克隆标签"})
    gate = await site.synced_gate()
    online = await site.service_says(site.ctx.qr_payload(code))
    offline = gate.decide(site.ctx.qr_payload(code))
    assert codes(online["reasons"]) == ["BLACKLISTED"]
    assert offline.reason_codes == ["BLACKLISTED"]


async def test_refuses_like_the_service_when_the_station_is_locked(site: Site) -> None:
    code = await register_one(site.ctx, site.world)
    station = site.world.orgs["station_a1"]
    await site.post("regulator", f"/organizations/{station}/lock", {"reason": "整改"})
    gate = await site.synced_gate()
    online = await site.service_says(site.ctx.qr_payload(code))
    offline = gate.decide(site.ctx.qr_payload(code))
    assert codes(online["reasons"]) == ["STATION_LOCKED"]
    assert offline.reason_codes == ["STATION_LOCKED"]
    assert not offline.is_allowed


async def test_allows_what_was_blacklisted_after_the_sync_and_the_upload_flags_it(
    site: Site, superuser_dsn: str
) -> None:
    code = await register_one(site.ctx, site.world, batch="LATE-1")
    gate = await site.synced_gate()
    late = {"manufacturer": "浙江某钢瓶厂", "batch": "LATE-1", "reason": "召回"}
    await site.post("regulator", "/blacklist", late)
    scan = site.ctx.qr_payload(code)
    answer = gate.decide(scan)
    assert answer.is_allowed  # the copy cannot know
    filled_at = site.clock.now.isoformat()
    body = event_body(scan=scan, net_kg=14.5, filled_at=filled_at, offline=answer.offline_record())
    stored = await site.post(FILLER, "/fills", body)
    assert stored["violations"] == ["BLACKLISTED"]
    (row,) = await events_in_db(superuser_dsn, code=code, type_="filled")
    assert json.loads(row["payload"])["offline"]["verdict"] == "allow"


async def test_decides_nothing_without_a_copy_or_with_an_old_one(
    site: Site, clock: FakeClock, tmp_path: Path
) -> None:
    code = await register_one(site.ctx, site.world)
    token = site.world.tokens[FILLER]
    empty = OfflineGate(LocalCache(tmp_path / "empty.sqlite3"), token, clock)
    assert empty.decide(code).note == NO_COPY
    gate = await site.synced_gate()
    assert gate.decide(code).is_allowed
    other = OfflineGate(gate.cache, site.world.tokens["filler_a2"], clock)
    assert other.decide(code).note == NO_COPY  # another user's copy is not used
    clock.advance(hours=25)
    stale = gate.decide(code)
    assert not stale.is_allowed
    assert stale.note == STALE_COPY
