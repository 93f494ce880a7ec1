"""Seeded data generator for city-scale benchmarks: orgs, users, cylinders and their histories,
loaded with COPY (never row by row), every history a valid hash chain.

    .venv/bin/python bench/citygen.py --cylinders 1000000 --events 10000000 [--url URL]

Distributions (two years of a large city, ending now):
- 15 % of cylinders were registered and never filled (one event);
- the rest follow fill cycles (filled → dispatched → delivered → returned) every 2-6 weeks,
  with an occasional refusal and a periodic inspection, scaled so the total is ``--events``;
- a long tail: ``--hot`` cylinders (default 50) carry 1,000-1,500 events each, and cylinder 1
  carries exactly 1,000 (the one the history benchmark reads);
- every third cylinder has an alias (the company's ledger number), and 50 manufacturer
  batches are under recall.

Two worker processes generate and COPY disjoint slices in parallel. The event table's secondary
indexes are dropped for the load and rebuilt after (``CREATE INDEX`` in bulk is several times
faster than maintaining them row by row); ``alembic check`` at the end proves the schema is back
to exactly what the migrations define. Prints the seconds per phase and the rows per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from service.db import migrate
from service.db.cylinders import CYLINDER_COPY_COLUMNS, EVENT_COPY_COLUMNS
from service.db.embedded import start_embedded
from service.domain.chain import ChainLink, link_hash, request_hash
from service.domain.codes import new_code, normalize_manufacturer
from service.domain.models import add_years, scrap_date
from service.domain.projection import to_json
from service.use_cases.auth import hash_token, new_token

ROOT = Path(__file__).resolve().parent.parent
REGION = "330100"
COMPANIES = 20
STATIONS_PER_COMPANY = 5
MAKERS = [
    "浙江金盾压力容器有限公司",
    "宁波明峰钢瓶制造有限公司",
    "江苏华安气瓶有限公司",
    "山东华清气瓶有限公司",
]
NOW = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
START = NOW - timedelta(days=730)
CHUNK = 4000
EVENT_INDEXES = {
    "uq_event_event_id": "ALTER TABLE event ADD CONSTRAINT uq_event_event_id UNIQUE (event_id)",
    "ix_event_type_recorded_at": "CREATE INDEX ix_event_type_recorded_at ON event (type, recorded_at)",
    "ix_event_org_id_recorded_at": "CREATE INDEX ix_event_org_id_recorded_at ON event (org_id, recorded_at)",
}


def plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@dataclass(frozen=True)
class World:
    regulator: uuid.UUID
    companies: list[uuid.UUID]
    stations: dict[uuid.UUID, list[uuid.UUID]]  # company → stations
    fillers: dict[uuid.UUID, uuid.UUID]  # station → filler user
    admin: uuid.UUID


async def create_world(
    conn: asyncpg.Connection, rng: random.Random
) -> tuple[World, dict[str, Any]]:
    """Organisations and one certified filler per station; the world and its tokens."""
    regulator, admin_org = uuid.uuid4(), uuid.uuid4()
    orgs: list[tuple[Any, ...]] = [
        (regulator, "杭州市市场监督管理局", "regulator", None, None, REGION, None, None)
    ]
    orgs.append((admin_org, "平台管理 / Platform", "regulator", None, None, None, None, None))
    companies: list[uuid.UUID] = []
    stations: dict[uuid.UUID, list[uuid.UUID]] = {}
    for c in range(COMPANIES):
        company = uuid.uuid4()
        companies.append(company)
        orgs.append(
            (company, f"第{c + 1}燃气有限公司", "company", None, company, REGION, None, None)
        )
        stations[company] = []
        for s in range(STATIONS_PER_COMPANY):
            station = uuid.uuid4()
            stations[company].append(station)
            orgs.append(
                (
                    station,
                    f"第{c + 1}公司{s + 1}号充装站",
                    "station",
                    company,
                    company,
                    REGION,
                    f"TS{c:02d}{s}",
                    date(2030, 1, 1),
                )
            )
    await conn.copy_records_to_table(
        "organization", records=orgs,
        columns=("id", "name", "kind", "parent_id", "company_id", "region_code", "license_no", "license_expires_on"),
    )  # fmt: skip
    tokens: dict[str, str] = {}
    users: list[tuple[Any, ...]] = []
    fillers: dict[uuid.UUID, uuid.UUID] = {}
    admin = uuid.uuid4()
    tokens["admin"] = new_token()
    users.append((admin, "admin", admin_org, "admin", hash_token(tokens["admin"]), None, None))
    for company in companies:
        for station in stations[company]:
            user, token = uuid.uuid4(), new_token()
            fillers[station] = user
            tokens[f"filler:{station}"] = token
            users.append(
                (
                    user,
                    "充装工",
                    station,
                    "filler",
                    hash_token(token),
                    f"CERT-{user.hex[:6]}",
                    date(2030, 1, 1),
                )
            )
    await conn.copy_records_to_table(
        "app_user", records=users,
        columns=("id", "name", "org_id", "role", "token_hash", "certificate_no", "certificate_expires_on"),
    )  # fmt: skip
    saved = {"tokens": tokens, "companies": [str(c) for c in companies]}
    return World(regulator, companies, stations, fillers, admin), saved


# --- histories -------------------------------------------------------------------------------


@dataclass
class Draft:
    """One cylinder being generated: its identity, running state and chain head."""

    id: int
    code: str
    owner: uuid.UUID
    station: uuid.UUID
    filler: uuid.UUID
    made: date
    due: date
    scrap_on: date
    tare: float
    seq: int = 0
    prev: bytes | None = None
    last_at: datetime | None = None
    state: dict[str, Any] | None = None


def _event(
    draft: Draft,
    type_: str,
    at: datetime,
    actor: uuid.UUID,
    org: uuid.UUID,
    payload: dict[str, Any],
    changes: dict[str, Any],
) -> tuple[Any, ...]:
    draft.seq += 1
    if changes:
        payload = {**payload, "changes": to_json(changes)}
    event_id = uuid.uuid4()
    link = ChainLink(
        draft.code,
        draft.seq,
        str(event_id),
        type_,
        at,
        at,
        str(actor),
        str(org),
        payload,
        draft.prev,
    )
    digest = link_hash(link)
    record = (
        draft.id,
        draft.seq,
        event_id,
        type_,
        at,
        at,
        actor,
        org,
        orjson.dumps(payload).decode(),
        request_hash(payload),
        draft.prev,
        digest,
    )
    draft.prev, draft.last_at = digest, at
    if draft.state is not None:
        draft.state.update(changes)
    return record


def _history(draft: Draft, count: int, rng: random.Random, maker: str) -> list[tuple[Any, ...]]:
    """``count`` events: a registration, then fill cycles spread over the two years."""
    registered_at = START + timedelta(seconds=rng.randrange(0, 3600 * 24 * 30))
    payload: dict[str, Any] = {
        "serial_no": f"S{draft.id:09d}", "manufacturer": maker, "manufactured_on": draft.made.isoformat(),
        "model": "YSP35.5", "owner_id": str(draft.owner), "batch": None, "tare_kg": draft.tare,
        "design_life_years": 8, "last_inspected_on": None, "next_inspection_due": draft.due.isoformat(),
        "scrap_on": draft.scrap_on.isoformat(), "aliases": [], "flags": [],
    }  # fmt: skip
    events = [_event(draft, "registered", registered_at, draft.filler, draft.station, payload, {})]
    remaining = count - 1
    span = (NOW - registered_at).total_seconds()
    cycles = max(1, remaining // 4)
    at = registered_at
    step = span / (cycles + 1)
    while remaining > 0:
        at = at + timedelta(seconds=step * rng.uniform(0.5, 1.0))
        net = round(rng.uniform(14.1, 14.9), 2)
        fill: dict[str, Any] = {
            "net_kg": net,
            "gross_kg": None,
            "tare_kg": draft.tare,
            "check_id": None,
            "post_checks": {"leak_ok": True},
            "warnings": [],
            "held": None,
        }
        changes = {
            "last_fill_at": at,
            "last_fill_org_id": draft.station,
            "last_fill_net_kg": net,
            "needs_purge": False,
            "last_seen_at": at,
            "last_seen_org_id": draft.station,
        }
        events.append(_event(draft, "filled", at, draft.filler, draft.station, fill, changes))
        remaining -= 1
        for kind, type_ in (
            ("dispatch", "dispatched"),
            ("deliver", "delivered"),
            ("return", "returned"),
        )[: min(3, remaining)]:
            at = at + timedelta(hours=rng.uniform(1, 48))
            hand = {
                "kind": kind,
                "vehicle": "浙A·D1234",
                "customer_id": f"C{rng.randrange(10**6)}" if kind == "deliver" else None,
                "location": None,
                "safety_check": None,
            }
            events.append(
                _event(
                    draft,
                    type_,
                    at,
                    draft.filler,
                    draft.station,
                    hand,
                    {"last_seen_at": at, "last_seen_org_id": draft.station},
                )
            )
            remaining -= 1
    return events


def _draft(index: int, world: World, rng: random.Random) -> Draft:
    company = world.companies[index % len(world.companies)]
    station = world.stations[company][index % STATIONS_PER_COMPANY]
    made = (NOW - timedelta(days=rng.randrange(100, 365 * 7))).date().replace(day=1)
    due = add_years(made, 4) if add_years(made, 4) > NOW.date() else add_years(made, 8)
    draft = Draft(
        index + 1,
        new_code(rng.randrange),
        company,
        station,
        world.fillers[station],
        made,
        due,
        scrap_date(made, 8),
        round(rng.uniform(14.5, 16.5), 1),
    )
    draft.state = {}
    return draft


def _event_count(index: int, mean: float, hot: int, rng: random.Random) -> int:
    if index == 0:
        return 1000
    if index < hot:
        return rng.randrange(1000, 1500)
    if rng.random() < 0.15:
        return 1  # registered, never filled
    return max(2, int(rng.expovariate(1 / mean)) + 1)


BENCH_CYLINDER_COLUMNS = (
    *CYLINDER_COPY_COLUMNS,
    "last_fill_at", "last_fill_org_id", "last_fill_net_kg", "needs_purge", "last_seen_at",
    "last_seen_org_id",
)  # fmt: skip


def _cylinder_record(draft: Draft, maker: str) -> tuple[Any, ...]:
    """The cylinder row as its history leaves it (what ``cylinders verify`` folds)."""
    state = draft.state or {}
    return (
        draft.id, draft.code, f"S{draft.id:09d}", f"S{draft.id:09d}", maker, normalize_manufacturer(maker),
        draft.made, "YSP35.5", None, draft.owner, draft.tare, 8, 4, None, draft.due, draft.scrap_on, [],
        draft.seq, draft.prev, START, draft.last_at,
        state.get("last_fill_at"), state.get("last_fill_org_id"), state.get("last_fill_net_kg"),
        state.get("needs_purge", True), state.get("last_seen_at"), state.get("last_seen_org_id"),
    )  # fmt: skip


async def _load_slice(
    url: str, world: World, start: int, stop: int, mean: float, hot: int, seed: int
) -> tuple[int, int]:
    conn = await asyncpg.connect(plain_dsn(url))
    await conn.execute("SET synchronous_commit = off")
    cylinders = events = 0
    try:
        for chunk_start in range(start, stop, CHUNK):
            rng = random.Random(seed * 1_000_003 + chunk_start)
            cyl_rows, event_rows = [], []
            for index in range(chunk_start, min(stop, chunk_start + CHUNK)):
                maker = MAKERS[index % len(MAKERS)]
                draft = _draft(index, world, rng)
                event_rows.extend(_history(draft, _event_count(index, mean, hot, rng), rng, maker))
                cyl_rows.append(_cylinder_record(draft, maker))
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "cylinder", records=cyl_rows, columns=BENCH_CYLINDER_COLUMNS
                )
                await conn.copy_records_to_table(
                    "event", records=event_rows, columns=EVENT_COPY_COLUMNS
                )
            cylinders += len(cyl_rows)
            events += len(event_rows)
    finally:
        await conn.close()
    return cylinders, events


def _worker(args: tuple[str, World, int, int, float, int, int]) -> tuple[int, int]:
    return asyncio.run(_load_slice(*args))


async def _prepare(url: str) -> None:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(
            "TRUNCATE event, cylinder_alias, blacklist, entrustment, org_event, station_tally, "
            "cylinder, app_user, organization RESTART IDENTITY CASCADE"
        )
        for name in EVENT_INDEXES:
            if name.startswith("uq_"):
                await conn.execute(f"ALTER TABLE event DROP CONSTRAINT IF EXISTS {name}")
            else:
                await conn.execute(f"DROP INDEX IF EXISTS {name}")
    finally:
        await conn.close()


async def _finish(url: str, cylinders: int) -> None:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        await conn.execute("SET maintenance_work_mem = '512MB'")
        for statement in EVENT_INDEXES.values():
            await conn.execute(statement)
        # A ledger number (气瓶编号) kept as an alias on every third cylinder, and a few batch
        # recalls, so the alias and blacklist probes of the fill gate meet real tables.
        await conn.execute(
            "INSERT INTO cylinder_alias (key, cylinder_id, raw) "
            "SELECT 'GS-' || id, id, 'GS-' || id FROM cylinder WHERE id % 3 = 0"
        )
        await conn.execute(
            "INSERT INTO blacklist (id, kind, manufacturer, manufacturer_key, batch, reason, "
            "created_by, created_org_id, created_at) SELECT gen_random_uuid(), 'batch', "
            "'江苏华安气瓶有限公司', '江苏华安气瓶有限公司', '19' || lpad(g::text, 4, '0'), "
            "'bench recall', gen_random_uuid(), gen_random_uuid(), now() FROM generate_series(1, 50) g"
        )
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('cylinder', 'id'), $1)", cylinders + 1
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cylinders", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--hot", type=int, default=50, help="cylinders with 1,000+ events")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = args.url or start_embedded(ROOT / ".data" / "bench", "bench", keep_running=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    migrate.upgrade(url)
    asyncio.run(_prepare(url))
    rng = random.Random(args.seed)
    world, saved = asyncio.run(_with_conn(url, lambda c: create_world(c, rng)))
    (ROOT / ".data" / "bench-world.json").write_text(json.dumps(saved), encoding="utf-8")
    timings["schema + organisations"] = time.perf_counter() - started
    hot_events = 1000 + (args.hot - 1) * 1250
    mean = max(1.0, (args.events - hot_events - args.cylinders * 0.15) / (args.cylinders * 0.85))
    bounds = [args.cylinders * i // args.workers for i in range(args.workers + 1)]
    jobs = [
        (url, world, bounds[i], bounds[i + 1], mean, args.hot, args.seed)
        for i in range(args.workers)
    ]
    phase = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        results = pool.map(_worker, jobs)
    cylinders, events = sum(r[0] for r in results), sum(r[1] for r in results)
    timings["generate + COPY"] = time.perf_counter() - phase
    phase = time.perf_counter()
    asyncio.run(_finish(url, cylinders))
    timings["rebuild indexes + ANALYZE"] = time.perf_counter() - phase
    migrate.check(url)
    total = time.perf_counter() - started
    print(
        f"loaded {cylinders:,} cylinders and {events:,} events in {total:.0f} s "
        f"({events / timings['generate + COPY']:,.0f} events/s while copying)"
    )
    for name, seconds in timings.items():
        print(f"  {name}: {seconds:.1f} s")
    print(f"database: {url}")


async def _with_conn(url: str, job: Any) -> Any:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        return await job(conn)
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
