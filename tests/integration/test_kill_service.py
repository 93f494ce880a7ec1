"""``kill -9`` of the service under a stream of fills (quality.md, Reliability): every fill that
got a 2xx is in the database afterwards, none twice; and a scanner that sends again what it
never heard back about (same ``event_id``) records nothing twice either."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import httpx

from service.use_cases import history
from service.use_cases.context import Context
from tests.factories import fill_body, register_one
from tests.servers import ServiceProcess
from tests.world import World

SENDERS = 8
ACKED_BEFORE_KILL = 40
FILLED_AT = datetime.now(UTC).isoformat()


async def test_kill_9_under_fills_loses_no_acknowledged_fill_and_records_none_twice(
    ctx: Context, world: World, service: ServiceProcess, superuser_dsn: str
) -> None:
    scans = [ctx.qr_payload(await register_one(ctx, world)) for _ in range(10)]
    headers = {"Authorization": f"Bearer {world.tokens['filler_a1']}"}
    service.start()
    sent: list[dict[str, object]] = []
    acked: set[str] = set()
    enough, killed = asyncio.Event(), asyncio.Event()

    async def sender(http: httpx.AsyncClient, n: int) -> None:
        i = n
        while not killed.is_set():
            body = fill_body(scans[i % len(scans)], FILLED_AT)
            i += SENDERS
            sent.append(body)
            try:
                response = await http.post(
                    f"http://127.0.0.1:{service.port}/api/v1/fills", json=body, headers=headers
                )
            except httpx.TransportError:
                continue  # the service died with this request in flight: not acknowledged
            if response.status_code in (200, 201):
                acked.add(str(body["event_id"]))
                if len(acked) >= ACKED_BEFORE_KILL:
                    enough.set()

    async def killer() -> None:
        await enough.wait()
        service.kill()  # requests are in flight: some committed, some not, some unanswered
        killed.set()

    async with httpx.AsyncClient(timeout=10) as http:
        await asyncio.wait_for(
            asyncio.gather(killer(), *(sender(http, n) for n in range(SENDERS))), timeout=120
        )
    unanswered = [b for b in sent if str(b["event_id"]) not in acked]
    assert unanswered, "the kill landed between requests; nothing was in flight"

    conn = await asyncpg.connect(superuser_dsn)
    try:
        stored = {
            str(r["event_id"])
            for r in await conn.fetch("SELECT event_id FROM event WHERE type = 'filled'")
        }
        assert acked <= stored  # every acknowledged fill survived the kill

        # The scanner sends again everything it has no answer for, and (to be sure) the rest.
        service.start()
        async with httpx.AsyncClient(timeout=30) as http:
            for body in sent:
                response = await http.post(
                    f"http://127.0.0.1:{service.port}/api/v1/fills", json=body, headers=headers
                )
                was_stored = str(body["event_id"]) in stored
                assert response.status_code == (200 if was_stored else 201), response.text
        counts = await conn.fetch(
            "SELECT event_id, count(*) AS n FROM event WHERE type = 'filled' GROUP BY event_id"
        )
    finally:
        await conn.close()
    assert len(counts) == len(sent)
    assert {r["n"] for r in counts} == {1}  # none twice
    checked, bad = await history.verify_all(ctx)
    assert (checked, bad) == (10, [])
