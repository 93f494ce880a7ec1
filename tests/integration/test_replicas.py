"""The API replicas hold no state: two service processes on one database, under concurrent
load on the same cylinders, give one consistent history (deploy/README.md)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.use_cases import history
from service.use_cases.context import Context
from tests.factories import fill_body, register_one
from tests.servers import ServiceProcess
from tests.world import World

FILLS_PER_CYLINDER = 12


@pytest.fixture
def replicas(clean_db: str, tmp_path: Path) -> Iterator[list[int]]:
    """Two service processes on the test database, each with its own data folder and the
    same label keys."""
    processes = [ServiceProcess.on_database(clean_db, tmp_path / f"replica-{i}") for i in range(2)]
    try:
        for process in processes:
            process.start()
        yield [process.port for process in processes]
    finally:
        for process in processes:
            process.stop()


# The replicas run on the real clock (they are real processes), not the tests' fake one.
FILLED_AT = datetime.now(UTC).isoformat()


async def _fill(
    http: httpx.AsyncClient, port: int, token: str, scan: str, event_id: str
) -> httpx.Response:
    body = fill_body(scan, FILLED_AT, event_id=event_id)
    return await http.post(
        f"http://127.0.0.1:{port}/api/v1/fills",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_two_replicas_under_load_keep_one_consistent_history(
    ctx: Context, world: World, replicas: list[int], superuser_dsn: str
) -> None:
    codes = [await register_one(ctx, world) for _ in range(3)]
    token = world.tokens["filler_a1"]
    sent: list[str] = []
    async with httpx.AsyncClient(timeout=30) as http:
        jobs = []
        for i in range(FILLS_PER_CYLINDER):
            for code in codes:
                event_id = str(uuid.uuid4())
                sent.append(event_id)
                jobs.append(_fill(http, replicas[i % 2], token, ctx.qr_payload(code), event_id))
        # And one event_id sent to both replicas at the same moment.
        twin = str(uuid.uuid4())
        jobs += [_fill(http, port, token, ctx.qr_payload(codes[0]), twin) for port in replicas]
        responses = await asyncio.gather(*jobs)
    statuses = [r.status_code for r in responses]
    assert statuses[:-2].count(201) == len(sent), statuses
    assert sorted(statuses[-2:]) == [200, 201]
    conn = await asyncpg.connect(superuser_dsn)
    try:
        stored = await conn.fetchval("SELECT count(*) FROM event WHERE type = 'filled'")
        twins = await conn.fetchval(
            "SELECT count(*) FROM event WHERE event_id = $1", uuid.UUID(twin)
        )
        seqs = await conn.fetch(
            "SELECT cylinder_id, array_agg(seq ORDER BY seq) AS seqs FROM event GROUP BY cylinder_id"
        )
    finally:
        await conn.close()
    assert stored == len(sent) + 1
    assert twins == 1
    for row in seqs:  # every chain is gap-free: no two replicas wrote the same seq
        assert row["seqs"] == list(range(1, len(row["seqs"]) + 1))
    checked, bad = await history.verify_all(ctx)
    assert (checked, bad) == (3, [])
